"""Customs' import jobs (queue "customs"): tax's answers, return deadlines, the job outbox.

Referenced by dotted path: ``services.customs.import_.tasks.tax_assessed`` (tax answers on
it, ``contracts.tax``), ``...return_deadline`` (scheduled on the simulator clock),
``...resend_jobs`` (the sweep).
"""

from __future__ import annotations

from typing import Any

from infra.clock import SimClock
from infra.db import unit_of_work
from services.customs.db import resources
from services.customs.import_ import jobs, service


def tax_assessed(answer: dict[str, Any]) -> str:
    """Tax issued (or held) a list's bill: record it, release the list if ready."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        return service.tax_assessed(uow=uow, redis=redis, settings=resources.config(),
                                    now=SimClock(redis).now(), answer=answer)


def return_deadline(return_id: int) -> str:
    """A return whose goods did not come back by day 45 after release fails."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        return service.return_deadline(uow=uow, redis=redis, settings=resources.config(),
                                       now=SimClock(redis).now(), return_id=return_id)


def resend_jobs() -> int:
    """The sweep: send again the jobs for tax (and the scheduled ones) a crash left unsent;
    undo the holds of lists inspection refused."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        service.settle_refused(uow=uow, settings=resources.config(), now=SimClock(redis).now())
    return jobs.resend()
