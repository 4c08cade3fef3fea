"""What tax sends, written with the state change and handed over after the commit.

``emit`` writes a CEB816/818 for the gateway's ``gateway.tasks.ingest``; ``request`` a job
for customs (or one due on the simulator clock). Both go out once the session commits;
``resend`` (the sweep) sends what a crash left behind (``infra.outbox``).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from contracts import tax as contract
from contracts.ceb import to_json
from contracts.ceb.base import ReceiptMessage
from infra import outbox
from infra.db import unit_of_work
from services.tax.db import resources
from services.tax.models import TaxJobOutbox, TaxReceiptOutbox

_PENDING = "tax.outbox.pending"


def emit(session: Session, *, message: ReceiptMessage, recipient: str, record_guid: str,
         status: str, at: datetime, conversation_id: str | None,
         message_id: str | None) -> None:
    """A tax message to ``recipient`` (through the gateway), sent after the commit."""
    row = TaxReceiptOutbox(
        receipt_id=uuid.uuid4().hex, message_id=message_id, recipient=recipient,
        conversation_id=conversation_id, message_type=message.message_type,
        record_guid=record_guid, return_status=status, payload=to_json(message),
        created_at=at, stored_at=time.time())
    session.add(row)
    session.flush()
    _pending(session)["receipts"].append(row.id)


def request(session: Session, queue: str, func: str, *args: Any,
            due_at: datetime | None = None, key: str | None = None) -> None:
    """``func(*args)`` on ``queue`` after the commit (at ``due_at`` on the simulator clock)."""
    row = TaxJobOutbox(queue=queue, func=func, args=list(args), due_at=due_at, key=key,
                       stored_at=time.time())
    session.add(row)
    session.flush()
    _pending(session)["jobs"].append(row.id)


def _pending(session: Session) -> dict[str, list[int]]:
    pending: dict[str, list[int]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {"receipts": [], "jobs": []}
        outbox.on_commit(session, lambda: _send(session.info.pop(_PENDING, None)))
    return pending


def _send(pending: dict[str, list[int]] | None) -> None:
    if not pending:
        return
    engine, redis = resources.engine(), resources.redis()
    if pending["receipts"]:
        with unit_of_work(engine) as uow:
            rows = [r for r in (uow.session.get(TaxReceiptOutbox, i)
                                for i in pending["receipts"]) if r and r.sent_at is None]
            if rows:
                outbox.hand_over_receipts(uow.session, redis, TaxReceiptOutbox, rows, [])
    if pending["jobs"]:
        outbox.send_jobs(engine, redis, TaxJobOutbox, pending["jobs"], contract.MANY)


def resend() -> int:
    """Send again the messages and jobs still unsent 10 s after they were written."""
    engine, redis = resources.engine(), resources.redis()
    return (outbox.resend_receipts(engine, redis, TaxReceiptOutbox)
            + outbox.resend_jobs(engine, redis, TaxJobOutbox, many=contract.MANY))
