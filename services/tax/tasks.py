"""The tax service's rq jobs (queue ``tax``), referenced by dotted path."""

from __future__ import annotations

from infra.db import unit_of_work
from services.tax import models, service  # noqa: F401  (models: registers the tables)
from services.tax.db import resources

QUEUE = "tax"


def reset() -> dict[str, int]:
    """Delete all of the tax service's data (the sandbox reset, run by a worker)."""
    with unit_of_work(resources.engine()) as uow:
        return service.reset(session=uow.session)
