"""Customs' use cases of retail imports (9610 direct purchase, 1210 bonded).

``process`` handles one dispatched import message (customs' ``service._process`` hands
them here); ``tax_assessed`` and ``return_deadline`` are the jobs' use cases; the account
book and a buyer's yearly usage have their own; ``view`` is the declaration view of an
import document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from redis import Redis
from sqlmodel import Session, col, select

from contracts.ceb import CebMessage
from contracts.tax import TaxAnswer
from infra.caches import unit_lookup
from infra.db import UnitOfWork, new_object
from services.customs import documents, outbox, risk
from services.customs.config import Settings
from services.customs.documents import Work
from services.customs.domain import REFUSED_BY_INSPECTION, ceb_day, fmt, status_name
from services.customs.import_ import (
    book,
    holds,
    lists,
    plug,
    quota,
    records,
    reversals,
    trade,
)
from services.customs.import_ import domain as imp
from services.customs.import_.models import ImportClearance, unscaled
from services.customs.models import Document, ProcessedMessage, TimelineEntry

MESSAGE_TYPES = frozenset(imp.MESSAGE_KIND)
KINDS = frozenset(imp.KINDS)

HANDLERS: dict[str, Callable[..., None]] = {
    imp.ORDER: trade.declare_order, imp.PAYMENT: trade.declare_payment,
    imp.WAYBILL: trade.declare_waybill, imp.LIST: lists.declare_list,
    imp.CANCEL: reversals.declare_cancel, imp.RETURN: reversals.declare_return,
    imp.DELIVERY: reversals.declare_delivery, imp.SIGNED: trade.declare_signed,
}

plug.register()


def process(*, work: Work, message: CebMessage) -> str:
    """Every record of one import message, in order; returns what happened."""
    kind = imp.MESSAGE_KIND[message.message_type]
    records_ = message.records()
    for record in records_:
        HANDLERS[kind](work=work, record=record.model_dump(mode="json", exclude_none=True))
    return f"{len(records_)} {kind} record(s)"


# ------------------------------------------------------------------ jobs


def _job_work(uow: UnitOfWork, *, settings: Settings, now: datetime, guid: str, sender: str,
              message_type: str, conversation_id: str | None = None,
              new: bool = False) -> Work | None:
    """A ``Work`` for a job, processed once by ``guid`` (None if it already was).

    ``new``: the caller looked (``answered``) and found it not processed yet. Its processed
    message is written with its outcome (``_after``); a concurrent run of the same job
    fails on the unique index at the commit, and is retried."""
    session = uow.session
    if not new and session.exec(select(ProcessedMessage.id).where(
            ProcessedMessage.guid == guid, ProcessedMessage.sender == sender)).first():
        return None
    processed = new_object(ProcessedMessage, guid=guid, sender=sender,
                           message_id=f"{sender}:{guid}"[:64], message_type=message_type,
                           conversation_id=conversation_id, outcome="processing",
                           processed_at=now)
    return Work(session=session, settings=settings, processed=processed, now=now)


def _after(uow: UnitOfWork, redis: Redis, work: Work, outcome: str) -> str:
    work.processed.outcome = outcome[:200]
    uow.session.add(work.processed)
    outbox.send_after_commit(uow, redis, processed=work.processed)
    risk.send_after_commit(uow, redis)
    return outcome


def answered(session: Session, answers: list[dict[str, Any]]) -> set[str]:
    """The answerIds among tax's ``answers`` already applied: one query for a batch."""
    ids = {a["answerId"] for a in answers if isinstance(a.get("answerId"), str)}
    return set(session.exec(select(ProcessedMessage.guid).where(
        ProcessedMessage.sender == TAX, col(ProcessedMessage.guid).in_(ids))).all()) \
        if ids else set()


def prefetch_lists(session: Session, invt_nos: list[str]) -> None:
    """Look the lists of tax's answers up by invtNo in one query, and their holds and
    inspection checks in one each, for the answers of a batch (``tax_assessed``)."""
    found = unit_lookup(session, _BY_INVT_NO, invt_nos, lambda missing: _lists_by_invt_no(
        session, missing).items())
    ids = [d.id for d in found.values() if d is not None and d.id is not None]
    holds.prefetch_clearances(session, ids)
    risk.prefetch_checks(session, ids)


def _lists_by_invt_no(session: Session, invt_nos: set[str]) -> dict[str, Document]:
    """The list of each invtNo: the live one, else the latest."""
    found: dict[str, Document] = {}
    for doc in session.exec(select(Document).where(
            Document.kind == imp.LIST, col(Document.invt_no).in_(invt_nos))
            .order_by(col(Document.deleted), col(Document.id).desc())):
        if doc.invt_no is not None:
            found.setdefault(doc.invt_no, doc)
    return found


_BY_INVT_NO = "customs.import.lists"  # unit cache of tax's answers: invtNo → its list


def _list_by_invt_no(session: Session, invt_no: str) -> Document | None:
    doc: Document | None = unit_lookup(session, _BY_INVT_NO, [invt_no], lambda missing: (
        _lists_by_invt_no(session, missing).items()))[invt_no]
    return doc


TAX = "tax"  # the sender of tax's answers, as customs records them


def tax_assessed(*, uow: UnitOfWork, redis: Redis, settings: Settings, now: datetime,
                 answer: dict[str, Any], new: bool = False) -> str:
    """Tax's answer about a list: note the bill (or the guarantee hold), release if ready.

    ``new``: the caller looked (``answered``) and found it not applied yet."""
    result = TaxAnswer.model_validate(answer)
    documents.lock_keys(uow.session, [lists.invt_lock(result.invtNo)])  # before the list
    work = _job_work(uow, settings=settings, now=now, guid=result.answerId, sender=TAX,
                     message_type="TaxAnswer", new=new)
    if work is None:
        return "already applied"
    doc = _list_by_invt_no(work.session, result.invtNo)
    clearance = holds.clearance_of(work, doc) if doc is not None else None
    if doc is None or clearance is None:
        return _after(uow, redis, work, "unknown list")
    if doc.deleted:  # cancelled meanwhile: make sure tax cancels the bill too
        lists.tell_tax(work, result.invtNo, "cancelled", work.now)
        return _after(uow, redis, work, "list cancelled")
    if clearance.tax_state == "issued":
        return _after(uow, redis, work, "already issued")
    clearance.tax_no, clearance.tax_total = result.taxNo, result.taxTotal
    clearance.tax_state, clearance.tax_info = result.state, result.info[:1000]
    if result.state == "held":
        records.note(work, doc, doc.status, f"放行暂停 release blocked: {result.info}", "tax")
        return _after(uow, redis, work, "held for guarantee")
    records.note(work, doc, doc.status, f"电子税单 tax bill {result.taxNo} issued: "
                                        f"{fmt(result.taxTotal)} CNY", "tax")
    released = lists.release_if_ready(work=work, doc=doc)
    return _after(uow, redis, work, "released" if released else "issued")


def return_deadline(*, uow: UnitOfWork, redis: Redis, settings: Settings, now: datetime,
                    return_id: int) -> str:
    """The day a return waiting for its goods fails (scheduled on the simulator clock)."""
    work = _job_work(uow, settings=settings, now=now, guid=f"return-deadline-{return_id}",
                     sender="customs", message_type="ReturnDeadline")
    if work is None:
        return "already applied"
    return _after(uow, redis, work, reversals.return_deadline(work=work, return_id=return_id))


def settle_refused(*, uow: UnitOfWork, settings: Settings, now: datetime) -> int:
    """Lists inspection refused (700 退运, 599, 501-503) never clear: give the buyer's year
    back and cancel the tax bill (the goods do not go back into the account book)."""
    rows = uow.session.exec(select(ImportClearance, Document).join(
        Document, col(Document.id) == col(ImportClearance.document_id)).where(
        col(Document.status).in_(REFUSED_BY_INSPECTION),
        col(ImportClearance.cancelled_at).is_(None),
        col(ImportClearance.released_at).is_(None)).limit(200)).all()
    processed = new_object(ProcessedMessage, guid="settle-refused", sender="customs",
                           message_id="", message_type="SettleRefused", outcome="",
                           processed_at=now)
    work = Work(session=uow.session, settings=settings, processed=processed, now=now)
    for clearance, doc in rows:
        holds.give_back(work=work, clearance=clearance, share=Decimal(1), reason="refused",
                        ref=doc.guid, returned={})
        clearance.cancelled_at = now
        if clearance.tax_state != "none":
            lists.tell_tax(work, clearance.invt_no, "cancelled", now)
        records.note(work, doc, doc.status, "检验检疫未放行 not cleared by inspection: the "
                                            "buyer's yearly total restored, the tax cancelled")
    return len(rows)


# ------------------------------------------------------------------ account books, quota


def first_line_entry(*, session: Session, ems_no: str, owner: str, admin: bool,
                     entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    """一线进区: goods enter the zone into ``ems_no`` (idempotent by ``entryNo``)."""
    return book.enter(session=session, ems_no=ems_no, owner=owner, admin=admin,
                      entry_no=entry["entryNo"], customs_code=entry.get("customsCode"),
                      items=entry["items"], now=now)


def account_book(*, session: Session, ems_no: str, owner: str, admin: bool) -> dict[str, Any]:
    """An account book with its balances (its owner or the admin)."""
    return book.view(session=session, ems_no=ems_no, owner=owner, admin=admin)


def buyer_usage(*, session: Session, buyer_id: str, now: datetime,
                settings: Settings) -> dict[str, Any]:
    """What a buyer used of this calendar year's limit (Beijing time, simulator clock)."""
    year = ceb_day(now).year
    used = unscaled(quota.used(session, buyer_id=buyer_id, year=year))
    return {"buyerIdNumber": buyer_id, "year": year, "used": fmt(used),
            "limit": fmt(settings.import_year_limit),
            "remaining": fmt(max(settings.import_year_limit - used, Decimal(0)))}


# ------------------------------------------------------------------ the declaration view


def view(session: Session, doc: Document) -> dict[str, Any]:
    """An import document: keys, status, timeline, mismatches, and for a list its holds."""
    head = records.head_of(doc.kind, doc.record)
    timeline = session.exec(select(TimelineEntry).where(TimelineEntry.document_id == doc.id)
                            .order_by(col(TimelineEntry.id))).all()
    out: dict[str, Any] = {
        "kind": doc.kind, "guid": doc.guid,
        "keys": {n: head[n] for n in imp.KEY_FIELDS[doc.kind] if head.get(n)},
        "status": doc.status, "statusName": status_name(doc.status),
        "preNo": doc.pre_no, "invtNo": doc.invt_no, "deleted": doc.deleted,
        "timeline": [{"at": t.at.isoformat(), "status": t.status, "actor": t.actor,
                      "info": t.info} for t in timeline],
        "mismatches": list(doc.mismatches),
    }
    if doc.kind == imp.LIST:
        clearance = session.exec(select(ImportClearance).where(
            ImportClearance.document_id == doc.id)).first()
        out["clearance"] = _clearance_view(clearance) if clearance else None
        out["inspection"] = risk.view(session, doc)
    return out


def _clearance_view(c: ImportClearance) -> dict[str, Any]:
    return {
        "tradeMode": c.trade_mode, "treatment": c.treatment, "year": c.year,
        "dutiableValue": fmt(c.dutiable_value), "countedTowardYear": fmt(unscaled(c.quota_held)),
        "capsKg": dict(c.caps_held), "emsNo": c.ems_no, "stock": dict(c.stock_held),
        "tax": {"state": c.tax_state, "taxNo": c.tax_no,
                "total": fmt(c.tax_total) if c.tax_total is not None else None,
                "info": c.tax_info},
        "releasedAt": c.released_at.isoformat() if c.released_at else None,
        "cancelledAt": c.cancelled_at.isoformat() if c.cancelled_at else None,
        "return": {"state": c.return_state,
                   "at": c.returned_at.isoformat() if c.returned_at else None},
    }
