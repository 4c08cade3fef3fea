"""Inspection's answers, as customs applies them (``services.customs.tasks.apply_inspections``).

``apply`` records an answer on the document's ``InspectionCheck`` (once per token and seq)
and acts on it: 500 查验 when the goods are held for examination or quarantine treatment,
then 700 退运 / 599 / 501-503 on a refusal; on clearance the flow's "on cleared" callback
(``risk.on_cleared``). Asking, and the release gate, are ``services.customs.risk``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from redis import Redis
from sqlmodel import Session, col, select

from contracts.inspection import HOLDING_LANES, InspectionResult
from infra.caches import unit_cache, unit_lookup
from infra.clock import SimClock
from infra.db import UnitOfWork, new_object, pending_count
from services.customs import documents, domain, outbox, risk, transport
from services.customs.config import Settings
from services.customs.documents import Work
from services.customs.models import Document, InspectionCheck, ProcessedMessage, ReceiptOutbox

log = logging.getLogger(__name__)

# The receipt of each refusal (ceb-messages.md §5.2); destruction has no code of its own.
OUTCOME_STATUS: dict[str, str] = {
    "return_abroad": domain.RETURNED, "destruction": "599", "detained_clearance": "501",
    "detained_anti_smuggling": "502", "detained_legal": "503", "detained_other": "599",
}
OUTCOME_LABEL: dict[str, tuple[str, str]] = {  # (Chinese, English)
    "return_abroad": ("退运", "returned"), "destruction": ("销毁", "destroyed"),
    "detained_clearance": ("扣留移送通关", "detained, to the clearance department"),
    "detained_anti_smuggling": ("扣留移送缉私", "detained, to the anti-smuggling department"),
    "detained_legal": ("扣留移送法规", "detained, to the legal department"),
    "detained_other": ("其它扣留", "detained"),
}
LANE_LABEL: dict[str, tuple[str, str]] = {
    "physical_inspection": ("查验", "physical inspection"),
    "quarantine_treatment": ("查验：检疫处理", "quarantine treatment"),
    "document_review": ("单证审核", "documents check"),
}


def answer_guid(result: dict[str, Any]) -> str:
    """An answer's handle, once per question and change of decision: ``<token>:<seq>``."""
    return f"{result.get('token')}:{result.get('seq')}"


def applied(session: Session, results: list[dict[str, Any]]) -> set[str]:
    """The handles (``answer_guid``) of the ``results`` already applied: one query."""
    guids = {answer_guid(r) for r in results}
    return set(session.exec(select(ProcessedMessage.guid).where(
        ProcessedMessage.sender == risk.INSPECTION, col(ProcessedMessage.guid).in_(guids))).all())


def apply(*, uow: UnitOfWork, redis: Redis, settings: Settings, result: dict[str, Any],
          now: datetime | None = None, new: bool = False) -> str:
    """Record one answer of inspection (once per token and seq) and act on it.

    Its receipts go to the gateway after the commit, with those of the unit of work's
    other answers. ``new``: the caller looked (``applied``) and found it not applied yet (a
    concurrent delivery then fails on the unique index, and is retried).
    """
    res = InspectionResult.model_validate(result)
    session = uow.session
    check = prefetch_checks(session, [res.token])[res.token]
    if check is None:  # a question from before a sandbox reset
        return "unknown question"
    guid = f"{res.token}:{res.seq}"
    done = None if new else session.exec(select(ProcessedMessage).where(
        ProcessedMessage.guid == guid, ProcessedMessage.sender == risk.INSPECTION)).first()
    if done is not None:
        outbox.send_after_commit(uow, redis, processed=done)
        return "already applied"
    doc = unit_cache(session, _ANSWERED).get(check.document_id) or session.get(
        Document, check.document_id)
    assert doc is not None
    now = now or SimClock(redis).now()
    processed = new_object(
        ProcessedMessage, guid=guid, sender=risk.INSPECTION, message_id=f"inspection:{guid}"[:64],
        message_type="InspectionResult", conversation_id=doc.conversation_id,
        outcome="processing", processed_at=now)
    work = Work(session=session, settings=settings, processed=processed, now=now)
    receipts = pending_count(session, ReceiptOutbox)  # more after it: it wrote receipts
    # serialized with the arrival of its parcel; unless ``lock_ahead`` locked it already:
    if documents.lock(work, _locks(doc)):
        session.flush()  # (what this unit of work changed stays: a batch holds more)
        session.refresh(check)  # read again what was committed before the lock
        session.refresh(doc)
    if res.seq <= check.seq:
        processed.outcome = f"stale answer {res.seq} (applied {check.seq})"
    else:
        processed.outcome = _apply(work, check, doc, res)
    # written with its outcome, as a message's; a concurrent delivery of the same answer
    # fails on the unique index when it is flushed, and is retried
    session.add(processed)
    if pending_count(session, ReceiptOutbox) > receipts:
        outbox.send_after_commit(uow, redis, processed=processed)
    return processed.outcome


_BY_TOKEN = "customs.checks.by_token"  # unit cache: token → its check (None: unknown)
_ANSWERED = "customs.checks.documents"  # unit cache: document id → the document
_PREFETCHED = "customs.checks.prefetched"  # unit cache: whether ``prefetch_lists`` ran


def prefetch_checks(session: Session, tokens: Iterable[str]
                    ) -> dict[str, InspectionCheck | None]:
    """The checks asked with these tokens, their documents and the arrivals of their
    parcels, looked up in one query each for the rest of the unit of work (what a batch
    of answers is about)."""
    def load(wanted: set[str]) -> list[tuple[str, InspectionCheck]]:
        checks = session.exec(select(InspectionCheck).where(
            col(InspectionCheck.token).in_(wanted))).all()
        risk.remember_checks(session, checks)
        ids = {check.document_id for check in checks}
        if ids:
            docs = session.exec(select(Document).where(col(Document.id).in_(ids))).all()
            unit_cache(session, _ANSWERED).update((doc.id, doc) for doc in docs)
            transport.prefetch_arrived(session, docs)  # what a clearance may release on
        return [(check.token, check) for check in checks]

    return unit_lookup(session, _BY_TOKEN, tokens, load)


def lock_ahead(session: Session, tokens: Iterable[str]) -> None:
    """On PostgreSQL, the locks of the lists these answers are about, all before the
    first is applied (``documents.lock_ahead``: in one order, so that two batches never
    wait for each other's in opposite orders); then their checks and lists, read before
    the locks, are read again together, and the arrivals of their parcels looked up in
    one query (``transport.prefetch_arrived``)."""
    if not documents.locking(session) or documents.ahead(session):
        return  # (once per unit of work: again after a rollback emptied its caches)
    docs = unit_cache(session, _ANSWERED)
    checks = [check for check in prefetch_checks(session, tokens).values()
              if check is not None and check.document_id in docs]
    documents.lock_ahead(session, (key for check in checks
                                   for key in _locks(docs[check.document_id])))
    if checks:
        session.exec(select(InspectionCheck).where(col(InspectionCheck.id).in_(
            [check.id for check in checks])).execution_options(populate_existing=True)).all()
        session.exec(select(Document).where(col(Document.id).in_(
            {check.document_id for check in checks})).execution_options(
                populate_existing=True)).all()
        transport.prefetch_arrived(session, [docs[check.document_id] for check in checks])


def prefetch_lists(session: Session) -> None:
    """What the flows of the batch's lists look up when a clearance comes (``PREFETCH``),
    in one query each: once the batch's lists are known (``prefetch_checks``) and, on
    PostgreSQL, locked (``lock_ahead``), so that none is read before another batch that
    holds the locks has changed it."""
    done = unit_cache(session, _PREFETCHED)
    if done or not documents.ahead(session):
        return
    done["lists"] = True  # (once per unit of work: again after a rollback emptied it)
    docs = list(unit_cache(session, _ANSWERED).values())
    for kind, prefetch in PREFETCH.items():
        prefetch(session, [doc for doc in docs if doc.kind == kind])


# A kind's lookups for a batch of answers about its lists (``import_.plug`` adds the
# import list's holds, which its release reads).
PREFETCH: dict[str, Callable[[Session, list[Document]], None]] = {}
# Besides its parcel's, the keys work on a list of a kind locks (``import_.plug`` adds the
# import list's: what its tax answers lock).
LIST_LOCKS: dict[str, Callable[[Document], list[str]]] = {}


def _locks(doc: Document) -> list[str]:
    keys = [f"parcel:{doc.logistics_code}:{doc.logistics_no}"]
    if doc.bill_no:
        keys.append(f"bill:{doc.bill_no}")
    extra = LIST_LOCKS.get(doc.kind)
    return keys + extra(doc) if extra else keys


def _apply(work: Work, check: InspectionCheck, doc: Document, res: InspectionResult) -> str:
    _record(check, res, work.now)
    if doc.deleted or doc.status not in domain.RELEASABLE_LIST_STATES:
        return f"recorded (document at {doc.status})"
    zh, en = LANE_LABEL.get(res.lane, ("", ""))
    if res.lane in HOLDING_LANES and doc.status == domain.APPROVED:
        documents.move(work, doc, domain.INSPECTING, f"{zh} {en}：{res.reasonZh} / {res.reasonEn}")
    elif res.lane == "document_review" and res.state == "pending":
        documents.note(work, doc, doc.status, f"{zh} {en}：{res.reasonZh} / {res.reasonEn}",
                       actor=risk.INSPECTION)
    if res.state == "pending":
        check.state = "pending"
        return f"held: {res.lane}"
    if res.release_allowed:
        check.state, check.release_allowed = "cleared", True
        callback = risk.cleared_callback(check.flow)
        if callback is None:
            log.warning("no on-cleared callback for flow %s (document %s)", check.flow, doc.id)
        else:
            callback(work, doc)
        return "cleared"
    assert res.outcome is not None
    check.state = "refused"
    label_zh, label_en = OUTCOME_LABEL[res.outcome]
    why_zh, why_en = res.resolutionZh or res.reasonZh, res.resolutionEn or res.reasonEn
    documents.move(work, doc, OUTCOME_STATUS[res.outcome],
                   f"{label_zh} {label_en}：{why_zh} / {why_en}")
    return f"refused: {res.outcome}"


def _record(check: InspectionCheck, res: InspectionResult, at: datetime) -> None:
    check.seq, check.lane, check.outcome = res.seq, res.lane, res.outcome
    check.decision_id, check.risk_level = res.decisionId, res.riskLevel
    check.hits = [h.model_dump() for h in res.hits]
    check.reason_en, check.reason_zh = res.reasonEn[:2000], res.reasonZh[:2000]
    check.resolution_en = res.resolutionEn[:1000] if res.resolutionEn else None
    check.resolution_zh = res.resolutionZh[:1000] if res.resolutionZh else None
    check.officer = res.officer[:60] if res.officer else None
    check.decided_at, check.updated_at = res.decidedAt, at
