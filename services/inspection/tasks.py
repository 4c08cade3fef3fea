"""Inspection's rq jobs (queue ``inspection``), referenced by dotted path."""

from __future__ import annotations

from infra.db import unit_of_work
from services.inspection import models, service  # noqa: F401  (models: registers the tables)
from services.inspection.db import resources

QUEUE = "inspection"


def reset() -> dict[str, int]:
    """Delete all of inspection's data (the sandbox reset, run by a worker)."""
    with unit_of_work(resources.engine()) as uow:
        return service.reset(session=uow.session)
