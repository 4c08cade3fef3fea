"""Customs' import tests: the ``customs`` fixture (SQLite, and PostgreSQL where it answers)
with tax played by ``TaxDesk``."""

from __future__ import annotations

import pytest

from tests.customs.harness import Customs
from tests.customs.import_.harness import Imports, TaxDesk


@pytest.fixture
def imports(customs: Customs) -> Imports:
    return Imports(customs=customs, tax=TaxDesk(customs.redis))
