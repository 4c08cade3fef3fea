"""Runs the parts as child processes and restarts the ones that die.

Like docker-compose's ``restart: unless-stopped``: a child that exits is started again,
with a back-off when it keeps dying young. Every child writes to
``<data_dir>/logs/<part>.log``; ``<data_dir>/pids.json`` always holds the current pids.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from launcher.topology import Part

# A child that ran at least this long before dying is restarted at once.
_STABLE_AFTER = 30.0
_MAX_BACKOFF = 30.0


@dataclass
class Child:
    part: Part
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_deaths: int = 0
    restart_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


class Supervisor:
    """The children of one launcher."""

    def __init__(self, parts: list[Part], *, env: Mapping[str, str], data_dir: Path,
                 python: str = sys.executable, say: Callable[[str], None] = print) -> None:
        self.children = {p.name: Child(p) for p in parts}
        self.env = dict(env)
        self.data_dir = data_dir
        self.logs_dir = data_dir / "logs"
        self.python = python
        self.say = say
        self.extra_pids: dict[str, int] = {}  # e.g. the embedded Redis
        self.stopping = False

    def log_path(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def spawn(self, name: str) -> Child:
        """Start (or start again) one part."""
        child = self.children[name]
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        if child.log is None:
            child.log = open(self.log_path(name), "ab")  # noqa: SIM115 (kept open)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        child.log.write(f"--- {stamp} starting {name}: {' '.join(child.part.args)}\n".encode())
        child.log.flush()
        child.proc = subprocess.Popen(
            child.part.command(self.python), env=self.env, stdin=subprocess.DEVNULL,
            stdout=child.log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        self.write_pids()
        return child

    def check(self) -> None:
        """Restart the children that died (after their back-off)."""
        if self.stopping:
            return
        now = time.monotonic()
        for name, child in self.children.items():
            if child.proc is None:
                continue
            code = child.proc.poll()
            if code is not None and child.restart_at is None:
                # What the dead child forked (e.g. rq's scheduler process) goes with it.
                _signal_group(child.proc.pid, signal.SIGKILL)
                lived = now - child.started_at
                child.quick_deaths = 0 if lived >= _STABLE_AFTER else child.quick_deaths + 1
                delay = min(_MAX_BACKOFF, 0.5 * 2 ** max(child.quick_deaths - 1, 0))
                delay = 0.0 if child.quick_deaths == 0 else delay
                child.restart_at = now + delay
                self.say(f"[yellow]{name}[/] (pid {child.proc.pid}) exited with code {code} "
                         f"after {lived:.1f}s; restarting in {delay:.1f}s "
                         f"(log: {self.log_path(name)})")
                self.write_pids()
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self.spawn(name)
                self.say(f"[green]{name}[/] restarted (pid {child.proc.pid}, "
                         f"restart {child.restarts})")

    def alive(self, name: str) -> bool:
        child = self.children[name]
        return child.proc is not None and child.proc.poll() is None

    def pids(self) -> dict[str, int]:
        out = {name: child.pid for name, child in self.children.items()}
        return {**self.extra_pids, **{k: v for k, v in out.items() if v is not None}}

    def write_pids(self) -> None:
        """Write ``pids.json`` atomically (readers never see half a file)."""
        path = self.data_dir / "pids.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"launcher": os.getpid(), "parts": self.pids()}, indent=2))
        os.replace(tmp, path)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every child: the workers and the scheduler first, then the apps."""
        self.stopping = True
        non_apps = [c for c in self.children.values() if c.part.kind != "app"]
        apps = [c for c in self.children.values() if c.part.kind == "app"]
        for group in (non_apps, apps):
            _terminate(group, timeout)
        for child in self.children.values():
            if child.log is not None:
                child.log.close()
                child.log = None
        self.write_pids()


def _terminate(children: list[Child], timeout: float) -> None:
    """SIGTERM each child's process group, SIGKILL what is left after ``timeout``."""
    running = [c.proc for c in children if c.proc is not None and c.proc.poll() is None]
    for proc in running:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in running:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    grace = time.monotonic() + 1.0  # grandchildren still finishing after their parent
    for proc in running:
        while _signal_group(proc.pid, 0) and time.monotonic() < grace:
            time.sleep(0.05)
        _signal_group(proc.pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal the process group a child leads (each child starts its own session)."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the launcher dies (Linux)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
