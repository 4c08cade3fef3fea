"""The infra tests' engine: the test's backend, with the plain tables of ``tables``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy.engine import Engine

from infra.db import create_tables, make_engine
from infra.settings import CommonSettings
from tests.conftest import Backend
from tests.infra.tables import metadata


@pytest.fixture
def engine(backend: Backend) -> Iterator[Engine]:
    settings = CommonSettings(**backend.settings_kwargs())  # type: ignore[arg-type]
    engine = make_engine(*settings.database_url_for("infra"))
    create_tables(engine, metadata)
    yield engine
    engine.dispose()


ROOT = Path(__file__).resolve().parents[2]


def start_worker(backend: Backend) -> subprocess.Popen[bytes]:
    """A real worker process on the queue ``sched``, which runs ``tests.infra.jobs``, in a
    process group of its own (``kill_worker``: with the scheduler process rq forks)."""
    env = {**os.environ, **backend.env(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "launcher", "worker", "--queues", "sched"],
                            cwd=ROOT, env=env, start_new_session=True)


def kill_worker(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the worker and the scheduler process it forked; wait for the worker."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(10)


@pytest.fixture
def worker(backend: Backend) -> Iterator[Redis]:
    """A worker on ``sched`` for the test (``start_worker``); the backend's Redis."""
    proc = start_worker(backend)
    yield backend.redis()
    kill_worker(proc, signal.SIGTERM)
