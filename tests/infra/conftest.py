"""The infra tests' engine: the test's backend, with the plain tables of ``tables``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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
