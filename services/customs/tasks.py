"""Customs' rq jobs (queue "customs"): process dispatched messages, resend the outbox."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from infra.clock import SimClock
from infra.db import UnitOfWork, raise_if_failed, run_batch
from infra.queue import unstash
from services.customs import answers, outbox, risk, service
from services.customs.config import Settings
from services.customs.db import resources

log = logging.getLogger(__name__)
QUEUE = "customs"


def process_messages(batch: list[dict[str, Any]] | str) -> list[str]:
    """Process dispatched messages once each (idempotent by guid+sender); what happened.

    ``batch`` is the list of messages, or the key they are stashed under beside the job
    (``infra.queue.stash``, what the gateway's dispatcher sends). The batch is processed
    in one unit of work (``infra.db.run_batch``: message by message when one fails, so
    one failing message does not stop the others; the job then fails so rq retries it,
    and the done ones are skipped). Its receipts go to the gateway in one job.
    """
    engine, redis = resources.engine(), resources.redis()
    if isinstance(batch, str):
        items = unstash(redis, batch)
        if items is None:  # expired: the gateway's outbox sweep dispatches them again
            log.warning("batch %s is no longer stashed", batch)
            return []
        batch = items
    settings: Settings = resources.config()
    clock = SimClock(redis)
    with Session(engine) as session:
        done = service.processed(session, batch)
    batch = [service.decoded(item) for item in batch]
    lookups = service.lookups(batch)

    def handle(uow: UnitOfWork, item: dict[str, Any]) -> str:
        lookups.prefetch(uow.session)  # the batch's documents and waiting lists: a query each
        return service.process_message(  # the clock read once, under the batch's locks
            uow=uow, redis=redis, settings=settings, item=item, now=clock.now_of(uow.session),
            new=(item["guid"], item["sender"]) not in done)

    return raise_if_failed(run_batch(engine, batch, handle, log=log))


def process_batch(key: str) -> list[str]:
    """The gateway's dispatch job: process the batch stashed beside it under ``key``. The
    stash goes once the batch is done; a job that failed keeps it for rq's retry."""
    outcomes = process_messages(key)
    resources.redis().delete(key)
    return outcomes


def resend_outbox() -> int:
    """Hand the gateway again every receipt still unsent 10 s after it was written; ask
    inspection again about lists without a final answer (``risk.resend``).

    Returns the number of receipts handed over again.
    """
    engine, redis = resources.engine(), resources.redis()
    settings: Settings = resources.config()
    risk.resend(engine, redis, older_than=settings.inspection_reask_seconds)
    return outbox.resend(engine, redis)


def apply_inspection(result: dict[str, Any]) -> str:
    """Inspection's answer about a list (``contracts.inspection.InspectionResult``): record
    it, emit 500/501-503/599/700, release when cleared. Idempotent by token and seq."""
    return apply_inspections([result])[0]


def apply_inspections(results: list[dict[str, Any]]) -> list[str]:
    """Inspection's answers, as ``apply_inspection`` each, in one unit of work (like a
    batch of messages); their receipts go to the gateway in one job."""
    engine, redis = resources.engine(), resources.redis()
    settings: Settings = resources.config()
    clock = SimClock(redis)
    with Session(engine) as session:
        done = answers.applied(session, results)

    tokens = [r["token"] for r in results if isinstance(r.get("token"), str)]

    def handle(uow: UnitOfWork, result: dict[str, Any]) -> str:
        answers.prefetch_checks(uow.session, tokens)  # the batch's checks: one query
        answers.lock_ahead(uow.session, tokens)
        answers.prefetch_lists(uow.session)
        return answers.apply(uow=uow, redis=redis, settings=settings, result=result,
                             now=clock.now_of(uow.session),
                             new=answers.answer_guid(result) not in done)

    return raise_if_failed(run_batch(engine, results, handle, log=log))
