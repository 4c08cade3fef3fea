"""What tax sends, written with the state change and handed over after the commit.

``emit`` writes a CEB816/818 for the gateway's ``gateway.tasks.ingest``; ``request`` a job
for customs (or one due on the simulator clock). Both go out once the session commits;
``resend`` (the sweep) sends what a crash left behind (``infra.outbox``).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from redis.client import Pipeline
from sqlmodel import Session

from contracts import tax as contract
from contracts.ceb import to_json
from contracts.ceb.base import ReceiptMessage
from infra import outbox
from infra.db import add_row, written_rows
from infra.guids import new_token
from services.tax.db import resources
from services.tax.models import TaxJobOutbox, TaxReceiptOutbox


def emit(session: Session, *, message: ReceiptMessage, recipient: str, record_guid: str,
         status: str, at: datetime, conversation_id: str | None,
         message_id: str | None) -> None:
    """A tax message to ``recipient`` (through the gateway), sent after the commit."""
    row = {"receipt_id": new_token(), "message_id": message_id, "recipient": recipient,
           "conversation_id": conversation_id, "message_type": message.message_type,
           "record_guid": record_guid, "return_status": status, "payload": to_json(message),
           "created_at": at, "stored_at": time.time(), "sent_at": None}
    outbox.hand_over_after_commit(  # with the commit's jobs: one round trip
        session, resources.redis(), "tax.receipts",
        lambda _items, marking, pipe: _send(session, marking, pipe))
    add_row(session, TaxReceiptOutbox, lambda: row)


def request(session: Session, queue: str, func: str, *args: Any,
            due_at: datetime | None = None, key: str | None = None) -> None:
    """``func(*args)`` on ``queue`` after the commit (at ``due_at`` on the simulator clock)."""
    outbox.write_job(session, resources.redis(), TaxJobOutbox, queue, func, *args,
                     due_at=due_at, key=key, many=contract.MANY)


def _send(session: Session, marking: Session, pipe: Pipeline) -> None:
    """Hand over the messages the commit just wrote, as written (not read back)."""
    receipts = written_rows(session, TaxReceiptOutbox)
    if receipts:
        outbox.hand_over_receipts(marking, resources.redis(), TaxReceiptOutbox, [], [],
                                  written=receipts, pipeline=pipe)


def resend() -> int:
    """Send again the messages and jobs still unsent 10 s after they were written."""
    engine, redis = resources.engine(), resources.redis()
    return (outbox.resend_receipts(engine, redis, TaxReceiptOutbox)
            + outbox.resend_jobs(engine, redis, TaxJobOutbox, many=contract.MANY))
