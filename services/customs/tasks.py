"""Customs' rq jobs (queue "customs"): process dispatched messages, resend the outbox."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from redis import Redis
from sqlalchemy.engine import Engine

from infra.clock import SimClock
from infra.db import UnitOfWork, unit_of_work
from infra.queue import unstash
from services.customs import outbox, risk, service
from services.customs.config import Settings
from services.customs.db import resources
from services.customs.models import ProcessedMessage

log = logging.getLogger(__name__)
QUEUE = "customs"


def process_messages(batch: list[dict[str, Any]] | str) -> list[str]:
    """Process dispatched messages once each (idempotent by guid+sender); what happened.

    ``batch`` is the list of messages, or the key they are stashed under beside the job
    (``infra.queue.stash``, what the gateway's dispatcher sends). The batch is processed
    in one unit of work; when a message fails, that work is rolled back and the batch is
    processed again one unit of work per message, so one failing message does not stop
    the others. The job then fails so rq retries it (the done ones are skipped).
    """
    engine, redis = resources.engine(), resources.redis()
    if isinstance(batch, str):
        items = unstash(redis, batch)
        if items is None:  # expired: the gateway's outbox sweep dispatches them again
            log.warning("batch %s is no longer stashed", batch)
            return []
        batch = items
    now = SimClock(redis).now()  # one reading of the clock for the batch
    handed: list[ProcessedMessage] = []
    try:
        with unit_of_work(engine) as uow:
            outcomes = [_process(uow, item, now, handed) for item in batch]
    except Exception:
        if len(batch) == 1:
            raise
        log.warning("batch of %d failed as a whole: one unit of work per message",
                    len(batch), exc_info=True)
        outcomes = _one_by_one(engine, batch, now, handed)
    finally:
        _hand_over(engine, redis, handed)
    if any(o.startswith("failed: ") for o in outcomes):
        raise BatchFailed(outcomes)
    return outcomes


class BatchFailed(Exception):
    """Some messages of a batch failed (the others were processed): rq retries the job."""


def _process(uow: UnitOfWork, item: dict[str, Any], now: datetime,
             handed: list[ProcessedMessage]) -> str:
    return service.process_message(uow=uow, redis=resources.redis(),
                                   settings=resources.config(), item=item, now=now,
                                   handed=handed)


def _one_by_one(engine: Engine, batch: list[dict[str, Any]], now: datetime,
                handed: list[ProcessedMessage]) -> list[str]:
    outcomes = []
    for item in batch:
        try:
            with unit_of_work(engine) as uow:
                outcomes.append(_process(uow, item, now, handed))
        except Exception as exc:
            log.exception("processing message %s failed", item.get("message_id"))
            outcomes.append(f"failed: {exc.__class__.__name__}")
    return outcomes


def _hand_over(engine: Engine, redis: Redis, handed: list[ProcessedMessage]) -> None:
    """The receipts of the processed messages go to the gateway in one job."""
    if handed:
        outbox.send(engine, redis, processed_ids=[p.id for p in handed if p.id is not None],
                    message_ids=[p.message_id for p in handed])


def process_batch(key: str) -> list[str]:
    """The gateway's dispatch job: process the batch stashed beside it under ``key``."""
    return process_messages(key)


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
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        return risk.apply(uow=uow, redis=redis, settings=resources.config(), result=result)
