"""Per-process resources of a part: its engine and its Redis connection.

Created on first use (never at import time) from the part's settings and kept for the
life of the process, so routes and rq jobs of the same process share them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from redis import Redis
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import Session

from infra.db import create_tables, make_engine
from infra.queue import connect_redis
from infra.settings import CommonSettings


class PartResources:
    """The engine and Redis of one part (customs, tax, ...) in this process."""

    def __init__(self, part: str, metadata: MetaData,
                 settings_factory: Callable[[], CommonSettings],
                 upgrade: Callable[[Engine], None] | None = None) -> None:
        """``upgrade`` brings tables made by an earlier version to this one's shape,
        once the missing tables are made (idempotent; two processes may run it at once)."""
        self.part = part
        self.upgrade = upgrade
        self.metadata = metadata
        self.settings_factory = settings_factory
        self.settings: Any = None
        self._engine: Engine | None = None
        self._redis: Redis | None = None
        self._lock = threading.Lock()

    def configure(self, settings: CommonSettings) -> None:
        """Use ``settings`` from now on (drops the engine and connection made before)."""
        with self._lock:
            self.close()
            self.settings = settings

    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    url, schema = self._settings().database_url_for(self.part)
                    engine = make_engine(url, schema)
                    create_tables(engine, self.metadata)
                    if self.upgrade is not None:
                        self.upgrade(engine)
                    self._engine = engine
        return self._engine

    def read_session(self) -> Iterator[Session]:
        """A session for a request that only reads (a FastAPI dependency): unlike a unit of
        work (``infra.db.unit_of_work``), it does not wait for the units of work under way."""
        with Session(self.engine()) as session:
            yield session

    def redis(self) -> Redis:
        if self._redis is None:
            with self._lock:
                if self._redis is None:
                    self._redis = connect_redis(self._settings().redis_url)
        return self._redis

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._redis is not None:
            self._redis.close()
            self._redis = None

    def config(self) -> Any:
        """The part's settings (its own Settings subclass)."""
        return self._settings()

    def _settings(self) -> CommonSettings:
        if self.settings is None:
            self.settings = self.settings_factory()
        return self.settings  # type: ignore[no-any-return]
