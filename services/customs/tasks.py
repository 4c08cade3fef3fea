"""Customs' rq jobs (queue "customs"): process dispatched messages, resend the outbox."""

from __future__ import annotations

import logging
from typing import Any

from infra.clock import SimClock
from infra.db import unit_of_work
from infra.queue import unstash
from services.customs import outbox, risk, service
from services.customs.config import Settings
from services.customs.db import resources
from services.customs.models import ProcessedMessage

log = logging.getLogger(__name__)
QUEUE = "customs"


def process_messages(batch: list[dict[str, Any]] | str) -> list[str]:
    """Process each dispatched message in its own unit of work; idempotent by guid+sender.

    ``batch`` is the list of messages, or the key they are stashed under beside the job
    (``infra.queue.stash``, what the gateway's dispatcher sends). One failing message does
    not stop the others; the job then fails so rq retries it (the done ones are skipped).
    """
    engine, redis = resources.engine(), resources.redis()
    settings: Settings = resources.settings
    if isinstance(batch, str):
        items = unstash(redis, batch)
        if items is None:  # expired: the gateway's outbox sweep dispatches them again
            log.warning("batch %s is no longer stashed", batch)
            return []
        batch = items
    outcomes: list[str] = []
    failed: Exception | None = None
    handed: list[ProcessedMessage] = []
    now = SimClock(redis).now()  # one reading of the clock for the batch
    for item in batch:
        try:
            with unit_of_work(engine) as uow:
                outcomes.append(service.process_message(uow=uow, redis=redis,
                                                        settings=settings, item=item, now=now,
                                                        handed=handed))
        except Exception as exc:  # retried as a whole by rq
            log.exception("processing message %s failed", item.get("message_id"))
            outcomes.append(f"failed: {exc.__class__.__name__}")
            failed = failed or exc
    if handed:  # the batch's receipts go to the gateway in one job
        outbox.send(engine, redis, processed_ids=[p.id for p in handed if p.id is not None],
                    message_ids=[p.message_id for p in handed])
    if failed is not None:
        raise failed
    return outcomes


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
