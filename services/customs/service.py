"""Customs use cases: process a dispatched message once, show a declaration, reset the sandbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from redis import Redis
from sqlmodel import Session, col, or_, select

from contracts.ceb import CebFormatError, parse_json
from infra.caches import unit_cache
from infra.clock import SimClock
from infra.db import UnitOfWork, delete_all_rows, new_object
from infra.errors import NotFound
from services.customs import (
    documents,
    domain,
    inventory,
    orders,
    outbox,
    prefetch,
    risk,
    transport,
    unsupported,
)
from services.customs.config import Settings
from services.customs.db import CustomsTable
from services.customs.documents import Work, head_of
from services.customs.import_ import domain as imp
from services.customs.import_ import lists as import_lists
from services.customs.import_ import records as import_records
from services.customs.import_ import reversals, trade
from services.customs.import_ import service as import_service
from services.customs.models import Document, ProcessedMessage, TimelineEntry
from services.customs.prefetch import Waiting

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


def decoded(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its payload as the JSON mirror, decoded once for the batch (left as
    it is when it is not JSON: ``_process`` answers it)."""
    payload = item["payload"]
    if isinstance(payload, str | bytes):
        try:
            return {**item, "payload": orjson.loads(payload)}
        except orjson.JSONDecodeError:
            pass
    return item


# Besides its own key, the documents a record of these kinds is matched against (by the
# head fields of their key): what ``inventory.match`` and ``import_.lists`` look up.
_REFERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "inventory": (("order", "ebpCode", "orderNo"), ("receipt", "ebcCode", "orderNo"),
                  ("waybill", "logisticsCode", "logisticsNo")),
    imp.LIST: ((imp.ORDER, "ebpCode", "orderNo"), (imp.WAYBILL, "logisticsCode", "logisticsNo")),
}
# The lists a record of these kinds may complete (``match_waiting``), by its head fields.
_COMPLETES: dict[str, tuple[Waiting, str, str]] = {
    "order": (inventory.WAITING["order"], "ebpCode", "orderNo"),
    "receipt": (inventory.WAITING["receipt"], "ebcCode", "orderNo"),
    "waybill": (inventory.WAITING["waybill"], "logisticsCode", "logisticsNo"),
    imp.ORDER: (import_lists.BY_ORDER, "ebpCode", "orderNo"),
    imp.PAYMENT: (import_lists.BY_ORDER, "ebpCode", "orderNo"),
    imp.WAYBILL: (import_lists.BY_WAYBILL, "logisticsCode", "logisticsNo"),
}


# Besides its documents' keys, the keys a record of these kinds locks: the functions its
# handler locks by (``documents.lock``), so that the batch takes what the handler will.
_LOCKS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "inventory": inventory.locks, "arrival": transport.parcel_locks,
    "departure": transport.parcel_locks,
    imp.ORDER: trade.order_locks, imp.PAYMENT: trade.payment_locks,
    imp.WAYBILL: trade.waybill_locks, imp.LIST: import_lists.list_locks,
    imp.CANCEL: reversals.cancel_locks, imp.RETURN: reversals.return_locks,
    imp.DELIVERY: reversals.delivery_locks,
}


@dataclass
class Lookups:
    """What the messages of a batch will look up: documents by key (kind, party, no), the
    lists waiting for them and the payments of import lists (``prefetch.documents``,
    ``prefetch.waiting_lists``, ``import_.lists.prefetch_payments``); and the keys they
    lock, which guard all of it (each document's own key, and ``_LOCKS``)."""

    live: set[tuple[str, str, str]] = field(default_factory=set)
    waiting: dict[Waiting, set[tuple[str, str]]] = field(default_factory=dict)
    payments: set[tuple[str, str]] = field(default_factory=set)  # import lists' orders
    locks: set[str] = field(default_factory=set)

    def prefetch(self, session: Session) -> None:
        """Once per unit of work (again after a rollback emptied its caches): on
        PostgreSQL the batch's locks first (``documents.lock_ahead``), then the lookups."""
        done = unit_cache(session, _PREFETCHED)
        if id(self) not in done:
            documents.lock_ahead(session, self.locks | {
                f"{kind}:{party}:{no}" for kind, party, no in self.live})
            prefetch.documents(session, self.live)
            prefetch.waiting_lists(session, self.waiting)
            import_lists.prefetch_payments(session, self.payments)
            done[id(self)] = self


_PREFETCHED = "customs.prefetched"  # unit cache: the Lookups this unit of work made


def lookups(items: list[dict[str, Any]]) -> Lookups:
    """What the ``items`` (decoded) will look up; a message that is not what it should be
    adds nothing (it is answered on its own)."""
    found = Lookups()
    for item in items:
        mirror = item["payload"]
        try:
            kind, node, key_of = _keying(mirror["messageType"])
            for name, records in mirror.items():
                if name in ("messageType", "guid", "version") or not isinstance(records, list):
                    continue
                for record in records:
                    head = record[node] if node else record
                    found.live.add((kind, *key_of(kind, head)))
                    found.locks.update(_LOCKS[kind](record) if kind in _LOCKS else ())
                    found.live.update((other, str(head[party]), str(head[no]))
                                      for other, party, no in _REFERS.get(kind, ()))
                    if kind == imp.LIST:  # its payment: by its order (``accepted_payment``)
                        found.payments.add((str(head["ebpCode"]), str(head["orderNo"])))
                    if kind in _COMPLETES:
                        lists, party, no = _COMPLETES[kind]
                        found.waiting.setdefault(lists, set()).add(
                            (str(head[party]), str(head[no])))
        except (KeyError, TypeError, AttributeError, ValueError):
            continue
    return found


def _keying(message_type: str) -> tuple[str, str | None, Callable[[Any, Any], tuple[str, str]]]:
    """A message type's kind, head node and business key."""
    export = domain.MESSAGE_KIND.get(message_type)
    if export is not None:
        return export, domain.HEAD_NODE[export], domain.business_key
    kind = imp.MESSAGE_KIND[message_type]
    return kind, imp.HEAD_NODE[kind], import_records.business_key


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
