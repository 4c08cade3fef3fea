"""The tax service's own database: its table registry and per-process engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import registry
from sqlmodel import Session

from infra.db import TableModel, UnitOfWork, unit_of_work
from infra.resources import PartResources
from services.tax.config import get_settings


class TaxTable(TableModel, registry=registry()):
    """Base of the tax service's tables (their own metadata: no other part sees them)."""


resources = PartResources("tax", TaxTable.metadata, get_settings)


def get_uow() -> Iterator[UnitOfWork]:
    """The request's unit of work: commits once at the end, rolls back on error."""
    with unit_of_work(resources.engine()) as uow:
        yield uow


# scope="function": the commit happens before the response is sent, so a client that
# has its answer can rely on what it did (by default FastAPI closes it afterwards).
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
SessionDep = Annotated[Session, Depends(resources.read_session)]  # reads only
