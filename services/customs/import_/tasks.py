"""Customs' import jobs (queue "customs"): tax's answers, return deadlines, the job outbox.

Referenced by dotted path: ``services.customs.import_.tasks.tax_assessed`` (tax answers on
it, ``contracts.tax``), ``...return_deadline`` (scheduled on the simulator clock),
``...resend_jobs`` (the sweep).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from infra.clock import SimClock
from infra.db import UnitOfWork, raise_if_failed, run_batch, unit_of_work
from services.customs import documents
from services.customs.db import resources
from services.customs.import_ import jobs, lists, reversals, service


def tax_assessed(answer: dict[str, Any]) -> str:
    """Tax issued (or held) a list's bill: record it, release the list if ready."""
    return tax_assessed_many([answer])[0]


def tax_assessed_many(answers: list[dict[str, Any]]) -> list[str]:
    """Tax's answers, as ``tax_assessed`` each, in one unit of work (item by item when
    one fails); their receipts go to the gateway together."""
    redis = resources.redis()
    settings, clock = resources.config(), SimClock(redis)
    with Session(resources.engine()) as session:
        done = service.answered(session, answers)
    invt_nos = [a["invtNo"] for a in answers if isinstance(a.get("invtNo"), str)]

    def handle(uow: UnitOfWork, answer: dict[str, Any]) -> str:
        # on PostgreSQL the lists' locks first, all together: what is read after them stays
        documents.lock_keys(uow.session, [lists.invt_lock(n) for n in invt_nos])
        service.prefetch_lists(uow.session, invt_nos)  # the batch's lists: one query
        return service.tax_assessed(  # the clock read once, under the lists' locks
            uow=uow, redis=redis, settings=settings, now=clock.now_of(uow.session),
            answer=answer, new=answer.get("answerId") not in done)

    return raise_if_failed(run_batch(resources.engine(), answers, handle))


def return_deadline(return_id: int) -> str:
    """A return whose goods did not come back by day 45 after release fails."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        reversals.lock_return(uow.session, return_id)  # the goods may be coming back
        return service.return_deadline(  # the clock read under the locks
            uow=uow, redis=redis, settings=resources.config(),
            now=SimClock(redis).now_of(uow.session), return_id=return_id)


def resend_jobs() -> int:
    """The sweep: send again the jobs for tax (and the scheduled ones) a crash left unsent;
    undo the holds of lists inspection refused."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        service.settle_refused(uow=uow, settings=resources.config(), now=SimClock(redis).now())
    return jobs.resend()
