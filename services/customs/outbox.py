"""The receipt outbox: receipts are written with the state change, handed to the gateway after.

``emit`` adds a row in the unit of work that changes the document; ``send_after_commit``
enqueues ``gateway.tasks.ingest`` once that unit has committed, then marks the rows sent;
``resend`` enqueues again what stayed unsent (the gateway dedupes by receipt_id). The
domain-free part (the ingest format, hand-over, resend) is ``infra.outbox``.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from contracts.ceb import to_json
from infra import outbox as infra_outbox
from infra.db import UnitOfWork, unit_of_work
from services.customs import receipts
from services.customs.models import Document, ProcessedMessage, ReceiptOutbox

GATEWAY_QUEUE = infra_outbox.GATEWAY_QUEUE
INGEST = infra_outbox.INGEST
RESEND_AFTER_SECONDS = infra_outbox.RESEND_AFTER_SECONDS


def emit(session: Session, *, doc: Document, status: str, info: str, at: datetime,
         processed_message_id: int | None) -> ReceiptOutbox:
    """Write the receipt about ``doc`` (to its sender) into the outbox."""
    assert processed_message_id is not None
    message = receipts.build(doc, status, info, at)
    row = ReceiptOutbox(
        receipt_id=uuid.uuid4().hex, processed_message_id=processed_message_id,
        message_id=doc.message_id, recipient=doc.sender, conversation_id=doc.conversation_id,
        message_type=message.message_type, record_guid=doc.guid, return_status=status,
        payload=to_json(message), created_at=at, stored_at=time.time())
    session.add(row)
    return row


def as_ingest(row: ReceiptOutbox) -> dict[str, Any]:
    """One receipt as ``gateway.tasks.ingest`` takes it."""
    return infra_outbox.as_ingest(row)


def send_after_commit(uow: UnitOfWork, redis: Redis, *, processed: ProcessedMessage) -> None:
    """Once ``uow`` commits: hand the message's unsent receipts to the gateway."""
    engine = uow.session.get_bind()
    assert isinstance(engine, Engine) and processed.id is not None
    processed_id, message_id = processed.id, processed.message_id

    def hand_over() -> None:
        send(engine, redis, processed_ids=[processed_id], message_ids=[message_id])

    uow.after_commit(hand_over)


def send(engine: Engine, redis: Redis, *, processed_ids: list[int],
         message_ids: list[str]) -> int:
    """Enqueue the unsent receipts of these processed messages, then mark them sent."""
    with unit_of_work(engine) as uow:
        rows = uow.session.exec(select(ReceiptOutbox).where(
            col(ReceiptOutbox.processed_message_id).in_(processed_ids),
            col(ReceiptOutbox.sent_at).is_(None)).order_by(col(ReceiptOutbox.id))).all()
        _hand_over(uow.session, redis, message_ids, list(rows))
    return len(rows)


def resend(engine: Engine, redis: Redis, *, older_than: float = RESEND_AFTER_SECONDS) -> int:
    """Enqueue again every receipt still unsent ``older_than`` seconds after it was written."""
    with unit_of_work(engine) as uow:
        rows = infra_outbox.unsent(uow.session, ReceiptOutbox, older_than=older_than)
        if not rows:
            return 0
        ids = {r.processed_message_id for r in rows}
        message_ids = list(uow.session.exec(select(ProcessedMessage.message_id).where(
            col(ProcessedMessage.id).in_(ids))).all())
        _hand_over(uow.session, redis, message_ids, rows)
    return len(rows)


def _hand_over(session: Session, redis: Redis, message_ids: list[str],
               rows: list[ReceiptOutbox]) -> None:
    infra_outbox.hand_over_receipts(session, redis, ReceiptOutbox, rows, message_ids)
