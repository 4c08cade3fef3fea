"""Customs use cases: process a dispatched message once, show a declaration, reset the sandbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from redis import Redis
from sqlmodel import Session, col, or_, select

from contracts.ceb import CebFormatError, parse_json
from infra.clock import SimClock
from infra.db import UnitOfWork, delete_all_rows, new_object
from infra.errors import NotFound
from services.customs import domain, inventory, orders, outbox, risk, transport, unsupported
from services.customs.config import Settings
from services.customs.db import CustomsTable
from services.customs.documents import Work, head_of
from services.customs.import_ import service as import_service
from services.customs.models import Document, ProcessedMessage, TimelineEntry

log = logging.getLogger(__name__)

HANDLERS: dict[domain.Kind, Callable[..., None]] = {
    "order": orders.declare_order, "receipt": orders.declare_receipt,
    "waybill": orders.declare_waybill, "inventory": inventory.declare_inventory,
    "arrival": transport.declare_arrival, "departure": transport.declare_departure,
}


def process_message(*, uow: UnitOfWork, redis: Redis, settings: Settings,
                    item: dict[str, Any], now: datetime | None = None,
                    new: bool = False) -> str:
    """Process one dispatched message once (by root guid and sender); returns what happened.

    Its receipts go to the gateway after the commit, with those of the unit of work's
    other messages. ``new``: the caller looked (``processed``) and found it not processed yet (a
    concurrent delivery then fails on the unique index, and is retried).
    """
    session = uow.session
    done = None if new else session.exec(select(ProcessedMessage).where(
        ProcessedMessage.guid == item["guid"], ProcessedMessage.sender == item["sender"])).first()
    if done is not None:  # redelivered: only the receipts not sent yet go out again
        outbox.send_after_commit(uow, redis, processed=done)
        return "already processed"
    now = now or SimClock(redis).now()
    processed = new_object(
        ProcessedMessage, guid=item["guid"], sender=item["sender"], message_id=item["message_id"],
        message_type=item["message_type"], conversation_id=item.get("conversation_id"),
        outcome="processing", processed_at=now)
    processed.outcome = _process(Work(session=session, settings=settings, processed=processed,
                                      now=now), item)
    # written with its outcome (``infra.db.id_of`` writes it earlier where its id is
    # needed); a concurrent delivery of the same message fails on the unique index when it
    # is flushed, and is retried
    session.add(processed)
    outbox.send_after_commit(uow, redis, processed=processed)
    risk.send_after_commit(uow, redis)  # the questions to inspection, if any
    return processed.outcome


def processed(session: Session, items: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The (guid, sender) of the ``items`` already processed: one query for a batch."""
    guids = {item["guid"] for item in items}
    rows = session.exec(select(ProcessedMessage.guid, ProcessedMessage.sender).where(
        col(ProcessedMessage.guid).in_(guids))).all()
    return {(guid, sender) for guid, sender in rows}


def _process(work: Work, item: dict[str, Any]) -> str:
    payload = item["payload"]
    try:  # the JSON mirror, or its text
        message = parse_json(orjson.loads(payload) if isinstance(payload, str | bytes)
                             else payload)
    except (CebFormatError, orjson.JSONDecodeError) as exc:  # the gateway checked it
        log.warning("message %s is not a valid CEB document: %s", item["message_id"], exc)
        return f"format error: {exc}"[:200]
    if message.message_type in import_service.MESSAGE_TYPES:  # retail imports: import_/
        return import_service.process(work=work, message=message)
    kind = domain.MESSAGE_KIND.get(message.message_type)
    if kind is None:
        return unsupported.answer(work, message)
    records = message.records()
    for record in records:
        HANDLERS[kind](work=work, record=record.model_dump(mode="json", exclude_none=True))
    return f"{len(records)} {kind} record(s)"


# ------------------------------------------------------------------ the declaration view

SEARCHED = ("guid", "cop_no", "pre_no", "invt_no", "order_no", "logistics_no")


def owned_by(owner: str) -> Any:
    """Documents sent by ``owner``: the one scoping every read of enterprise data."""
    return select(Document).where(Document.sender == owner)


def find_declaration(*, session: Session, ref: str, owner: str) -> dict[str, Any]:
    """One of ``owner``'s documents by guid, copNo, preNo, invtNo, orderNo or logisticsNo."""
    columns = [getattr(Document, name) for name in SEARCHED]
    found = list(session.exec(owned_by(owner).where(or_(*(c == ref for c in columns)))).all())
    if not found:
        raise NotFound(f"no declaration {ref!r} of enterprise {owner!r}",
                       code="declaration_not_found")

    def rank(doc: Document) -> tuple[int, bool, int]:
        field = next(i for i, name in enumerate(SEARCHED) if getattr(doc, name) == ref)
        return field, doc.deleted, -(doc.id or 0)

    return _view(session, min(found, key=rank))


def _view(session: Session, doc: Document) -> dict[str, Any]:
    if doc.kind in import_service.KINDS:  # retail imports: import_/
        return import_service.view(session, doc)
    kind: domain.Kind = doc.kind  # type: ignore[assignment]
    head = head_of(kind, doc.record)
    timeline = session.exec(select(TimelineEntry).where(TimelineEntry.document_id == doc.id)
                            .order_by(col(TimelineEntry.id))).all()
    return {
        "kind": kind, "guid": doc.guid,
        "keys": {name: head[name] for name in domain.KEY_FIELDS[kind] if head.get(name)},
        "status": doc.status, "statusName": domain.status_name(doc.status),
        "preNo": doc.pre_no, "invtNo": doc.invt_no, "deleted": doc.deleted,
        "timeline": [{"at": _iso(t.at), "status": t.status, "actor": t.actor, "info": t.info}
                     for t in timeline],
        "mismatches": list(doc.mismatches),
        "inspection": risk.view(session, doc),
    }


def _iso(at: datetime) -> str:
    return at.isoformat()


def reset(*, session: Session) -> dict[str, int]:
    """Delete every customs document, receipt, number series and processed message."""
    return delete_all_rows(session, CustomsTable.metadata)
