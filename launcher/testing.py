"""The running topology for end-to-end tests.

``running_topology`` starts ``singlewindow start`` as a subprocess on free ports and a
fresh data folder, waits until every app is healthy, and stops everything afterwards::

    with running_topology(tmp_path) as topo:
        httpx.get(f"{topo.gateway_url}/health")
        topo.kill("worker-customs-1")          # the launcher restarts it

``env`` adds to (or overrides) the launcher's environment: give ``DATABASE_URL``,
``REDIS_URL`` and ``SW_SCHEMA_PREFIX`` to run against real servers. Variables of the
topology inherited from the test process are dropped, so a test gets exactly what it asks.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from launcher import topology

START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


@dataclass
class Topology:
    """A running topology, seen from the test."""

    data_dir: Path
    urls: dict[str, str]  # app name -> http://host:port
    admin_token: str
    base_port: int
    process: subprocess.Popen[bytes]
    redis_url: str = ""  # the Redis every part uses (the embedded one's unix socket)

    @property
    def gateway_url(self) -> str:
        return self.urls["gateway"]

    @property
    def launcher_log(self) -> Path:
        return self.data_dir / "logs" / "launcher.log"

    def pids(self) -> dict[str, int]:
        """Part name -> pid, as the launcher last wrote them (``redis`` when embedded)."""
        data = json.loads((self.data_dir / "pids.json").read_text())
        return {name: int(pid) for name, pid in data["parts"].items()}

    def kill(self, part: str, sig: int = signal.SIGKILL) -> int:
        """Send ``sig`` (SIGKILL by default) to one part; returns the pid it had."""
        pid = self.pids()[part]
        os.kill(pid, sig)
        return pid

    def wait_restarted(self, part: str, old_pid: int, timeout: float = 30.0) -> int:
        """Wait until ``part`` runs again under a new pid; returns the new pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.pids().get(part)
            if pid and pid != old_pid and _alive(pid):
                return pid
            time.sleep(0.1)
        raise TimeoutError(f"{part} was not restarted within {timeout}s\n{self.tail()}")

    def log(self, part: str) -> str:
        path = self.data_dir / "logs" / f"{part}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        text = self.launcher_log.read_text(errors="replace") if self.launcher_log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _ephemeral_floor() -> int:
    """The lowest port the kernel hands out to outgoing connections (32768 by default)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_base_port(count: int = len(topology.APPS), host: str = "127.0.0.1") -> int:
    """A port such that it and the ``count - 1`` after it are free.

    Chosen below the ephemeral range: a port there can be taken by any outgoing
    connection between this check and the server's bind.
    """
    top = max(_ephemeral_floor(), 12000) - count
    for _ in range(200):
        base = random.randrange(10000, top)
        if all(_port_free(host, base + i) for i in range(count)):
            return base
    raise RuntimeError("no free range of ports found")


@contextmanager
def running_topology(tmp_path: Path, env: Mapping[str, str] | None = None,
                     workers: int = 1, gateway_processes: int = 1) -> Iterator[Topology]:
    """Run the whole topology for the ``with`` block; see the module docstring."""
    data_dir = (tmp_path / "singlewindow").resolve()
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    base_port = free_base_port()
    command = [sys.executable, "-m", "launcher", "start", "--data-dir", str(data_dir),
               "--host", "127.0.0.1", "--base-port", str(base_port),
               "--workers", str(workers), "--gateway-processes", str(gateway_processes)]
    child_env = _launcher_env(env or {})
    log = open(data_dir / "logs" / "launcher.log", "ab")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, env=child_env, stdin=subprocess.DEVNULL,
                               stdout=log, stderr=subprocess.STDOUT,
                               cwd=Path(__file__).resolve().parent.parent)
    topo = Topology(data_dir, {}, "", base_port, process)
    try:
        state = _wait_ready(topo)
        topo.urls, topo.redis_url = dict(state["urls"]), str(state["redis_url"])
        topo.admin_token = (child_env.get(topology.ADMIN_TOKEN_VAR)
                            or (data_dir / "admin-token").read_text().strip())
        yield topo
    finally:
        _stop(topo)
        log.close()


def _launcher_env(extra: Mapping[str, str]) -> dict[str, str]:
    drop = {*topology.COMMON_VARS, *topology.URL_VARS.values()}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"PYTHONUNBUFFERED": "1", "COLUMNS": "160", **extra})
    return env


def _wait_ready(topo: Topology) -> dict[str, Any]:
    state_file = topo.data_dir / "state.json"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if topo.process.poll() is not None:
            raise RuntimeError(f"the launcher exited with code {topo.process.returncode}:\n"
                               f"{topo.tail()}")
        if state_file.exists():
            with contextlib.suppress(ValueError):
                state = json.loads(state_file.read_text())
                if state.get("ready"):
                    return dict(state)
        time.sleep(0.1)
    raise TimeoutError(f"the topology was not ready within {START_TIMEOUT}s:\n{topo.tail()}")


def _stop(topo: Topology) -> None:
    """SIGTERM the launcher (it stops its children); kill whatever is left after that."""
    if topo.process.poll() is not None:
        return
    topo.process.send_signal(signal.SIGTERM)
    try:
        topo.process.wait(STOP_TIMEOUT)
        return
    except subprocess.TimeoutExpired:
        topo.process.kill()
        topo.process.wait()
    with contextlib.suppress(OSError, ValueError, KeyError):  # the launcher hung
        for pid in topo.pids().values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def servers_answer(database_url: str, redis_url: str) -> bool:
    """Whether PostgreSQL at ``database_url`` and Redis at ``redis_url`` accept us."""
    import psycopg
    import redis

    try:
        psycopg.connect(database_url, connect_timeout=2).close()
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except (psycopg.Error, redis.RedisError, OSError):
        return False
    return True


@contextmanager
def real_servers_env(database_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """Variables that put a topology on real servers, isolated, and cleaned up afterwards.

    A schema prefix of its own (the schemas are dropped at the end) and a Redis database
    index of its own, chosen at random among the empty ones from 1 to 15 (flushed at the
    end: only what the topology made there).
    """
    import redis

    prefix = f"t{uuid.uuid4().hex[:10]}_"
    db_url = _redis_db_url(redis_url, _empty_redis_db(redis_url))
    try:
        yield {"DATABASE_URL": database_url, "REDIS_URL": db_url, "SW_SCHEMA_PREFIX": prefix}
    finally:
        client = redis.Redis.from_url(db_url)
        client.flushdb()
        client.close()
        drop_schemas(database_url, prefix)


def drop_schemas(database_url: str, prefix: str) -> None:
    """Drop every PostgreSQL schema whose name starts with ``prefix``."""
    import psycopg
    from psycopg import sql

    if not prefix:
        raise ValueError("refusing to drop schemas without a prefix")
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)",
                            (prefix,)).fetchall()
        for (name,) in rows:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _empty_redis_db(redis_url: str) -> int:
    import redis

    indexes = random.sample(range(1, 16), 15)
    for index in indexes:
        client = redis.Redis.from_url(_redis_db_url(redis_url, index))
        try:
            if client.dbsize() == 0:
                return index
        finally:
            client.close()
    raise RuntimeError(f"no empty Redis database index (1-15) at {redis_url}")


def _redis_db_url(redis_url: str, index: int) -> str:
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{index}", parts.query, parts.fragment))
