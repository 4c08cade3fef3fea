"""Inspection and quarantine, seen from customs: ask, gate release.

Customs never releases goods inspection has not cleared. When a flow approves a document
it asks inspection (an rq job on queue ``inspection``); inspection answers through
``services.customs.tasks.apply_inspection`` once per change of its decision, and
``services.customs.answers.apply`` records the answer on the document's
``InspectionCheck`` and emits the receipts: 500 查验 when the goods are held for
examination or quarantine treatment, then 700 退运 / 599 (destruction, other detention) /
501-503 (detention) on a refusal; on clearance it runs the flow's "on cleared" callback
(the export flow releases an arrived list: 800).

How a flow plugs in (the 9610 export list does exactly this)
---------------------------------------------------------------
1. Approve, then ask, in the same unit of work::

       documents.move(work, doc, APPROVED, "海关审结 ...")
       risk.ask(work=work, doc=doc)          # flow defaults to "<kind>:<ieFlag>"

   The question (``contracts.inspection.InspectionRequest``: the list's identity — its
   invtNo, which seeds random selection —, trade mode, ie flag, sender, transport, items
   with gcode/gname/qty/country/itemRecordNo, consignee) is read from ``doc.record``: any
   record with a ``*Head`` node and a ``*List`` of lines (CEB603, CEB621) works. It is kept
   on the check and enqueued after commit by ``risk.send_after_commit(uow, redis)``, which
   ``service.process_message`` calls (call it too if you ask from a job of your own). The
   customs sweep (``tasks.resend_outbox``, every few seconds) sends what was never handed
   over, and asks again when no final answer came within
   ``SW_CUSTOMS_INSPECTION_REASK_SECONDS`` (inspection answers idempotently by identity).
2. Register what to do once inspection clears the document, at import of your module::

       risk.on_cleared("inventory:I", lambda work, doc: my_release_if_ready(work=work, lst=doc))

   The callback runs inside ``answers.apply``'s unit of work with a ``Work`` whose processed
   message is the inspection answer; receipts it emits go to the document's sender.
3. Before releasing, ask ``risk.release_allowed(doc)`` (False until cleared; False for a
   document never asked about). ``risk.clearance_note(doc)`` gives the inspection reason
   to append to the release receipt's returnInfo.
4. Your kind's state machine (``domain.FLOW``) must allow APPROVED → 500/501/502/503/599/700
   and 500 → 800/501/502/503/599/700 (see the ``inventory`` entry); a document in another
   state when an answer comes only gets the answer recorded.
5. ``risk.view(session, doc)`` is the ``inspection`` section of the declaration view.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, cast

from redis import Redis
from redis.client import Pipeline
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from contracts.inspection import (
    ASK_QUEUE,
    ASSESS,
    ASSESS_MANY,
    InspectionRequest,
    RequestItem,
)
from infra.caches import unit_cache, unit_lookup
from infra.db import UnitOfWork, new_object, unit_of_work
from infra.guids import new_token
from infra.outbox import hand_over_after_commit, mark_sent
from infra.queue import SERIALIZER, enqueue, enqueue_batch, queue
from services.customs.documents import Work, made_here
from services.customs.models import Document, InspectionCheck

log = logging.getLogger(__name__)

INSPECTION = "inspection"  # the sender of answers, as customs records them
_ASKED = "sw.inspection.asked"  # session.info: the checks asked in this unit of work
_CHECKS = "customs.checks"  # unit cache: ``_key(document)`` → its check (None: never asked)
ClearedCallback = Callable[[Work, Document], None]
_ON_CLEARED: dict[str, ClearedCallback] = {}

_WAITING = {JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def on_cleared(flow: str, callback: ClearedCallback) -> None:
    """Run ``callback(work, doc)`` when inspection clears a document of ``flow``."""
    _ON_CLEARED[flow] = callback


def cleared_callback(flow: str) -> ClearedCallback | None:
    """What ``on_cleared`` registered for ``flow``."""
    return _ON_CLEARED.get(flow)


def remember_checks(session: Session, checks: Iterable[InspectionCheck]) -> None:
    """Tell the unit of work's cache of checks (``check_of``) about these."""
    unit_cache(session, _CHECKS).update((check.document_id, check) for check in checks)


def _key(session: Session, doc: Document) -> int | tuple[str, int]:
    """A document's key in the cache of checks: its id, or, for one this unit of work made
    (``documents.made_here``), the object's own identity (the check holds the document,
    so that identity stays its)."""
    return doc.id if doc.id is not None and not made_here(session, doc) else ("new", id(doc))


def prefetch_checks(session: Session, ids: Iterable[int]) -> None:
    """Look the checks of the documents ``ids`` up in one query, for ``check_of``."""
    unit_lookup(session, _CHECKS, ids, lambda missing: (
        (check.document_id, check) for check in session.exec(
            select(InspectionCheck).where(col(InspectionCheck.document_id).in_(missing)))))


def flow_of(doc: Document) -> str:
    """``<kind>:<ieFlag>``, e.g. ``inventory:E`` for an export list."""
    head, _ = _head_and_lines(doc.record)
    return f"{doc.kind}:{head.get('ieFlag') or 'E'}"


# ------------------------------------------------------------------ asking


def ask(*, work: Work, doc: Document, flow: str | None = None) -> InspectionCheck:
    """Ask inspection about ``doc`` (sent after commit); once per document."""
    existing = check_of(work.session, doc)
    if existing is not None:
        return existing
    token = new_token()
    flow = flow or flow_of(doc)
    request = request_for(doc, token=token, flow=flow, at=work.now)
    check = new_object(
        InspectionCheck, document_id=doc.id, token=token, flow=flow,
        identity=request.identity, processed_message_id=work.processed.id, state="asked",
        request=request.model_dump(mode="json"), asked_at=work.now, updated_at=work.now,
        stored_at=time.time())
    check.document, check.processed = doc, work.processed  # their ids, once written
    work.session.add(check)
    unit_cache(work.session, _CHECKS)[_key(work.session, doc)] = check
    work.session.info.setdefault(_ASKED, []).append(check)
    return check


def request_for(doc: Document, *, token: str, flow: str, at: datetime) -> InspectionRequest:
    """The question about ``doc``, read from its declared record."""
    head, lines = _head_and_lines(doc.record)
    items = tuple(RequestItem(
        gnum=int(line.get("gnum") or n), gcode=str(line.get("gcode") or ""),
        gname=str(line.get("gname") or line.get("itemName") or ""),
        itemName=line.get("itemName"), gmodel=line.get("gmodel"), qty=line.get("qty"),
        unit=line.get("unit"), country=line.get("country"),
        itemRecordNo=line.get("itemRecordNo")) for n, line in enumerate(lines, start=1))
    return InspectionRequest(
        token=token, identity=doc.invt_no or doc.cop_no or doc.guid, kind=doc.kind,
        flow=flow, guid=doc.guid, copNo=doc.cop_no, invtNo=doc.invt_no, preNo=doc.pre_no,
        tradeMode=str(head.get("tradeMode") or "9610"), ieFlag=head.get("ieFlag") or "E",
        customsCode=head.get("customsCode"), portCode=head.get("portCode"),
        sender=doc.sender, ebcCode=doc.ebc_code, ebpCode=doc.ebp_code,
        agentCode=head.get("agentCode"), trafMode=head.get("trafMode"),
        wrapType=head.get("wrapType"), note=head.get("note"), country=head.get("country"),
        emsNo=head.get("emsNo"), consignee=head.get("buyerName") or head.get("consignee"),
        consigneeAddress=head.get("consigneeAddress"), items=items, askedAt=at)


def _head_and_lines(record: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = next((v for k, v in record.items() if k.endswith("Head") and isinstance(v, dict)),
                record)
    lines = next((v for k, v in record.items() if k.endswith("List") and isinstance(v, list)),
                 [])
    return head, lines


def send_after_commit(uow: UnitOfWork, redis: Redis) -> None:
    """Once ``uow`` commits: enqueue the questions ``ask`` added in it (nothing if none).

    Called after each message of a batch, it adds that message's questions: those of the
    whole unit go together, in one job when there are several (``ASSESS_MANY``).
    """
    asked: list[InspectionCheck] = uow.session.info.pop(_ASKED, [])
    if asked:
        hand_over_after_commit(uow.session, redis, _ASKED, lambda checks, marking, pipe: _send(
            redis, checks, marking, pipe)).extend(asked)


def _send(redis: Redis, checks: list[InspectionCheck], marking: Session,
          pipe: Pipeline) -> None:
    requests = [check.request for check in checks]
    enqueue_batch(redis, ASK_QUEUE, ASSESS, ASSESS_MANY, requests,
                  job_id=_job_id(checks[0].token), pipeline=pipe)  # a lone question's id
    mark_sent(marking, InspectionCheck, [check.token for check in checks], by="token")


def resend(engine: Engine, redis: Redis, *, older_than: float) -> int:
    """Ask again about every document without a final answer ``older_than`` seconds after
    the question went out (or never sent): lost questions and lost answers both heal."""
    now = time.time()
    with unit_of_work(engine) as uow:
        rows = list(uow.session.exec(select(InspectionCheck).where(
            col(InspectionCheck.state).in_(("asked", "pending")),
            or_(col(InspectionCheck.sent_at).is_(None) & (col(InspectionCheck.stored_at)
                                                          < now - 2),
                col(InspectionCheck.sent_at) < now - older_than))
            .order_by(col(InspectionCheck.id)).limit(500)).all())
        rows = [r for r in rows if not _job_waiting(redis, r.token)]
        _enqueue(uow.session, redis, rows)
    return len(rows)


def _job_id(token: str) -> str:
    return f"inspection-ask-{token}"


def _job_waiting(redis: Redis, token: str) -> bool:
    """Whether the question's job will still run: in its queue, running, or scheduled.

    A job a worker took off the queue and then died with keeps the status "queued"
    without being in the queue: that one is asked again.
    """
    job_id = _job_id(token)
    try:
        status = Job.fetch(job_id, connection=redis, serializer=SERIALIZER).get_status()
    except NoSuchJobError:
        return False
    if status == JobStatus.QUEUED:
        return redis.lpos(queue(ASK_QUEUE, redis).key, job_id) is not None
    return status in _WAITING


def _enqueue(session: Session, redis: Redis, rows: list[InspectionCheck]) -> None:
    for row in rows:
        enqueue(redis, ASK_QUEUE, ASSESS, row.request, job_id=_job_id(row.token))
    if rows:
        session.exec(update(InspectionCheck).where(  # type: ignore[call-overload]
            col(InspectionCheck.id).in_([r.id for r in rows])).values(sent_at=time.time()))


# ------------------------------------------------------------------ the gate


def check_of(session: Session, doc: Document) -> InspectionCheck | None:
    """The inspection check of ``doc``, if it was asked about (once per unit of work: only
    ``ask`` adds checks, and it tells the unit's cache)."""
    cache = unit_cache(session, _CHECKS)
    key = _key(session, doc)
    if isinstance(key, tuple):  # made in this unit of work: asked about in it, or not at all
        check_of_new: InspectionCheck | None = cache.get(key)
        return check_of_new
    if doc.id not in cache:
        cache[doc.id] = session.exec(select(InspectionCheck).where(
            InspectionCheck.document_id == doc.id)).first()
    check: InspectionCheck | None = cache[doc.id]
    return check


def _check(doc: Document) -> InspectionCheck | None:
    session = Session.object_session(doc)  # the sqlmodel Session customs opened
    return None if session is None else check_of(cast(Session, session), doc)


def release_allowed(doc: Document) -> bool:
    """Whether inspection cleared ``doc`` (a document attached to a session)."""
    check = _check(doc)
    return check is not None and check.release_allowed


def clearance_note(doc: Document) -> str:
    """``; 检验检疫 inspection: <why>`` for the release receipt ('' when not cleared)."""
    check = _check(doc)
    if check is None or not check.release_allowed:
        return ""
    zh = check.resolution_zh or check.reason_zh
    en = check.resolution_en or check.reason_en
    return f"；检验检疫 inspection：{zh} / {en}"


def view(session: Session, doc: Document) -> dict[str, Any] | None:
    """The ``inspection`` section of the declaration view (None: never asked)."""
    check = check_of(session, doc)
    if check is None:
        return None
    return {
        "state": check.state, "identity": check.identity, "lane": check.lane,
        "outcome": check.outcome, "releaseAllowed": check.release_allowed,
        "riskLevel": check.risk_level, "decisionId": check.decision_id,
        "reason": {"en": check.reason_en, "zh": check.reason_zh},
        "resolution": ({"en": check.resolution_en, "zh": check.resolution_zh}
                       if check.resolution_en else None),
        "officer": check.officer, "hits": list(check.hits),
        "askedAt": check.asked_at.isoformat(),
        "decidedAt": check.decided_at.isoformat() if check.decided_at else None,
    }
