"""``singlewindow start``: bring the topology up, report it, supervise it, stop it."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from launcher import topology
from launcher.config import LauncherSettings
from launcher.embedded import EmbeddedRedis
from launcher.supervisor import Supervisor

HEALTH_TIMEOUT = 60.0
_TICK = 0.5


class Stop(Exception):
    """Raised in the main loop by SIGINT/SIGTERM."""


@dataclass
class Options:
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    base_port: int = 8000
    workers: int = 1
    gateway_processes: int = 1


def start(options: Options, console: Console | None = None) -> int:
    """Run the topology until Ctrl-C or SIGTERM; the exit code."""
    console = console or Console(log_path=False)
    settings = LauncherSettings()
    data_dir = (options.data_dir or settings.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = data_dir / "launcher.pid"
    if not _preflight(options, lock, console):
        return 1
    lock.write_text(str(os.getpid()))
    _install_signal_handlers()
    embedded: EmbeddedRedis | None = None
    supervisor: Supervisor | None = None
    try:
        redis_url = settings.redis_url
        if not redis_url:
            embedded = EmbeddedRedis(data_dir)
            embedded.start()
            redis_url = embedded.url
            console.print(f"embedded Redis (pid {embedded.pid}) at {redis_url}")
        url_host = "127.0.0.1" if options.host in ("0.0.0.0", "") else options.host
        app_urls = {name: f"http://{url_host}:{port}" for name, port in _app_ports(options).items()}
        env = child_env(settings, data_dir, redis_url,
                        topology.urls(options.base_port, lambda _name: url_host),
                        _admin_token(settings, data_dir, console))
        parts = topology.parts(host=options.host, base_port=options.base_port,
                               workers=options.workers,
                               gateway_processes=options.gateway_processes)
        supervisor = Supervisor(parts, env=env, data_dir=data_dir, say=console.log)
        if embedded is not None:
            supervisor.extra_pids["redis"] = embedded.pid
        if not _bring_up(supervisor, app_urls, console):
            return 1
        _write_state(data_dir, app_urls, redis_url, settings.database_url)
        console.print(_table(supervisor, app_urls, data_dir))
        console.print("Ctrl-C stops everything")
        _supervise(supervisor, embedded, console)
        return 0
    except Stop:
        return 0
    finally:
        _shut_down(supervisor, embedded, console)
        (data_dir / "state.json").unlink(missing_ok=True)
        lock.unlink(missing_ok=True)


def _preflight(options: Options, lock: Path, console: Console) -> bool:
    """No other launcher on this data folder, and the ports free."""
    if _running_launcher(lock):
        console.print(f"[red]a launcher already runs on {lock.parent} "
                      f"(pid {lock.read_text().strip()})[/]")
        return False
    busy = [f"{port} ({name})" for name, port in _app_ports(options).items()
            if not _port_free(options.host, port)]
    if busy:
        console.print(f"[red]ports in use: {', '.join(busy)}; choose another --base-port[/]")
        return False
    return True


def _shut_down(supervisor: Supervisor | None, embedded: EmbeddedRedis | None,
               console: Console) -> None:
    console.print("stopping ...")
    if supervisor is not None:
        supervisor.stop()
    if embedded is not None:
        embedded.stop()
        if supervisor is not None:
            supervisor.extra_pids.pop("redis", None)
            supervisor.write_pids()
    console.print("stopped")


def _bring_up(supervisor: Supervisor, app_urls: dict[str, str], console: Console) -> bool:
    """Start the parts in dependency order (an app once its dependencies are healthy)."""
    started: set[str] = set()
    ready: set[str] = set()  # services: apps healthy, others started
    deadline = time.monotonic() + HEALTH_TIMEOUT
    with httpx.Client(timeout=1.0, trust_env=False) as client:  # no proxies
        while True:
            for name, child in supervisor.children.items():
                if name not in started and set(child.part.depends_on) <= ready:
                    supervisor.spawn(name)
                    started.add(name)
            for name in started:
                part = supervisor.children[name].part
                if part.kind != "app":
                    ready.add(part.service)
                elif name not in ready and _healthy(client, app_urls[name]):
                    ready.add(name)
                    console.log(f"{name} is healthy")
            waiting = [n for n in supervisor.children if n not in started
                       or (supervisor.children[n].part.kind == "app" and n not in ready)]
            if not waiting:
                return True
            if time.monotonic() > deadline:
                console.print(f"[red]not healthy after {HEALTH_TIMEOUT:.0f}s: "
                              f"{', '.join(waiting)}[/]")
                for name in waiting:
                    console.print(f"  log: {supervisor.log_path(name)}")
                    console.print(_tail(supervisor.log_path(name)), markup=False)
                return False
            supervisor.check()
            time.sleep(0.1)


def _supervise(supervisor: Supervisor, embedded: EmbeddedRedis | None,
               console: Console) -> None:
    while True:
        time.sleep(_TICK)
        if embedded is not None and not embedded.alive():
            console.log("[yellow]embedded Redis[/] is gone; starting it again")
            embedded.start()
            supervisor.extra_pids["redis"] = embedded.pid
            supervisor.write_pids()
        supervisor.check()


def _healthy(client: httpx.Client, url: str) -> bool:
    try:
        response = client.get(f"{url}/health")
        return response.status_code == 200 and response.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError):
        return False


def child_env(settings: LauncherSettings, data_dir: Path, redis_url: str,
              urls: dict[str, str], token: str) -> dict[str, str]:
    """The environment of every child: the launcher's, plus where everything is."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
        "SW_DATA_DIR": str(data_dir),
        "SW_SCHEMA_PREFIX": settings.schema_prefix,
        topology.ADMIN_TOKEN_VAR: token,
        "PYTHONUNBUFFERED": "1",
        **urls,
    })
    # The parts call each other on this machine: never through a proxy.
    no_proxy = [p for p in env.get("NO_PROXY", "").split(",") if p]
    hosts = {urlsplit(url).hostname or "" for url in urls.values()} | {"127.0.0.1", "localhost"}
    env["NO_PROXY"] = ",".join([*no_proxy, *sorted(h for h in hosts if h not in no_proxy)])
    source_root = Path(__file__).resolve().parent.parent
    if (source_root / "pyproject.toml").exists():  # a checkout: children import from it
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(source_root), env.get("PYTHONPATH", "")) if p)
    return env


def _admin_token(settings: LauncherSettings, data_dir: Path, console: Console) -> str:
    """The token from the environment, else the one kept in the data folder, else a new
    one, kept there (readable by the owner only) for the next start."""
    if settings.gateway_admin_token:
        console.print(f"gateway admin token: from {topology.ADMIN_TOKEN_VAR}")
        return settings.gateway_admin_token
    path = data_dir / "admin-token"
    token = path.read_text().strip() if path.exists() else ""
    if not token:
        token = secrets.token_urlsafe(32)
        path.touch(mode=0o600)
        path.write_text(token + "\n")
        console.print(f"generated the gateway admin token: [bold]{token}[/]")
    console.print(f"gateway admin token: in {path}")
    return token


def _write_state(data_dir: Path, app_urls: dict[str, str], redis_url: str,
                 database_url: str) -> None:
    state = {"ready": True, "urls": app_urls, "redis_url": redis_url,
             "database_url": database_url or "sqlite (files in the data folder)"}
    tmp = data_dir / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, data_dir / "state.json")


def _table(supervisor: Supervisor, app_urls: dict[str, str], data_dir: Path) -> Table:
    table = Table(title=f"single window running from {data_dir}")
    table.add_column("part", no_wrap=True)
    table.add_column("kind")
    table.add_column("url / queues", overflow="fold")
    table.add_column("pid", justify="right")
    pids = supervisor.pids()
    if "redis" in pids:
        table.add_row("redis", "embedded", "", str(pids["redis"]))
    for name, child in supervisor.children.items():
        where = app_urls.get(name) or ", ".join(child.part.queues) or "simulator clock"
        table.add_row(name, child.part.kind, where, str(pids.get(name, "-")))
    table.caption = f"logs: {supervisor.logs_dir}/<part>.log"
    return table


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _app_ports(options: Options) -> dict[str, int]:
    return {name: options.base_port + offset for name, (_m, offset) in topology.APPS.items()}


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host or "0.0.0.0", port))
        except OSError:
            return False
    return True


def _running_launcher(lock: Path) -> bool:
    try:
        pid = int(lock.read_text().strip())
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and psutil.pid_exists(pid)


def _install_signal_handlers() -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    if sys.platform != "win32":
        signal.signal(signal.SIGHUP, handler)
