"""A small keep-alive HTTP/1.1 load generator (asyncio streams), light enough that the
client does not hide the server's cost, plus helpers to run a server and report figures."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from infra.queue import connect_redis, queue
from infra.settings import CommonSettings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Result:
    name: str
    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sent_at: dict[int, float] = field(default_factory=dict)  # body index → when it went out

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    def line(self) -> str:
        p50 = self.percentile(0.5) * 1e3
        return (f"{self.name:<28} {self.per_second:9.0f}/s  p50 {p50:7.2f} ms"
                f"  p99 {self.percentile(0.99) * 1e3:7.2f} ms  n={self.count} "
                f"statuses={dict(sorted(self.statuses.items()))}")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:].strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


async def post_all(host: str, port: int, path: str,
                   bodies: Sequence[bytes | tuple[bytes, dict[str, str]]],
                   headers: dict[str, str], concurrency: int = 64,
                   name: str = "load") -> Result:
    """POST every body once over ``concurrency`` keep-alive connections.

    A body may come with headers of its own (``(body, headers)``), added to ``headers``.
    """
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    result = Result(name, len(bodies), 0.0)
    index = 0

    async def worker() -> None:
        nonlocal index
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while index < len(bodies):
                item, position = bodies[index], index
                index += 1
                body, own = item if isinstance(item, tuple) else (item, {})
                more = "".join(f"{k}: {v}\r\n" for k, v in own.items())
                request = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}{more}"
                           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
                started = time.perf_counter()
                result.sent_at[position] = started
                writer.write(request)
                status, _ = await _read_response(reader)
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


class Server:
    """A uvicorn server in its own process, stopped on exit."""

    def __init__(self, app: str, port: int, env: dict[str, str], factory: bool = True,
                 cwd: Path | None = None, processes: int = 1) -> None:
        args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port",
                str(port), "--log-level", "warning", "--no-access-log",
                "--workers", str(processes)]
        if factory:
            args.append("--factory")
        self.port = port
        self.proc = subprocess.Popen(args, env={**os.environ, **env}, cwd=cwd)

    def wait(self, path: str = "/health", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server on {self.port} did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def summary(rows: list[tuple[str, float]]) -> str:
    return "\n".join(f"  {name:<40} {value:10.2f}" for name, value in rows)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


class CpuSplit:
    """CPU seconds each part of a running topology spent between ``start`` and ``stop``
    (a part's own process and its children, e.g. uvicorn's worker processes), and this
    process's own (``loadgen``: the load generator and whatever else the benchmark runs)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.before: dict[str, float] = {}
        self.spent: dict[str, float] = {}
        self.jobs: dict[str, int] = {}  # jobs done per queue meanwhile, where the bench counts

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            process = psutil.Process(pid)
            total = 0.0
            for p in [process, *process.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
            return total
        except psutil.Error:
            return 0.0

    def _read(self) -> dict[str, float]:
        return {**{name: self._cpu(pid) for name, pid in self.pids.items()},
                "loadgen": time.process_time()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> None:
        self.spent = {name: cpu - self.before.get(name, 0.0)
                      for name, cpu in self._read().items()}

    def line(self, per: int, unit: str) -> str:
        """The CPU per ``unit`` of each part, largest first."""
        parts = sorted(self.spent.items(), key=lambda kv: -kv[1])
        shown = "  ".join(f"{name} {seconds * 1e3 / per:.2f}" for name, seconds in parts
                          if seconds > 0.005)
        return f"CPU ms per {unit}: {shown}  (total {sum(self.spent.values()) * 1e3 / per:.2f})"


def jobs_done(redis_url: str, queues: Sequence[str]) -> dict[str, int]:
    """How many jobs each queue finished (those of the last minute: rq keeps a finished
    job that long), to read how large the batches were."""
    redis = connect_redis(redis_url)
    try:
        return {name: queue(name, redis).finished_job_registry.count for name in queues}
    finally:
        redis.close()


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """``--database-url`` and ``--redis-url``: run the topology on real servers."""
    parser.add_argument("--database-url", default="", help=(
        "PostgreSQL to run on, e.g. postgresql://postgres@127.0.0.1:5432/test: each part "
        "in a schema of its own, dropped afterwards (default: the embedded SQLite files)"))
    parser.add_argument("--redis-url", default="", help=(
        "Redis to run on, e.g. redis://127.0.0.1:6379/9: an empty database, emptied "
        "afterwards (default: the embedded Redis)"))


@contextmanager
def backend_of(parser: argparse.ArgumentParser, args: argparse.Namespace
            ) -> Iterator[dict[str, str]]:
    """``backend_env`` for the parsed ``--database-url`` and ``--redis-url``; a Redis
    database in use is a usage error."""
    with ExitStack() as stack:
        try:
            env = stack.enter_context(backend_env(args.database_url, args.redis_url))
        except BackendInUse as exc:
            parser.error(str(exc))
        yield env


class BackendInUse(Exception):
    """The Redis database a run was given is not empty."""


@contextmanager
def backend_env(database_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """The topology's environment for these servers (empty: the embedded default). On
    PostgreSQL the run gets schemas of its own (``SW_SCHEMA_PREFIX``), dropped after it.
    The Redis database must be empty (``BackendInUse`` otherwise): the run's workers
    would take another run's jobs still queued or waiting to be retried there, and mix
    its documents into this run's. The run empties it afterwards. The servers' own CPU
    is not in the figures."""
    env = {"REDIS_URL": redis_url} if redis_url else {}
    with _redis_of_the_run(redis_url):
        if not database_url:
            yield env
            return
        prefix = f"bench{uuid.uuid4().hex[:8]}_"
        try:
            yield {**env, "DATABASE_URL": database_url, "SW_SCHEMA_PREFIX": prefix}
        finally:
            _drop_schemas(database_url, prefix)


@contextmanager
def _redis_of_the_run(redis_url: str) -> Iterator[None]:
    if not redis_url:
        yield
        return
    redis = connect_redis(redis_url)
    try:
        keys = int(redis.dbsize())
        if keys:
            raise BackendInUse(
                f"--redis-url {redis_url}: the database holds {keys} keys; a run needs an "
                "empty one (its workers would take jobs another run left there). Name "
                "another database (e.g. /10) or empty this one (redis-cli -n N flushdb).")
        try:
            yield
        finally:
            redis.flushdb()
    finally:
        redis.close()


def _drop_schemas(database_url: str, prefix: str) -> None:
    url, _ = CommonSettings(DATABASE_URL=database_url).database_url_for("")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for (schema,) in conn.execute(text(
                    "SELECT schema_name FROM information_schema.schemata"
                    " WHERE starts_with(schema_name, :prefix)"), {"prefix": prefix}):
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        engine.dispose()
