"""The receipt outbox: receipts are written with the state change, handed to the gateway after.

``emit`` adds a row in the unit of work that changes the document; ``send_after_commit``
hands them to the gateway's ingest (``infra.outbox.hand_over_receipts``) once that unit
has committed, then marks the rows sent;
``resend`` enqueues again what stayed unsent (the gateway dedupes by receipt_id). The
domain-free part (the ingest format, hand-over, resend) is ``infra.outbox``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from redis import Redis
from redis.client import Pipeline
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from contracts.ceb import CebMessage, to_json
from infra import outbox as infra_outbox
from infra.db import UnitOfWork, add_row, unit_of_work, written_rows
from infra.guids import new_token
from services.customs import receipts
from services.customs.models import Document, ProcessedMessage, ReceiptOutbox

GATEWAY_QUEUE = infra_outbox.GATEWAY_QUEUE
INGEST = infra_outbox.INGEST
RESEND_AFTER_SECONDS = infra_outbox.RESEND_AFTER_SECONDS
_WAITING = "customs.outbox.waiting"  # what a unit of work gathers: processed messages


def emit(session: Session, *, doc: Document, status: str, info: str, at: datetime,
         processed: ProcessedMessage) -> None:
    """Write the receipt about ``doc`` (to its sender) into the outbox."""
    message = receipts.build(doc, status, info, at)
    write(session, processed, message, recipient=doc.sender, message_id=doc.message_id,
          conversation_id=doc.conversation_id, record_guid=doc.guid, status=status, at=at)


def write(session: Session, processed: ProcessedMessage, message: CebMessage, *,
          recipient: str, message_id: str | None, conversation_id: str | None,
          record_guid: str, status: str, at: datetime) -> None:
    """Add a receipt to the outbox, written with the unit of work's commit (the rows of a
    unit of work go in together: ``infra.db.add_row``)."""
    row = {"receipt_id": new_token(), "message_id": message_id,
           "recipient": recipient, "conversation_id": conversation_id,
           "message_type": message.message_type, "record_guid": record_guid,
           "return_status": status, "payload": to_json(message), "created_at": at,
           "stored_at": time.time(), "sent_at": None}
    add_row(session, ReceiptOutbox, lambda: {**row, "processed_message_id": processed.id})


def as_ingest(row: ReceiptOutbox) -> dict[str, Any]:
    """One receipt as ``gateway.tasks.ingest`` takes it."""
    return infra_outbox.as_ingest(row)


def send_after_commit(uow: UnitOfWork, redis: Redis, *, processed: ProcessedMessage) -> None:
    """Once ``uow`` commits: hand the message's unsent receipts to the gateway (those of
    every message of the unit of work together, in one job; ``infra.outbox.
    hand_over_after_commit``)."""
    session = uow.session

    def hand_over(done: list[ProcessedMessage], marking: Session, pipe: Pipeline) -> None:
        written = written_rows(session, ReceiptOutbox)  # unsent: handed over as written
        fresh = {row["processed_message_id"] for row in written}
        send(marking, redis, message_ids=[p.message_id for p in done], written=written,
             processed_ids=[p.id for p in done if p.id is not None and p.id not in fresh],
             pipeline=pipe)

    infra_outbox.hand_over_after_commit(session, redis, _WAITING, hand_over).append(processed)


def send(session: Session, redis: Redis, *, processed_ids: list[int], message_ids: list[str],
         written: Sequence[dict[str, Any]] = (), pipeline: Pipeline | None = None) -> int:
    """Enqueue the unsent receipts of these processed messages and the ``written`` ones
    (the rows a commit just wrote, as written), then mark them sent in ``session``."""
    rows = session.exec(select(ReceiptOutbox).where(
        col(ReceiptOutbox.processed_message_id).in_(processed_ids),
        col(ReceiptOutbox.sent_at).is_(None)).order_by(col(ReceiptOutbox.id))).all() \
        if processed_ids else []
    if rows or message_ids or written:
        infra_outbox.hand_over_receipts(session, redis, ReceiptOutbox, list(rows),
                                        message_ids, written, pipeline=pipeline)
    return len(rows) + len(written)


def resend(engine: Engine, redis: Redis, *, older_than: float = RESEND_AFTER_SECONDS) -> int:
    """Enqueue again every receipt still unsent ``older_than`` seconds after it was written."""
    with unit_of_work(engine) as uow:
        rows = infra_outbox.unsent(uow.session, ReceiptOutbox, older_than=older_than)
        if not rows:
            return 0
        ids = {r.processed_message_id for r in rows}
        message_ids = list(uow.session.exec(select(ProcessedMessage.message_id).where(
            col(ProcessedMessage.id).in_(ids))).all())
        infra_outbox.hand_over_receipts(uow.session, redis, ReceiptOutbox, rows, message_ids)
    return len(rows)
