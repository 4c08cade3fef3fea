"""Payments' rq jobs (queue ``payments``), referenced by dotted path."""

from __future__ import annotations

from infra.db import unit_of_work
from services.payments import models, service  # noqa: F401  (models: registers the tables)
from services.payments.db import resources

QUEUE = "payments"


def reset() -> dict[str, int]:
    """Delete all of payments' data (the sandbox reset, run by a worker)."""
    with unit_of_work(resources.engine()) as uow:
        return service.reset(session=uow.session)
