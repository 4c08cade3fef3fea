"""Receipts: ingest what the agencies emit, keep them per enterprise, render them."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from contracts.ceb import parse_json, to_xml
from gateway.enterprises import recipients
from gateway.models import Enterprise, MessageState, Receipt, WebhookDelivery

STATE = MessageState.__table__  # type: ignore[attr-defined]


def ingest(*, session: Session, processed_message_ids: list[str],
           receipts: list[dict[str, Any]]) -> list[int]:
    """Store receipts (once each, by receipt_id) and mark messages processed.

    Returns the ids of the webhook deliveries to make.
    """
    if processed_message_ids:  # Core, not the ORM's bulk update: the hot path of receipts
        session.connection().execute(
            update(STATE).where(STATE.c.message_id.in_(processed_message_ids))
            .where(STATE.c.processed_at.is_(None)).values(processed_at=time.time()))
    if not receipts:
        return []
    owners = recipients(session=session, codes={r["recipient"] for r in receipts})
    rows = [{
        "receipt_id": r["receipt_id"], "enterprise_id": owners[r["recipient"]][0],
        "message_id": r.get("message_id"), "conversation_id": r.get("conversation_id"),
        "message_type": r["message_type"], "record_guid": r["record_guid"],
        "return_status": str(r["return_status"]), "payload": orjson.dumps(r["payload"]).decode(),
        "created_at": datetime.fromisoformat(r["created_at"]),
    } for r in receipts if r["recipient"] in owners]
    if not rows:
        return []
    table = Receipt.__table__  # type: ignore[attr-defined]
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    if on_postgresql:  # one writer at a time, to the commit (see ``_IN_TURN``)
        session.connection().execute(_IN_TURN)
    dialect = postgresql if on_postgresql else sqlite
    session.connection().execute(dialect.insert(table).on_conflict_do_nothing(), rows)
    called = [r["receipt_id"] for r in receipts if owners.get(r["recipient"], (0, False))[1]]
    return _webhook_deliveries(session, called) if called else []


# A reader's cursor is the last receipt id it saw. On PostgreSQL ids come from a sequence
# when a row is written, not when it commits: two workers ingesting at once could commit
# out of order, and a reader that saw the later id would pass the earlier receipt for
# good. Receipts are therefore written one unit of work at a time, the lock held to its
# commit: ids commit in their order. (SQLite writes one transaction at a time anyway.)
_IN_TURN = text("SELECT pg_advisory_xact_lock(hashtext('gateway.receipts'))")


def _webhook_deliveries(session: Session, receipt_ids: list[str]) -> list[int]:
    new = session.exec(
        select(Receipt.id, Receipt.enterprise_id)
        .join(Enterprise, col(Enterprise.id) == col(Receipt.enterprise_id))
        .where(col(Receipt.receipt_id).in_(receipt_ids))
        .where(col(Enterprise.callback_url).is_not(None))
        .where(~select(WebhookDelivery.id).where(
            col(WebhookDelivery.receipt_pk) == col(Receipt.id)).exists())
        .order_by(col(Receipt.id))
    ).all()
    deliveries = []
    for receipt_pk, enterprise_id in new:
        assert receipt_pk is not None
        delivery = WebhookDelivery(receipt_pk=receipt_pk, enterprise_id=enterprise_id)
        session.add(delivery)
        deliveries.append(delivery)
    session.flush()
    return [d.id for d in deliveries if d.id is not None]


def for_enterprise(*, session: Session, enterprise_id: int, after: int,
                   limit: int) -> list[Receipt]:
    """The enterprise's receipts after the cursor, in order (tenant-scoped)."""
    return list(session.exec(
        select(Receipt).where(Receipt.enterprise_id == enterprise_id)
        .where(col(Receipt.id) > after).order_by(col(Receipt.id)).limit(limit)).all())


def as_json(receipt: Receipt) -> dict[str, Any]:
    """The receipt as the JSON pull and webhooks give it, for ``orjson.dumps``: the message
    goes in as it is stored (``orjson.Fragment``), not parsed and written again."""
    return {
        "cursor": str(receipt.id),
        "messageType": receipt.message_type,
        "recordGuid": receipt.record_guid,
        "returnStatus": receipt.return_status,
        "conversationId": receipt.conversation_id,
        "messageId": receipt.message_id,
        "createdAt": receipt.created_at.isoformat(),
        "message": orjson.Fragment(receipt.payload),
    }


def as_xml(receipt: Receipt) -> bytes:
    """The receipt as the real CEB XML message."""
    return to_xml(parse_json(orjson.loads(receipt.payload)))


def batch_xml(receipts: list[Receipt], next_cursor: str) -> bytes:
    """Several receipts in one XML answer: each a whole CEB message in a <Receipt>."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<Receipts next="{next_cursor}">']
    for r in receipts:
        body = as_xml(r).split(b"?>", 1)[1].decode()
        parts.append(f'<Receipt cursor="{r.id}" conversationId="{r.conversation_id or ""}">'
                     f"{body}</Receipt>")
    parts.append("</Receipts>")
    return "".join(parts).encode()
