"""The benchmarks' ``--database-url``/``--redis-url``: the topology's environment,
PostgreSQL schemas of the run's own, dropped after it, and a Redis database that must be
empty, emptied after the run."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from bench.loadgen import BackendInUse, backend_env
from tests.conftest import PG_URL, REAL_AVAILABLE, REDIS_URL


def test_by_default_the_embedded_servers() -> None:
    with backend_env("", "") as env:
        assert env == {}


@pytest.fixture
def redis_url() -> Iterator[str]:
    """An empty database of the machine's Redis, emptied after the test."""
    if not REAL_AVAILABLE:
        pytest.skip("PostgreSQL and Redis are not answering")
    url = f"{REDIS_URL.rstrip('/')}/{random.randint(1, 15)}"
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


def test_a_redis_database_in_use_is_refused_and_left_as_it_is(redis_url: str) -> None:
    """Another run's jobs left in the database would be taken by this run's workers."""
    redis = Redis.from_url(redis_url)
    redis.set("another-run:job", b"queued")
    with pytest.raises(BackendInUse, match=r"holds 1 keys"):
        with backend_env("", redis_url):
            pass
    assert redis.get("another-run:job") == b"queued"


def test_the_run_empties_its_redis_database_after_it(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    with backend_env("", redis_url) as env:
        assert env == {"REDIS_URL": redis_url}
        redis.set("rq:scheduled:customs", b"a retry still waiting")
    assert redis.dbsize() == 0


@pytest.mark.skipif(not REAL_AVAILABLE, reason="PostgreSQL and Redis are not answering")
def test_on_postgresql_the_run_has_schemas_of_its_own_dropped_after_it(
        redis_url: str) -> None:
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with backend_env(PG_URL, redis_url) as env:
            assert env["DATABASE_URL"] == PG_URL and env["REDIS_URL"] == redis_url
            prefix = env["SW_SCHEMA_PREFIX"]
            with engine.begin() as conn:  # as the parts make them
                conn.execute(text(f'CREATE SCHEMA "{prefix}customs"'))
                conn.execute(text(f'CREATE TABLE "{prefix}customs".t (id int)'))
        with engine.connect() as conn:
            left = conn.execute(text("SELECT schema_name FROM information_schema.schemata"
                                     " WHERE starts_with(schema_name, :p)"), {"p": prefix})
            assert left.all() == []
    finally:
        engine.dispose()
