"""Inspection's own database: its table registry and per-process engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from redis import Redis
from sqlalchemy.orm import registry
from sqlmodel import Session

from infra.db import TableModel, UnitOfWork, unit_of_work
from infra.resources import PartResources
from services.inspection.config import Settings, get_settings


class InspectionTable(TableModel, registry=registry()):
    """Base of inspection's tables (their own metadata: no other part sees them)."""


resources = PartResources("inspection", InspectionTable.metadata, get_settings)


def get_uow() -> Iterator[UnitOfWork]:
    """The request's unit of work: commits once at the end, rolls back on error."""
    with unit_of_work(resources.engine()) as uow:
        yield uow


def get_redis() -> Redis:
    return resources.redis()


def get_config() -> Settings:
    settings: Settings = resources.config()
    return settings


# scope="function": the commit happens before the response is sent, so a client that
# has its answer can rely on what it did (by default FastAPI closes it afterwards).
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
SessionDep = Annotated[Session, Depends(resources.read_session)]  # reads only
RedisDep = Annotated[Redis, Depends(get_redis)]
SettingsDep = Annotated[Settings, Depends(get_config)]
