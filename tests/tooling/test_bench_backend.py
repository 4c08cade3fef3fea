"""The benchmarks' ``--database-url``/``--redis-url``: the topology's environment, and
PostgreSQL schemas of the run's own, dropped after it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench.loadgen import backend_env
from tests.conftest import PG_URL, REAL_AVAILABLE, REDIS_URL


def test_by_default_the_embedded_servers() -> None:
    with backend_env("", "") as env:
        assert env == {}


@pytest.mark.skipif(not REAL_AVAILABLE, reason="PostgreSQL and Redis are not answering")
def test_on_postgresql_the_run_has_schemas_of_its_own_dropped_after_it() -> None:
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with backend_env(PG_URL, REDIS_URL) as env:
            assert env["DATABASE_URL"] == PG_URL and env["REDIS_URL"] == REDIS_URL
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
