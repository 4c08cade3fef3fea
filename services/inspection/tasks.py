"""Inspection's rq jobs (queue ``inspection``), referenced by dotted path."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from contracts.inspection import InspectionRequest
from infra.clock import SimClock
from infra.db import UnitOfWork, raise_if_failed, run_batch, unit_of_work
from services.inspection import models, service  # noqa: F401  (models: registers the tables)
from services.inspection.db import resources

QUEUE = "inspection"


def assess(request: dict[str, Any]) -> str:
    """Customs asks about a list (``contracts.inspection.InspectionRequest``): decide, answer.

    Idempotent by the list's identity: asked again, it answers with the decision made.
    """
    return assess_many([request])[0]


def assess_many(requests: list[dict[str, Any]]) -> list[str]:
    """Customs' questions of one batch, as ``assess`` each, in one unit of work (item by
    item when one fails); the answers go back together."""
    redis = resources.redis()
    settings, clock = resources.config(), SimClock(redis)
    asked = [_validated(request) for request in requests]
    valid = [req for req in asked if isinstance(req, InspectionRequest)]

    def handle(uow: UnitOfWork, request: InspectionRequest | dict[str, Any]) -> str:
        # what the batch asks about: one query for its lists, one for their entries
        service.prefetch_decisions(uow.session, "list", [req.identity for req in valid])
        service.prefetch_first_line(uow.session, valid)
        row = service.assess(uow=uow, redis=redis, settings=settings, request=request,
                             now=clock.now_of(uow.session))  # read once it holds the data
        return f"{row.identity}: {row.lane} {row.state} {row.outcome or ''}".strip()

    return raise_if_failed(run_batch(resources.engine(), asked, handle))


def _validated(request: dict[str, Any]) -> InspectionRequest | dict[str, Any]:
    """The question, or as it came when it is not valid (it then fails in its turn)."""
    try:
        return InspectionRequest.model_validate(request)
    except ValidationError:
        return request


def auto_resolve(decision_id: int, seq: int) -> str:
    """The automatic officer, due on the simulator clock; a no-op once someone decided."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        return service.auto_resolve(uow=uow, redis=redis, settings=resources.config(),
                                    decision_id=decision_id, seq=seq,
                                    now=SimClock(redis).now_of(uow.session))


def reset() -> dict[str, int]:
    """Delete all of inspection's data (the sandbox reset, run by a worker)."""
    with unit_of_work(resources.engine()) as uow:
        return service.reset(session=uow.session)
