"""Inspection's use cases (shared by the routes and the rq jobs).

``assess`` decides on a list customs asks about and answers customs (after commit) through
``services.customs.tasks.apply_inspection``; ``first_line`` decides on 1210 goods entering
the zone. A pending decision is resolved by an officer (``record_result``) or, when nobody
did, by the automatic officer (``auto_resolve``, scheduled on the simulator clock). Every
change is one more answer (``seq``) to customs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from redis import Redis
from sqlmodel import Session, col, select

from contracts.inspection import (
    ANSWER_QUEUE,
    APPLY,
    APPLY_MANY,
    FirstLineEntry,
    InspectionRequest,
    InspectionResult,
)
from infra.caches import unit_cache, unit_lookup
from infra.db import UnitOfWork, delete_all_rows, id_of, new_object
from infra.queue import enqueue_batch
from infra.scheduler import schedule
from services.inspection import domain, reference
from services.inspection.config import Settings
from services.inspection.db import InspectionTable
from services.inspection.errors import DecisionNotFound, InspectionNotPending, ResultNotAllowed
from services.inspection.models import RiskDecision

QUEUE = "inspection"
AUTO_RESOLVE = "services.inspection.tasks.auto_resolve"
AUTO_OFFICER = "auto-officer"

_ANSWERS = "inspection.answers"  # what a unit of work gathers: its answers to customs


def assess(*, uow: UnitOfWork, redis: Redis, settings: Settings,
           request: InspectionRequest | dict[str, Any], now: datetime) -> RiskDecision:
    """Decide on the list customs asks about (once per list) and answer customs (after
    the commit: a new decision is written, and has its id, with the unit of work's)."""
    req = (request if isinstance(request, InspectionRequest)
           else InspectionRequest.model_validate(request))
    session = uow.session
    row = _find(session, "list", req.identity)
    if row is not None:  # asked again: the answer may have been lost
        row.token = req.token
        _answer(uow, redis, row)
        return row
    subject = domain.Subject(
        identity=req.identity, channel=domain.channel_of(req.ieFlag, req.tradeMode),
        items=tuple(domain.Goods(i.gnum, i.gcode, i.gname, i.itemName) for i in req.items),
        wrap_type=req.wrapType, note=req.note,
        first_line_cleared=_first_line_cleared(session, req))
    row = new_object(
        RiskDecision, subject="list", identity=req.identity, token=req.token, request_guid=req.guid,
        invt_no=req.invtNo, cop_no=req.copNo, sender=req.sender, trade_mode=req.tradeMode,
        ie_flag=req.ieFlag, channel=subject.channel, customs_code=req.customsCode,
        ems_no=req.emsNo, lane="release", state="pending", decided_at=now,
        request=req.model_dump(mode="json"))
    _decide(uow, redis, settings, row, subject, now)
    return row


def first_line(*, uow: UnitOfWork, redis: Redis, settings: Settings, entry: FirstLineEntry,
               now: datetime) -> RiskDecision:
    """Decide on one item entering the bonded zone (一线进区); once per emsNo/itemRecordNo."""
    identity = f"{entry.emsNo}/{entry.itemRecordNo}"
    row = _find(uow.session, "first_line", identity)
    if row is not None:
        return row
    subject = domain.Subject(
        identity=identity, channel="first_line",
        items=(domain.Goods(1, entry.gcode, entry.gname, entry.itemName),),
        wrap_type=entry.wrapType, note=entry.note, node="FirstLineEntry")
    row = new_object(
        RiskDecision, subject="first_line", identity=identity, sender=entry.sender,
        trade_mode=entry.tradeMode, ie_flag="I", channel="first_line", ems_no=entry.emsNo,
        item_record_no=entry.itemRecordNo, lane="release", state="pending", decided_at=now,
        request=entry.model_dump(mode="json"))
    _decide(uow, redis, settings, row, subject, now)
    id_of(uow.session, row)  # the entry's answer shows it
    return row


def _decide(uow: UnitOfWork, redis: Redis, settings: Settings, row: RiskDecision,
            subject: domain.Subject, now: datetime) -> None:
    decision = domain.assess(subject, reference.load(settings.reference_dir), settings.policy())
    row.lane, row.risk_level = decision.lane, decision.level
    row.hits = [_hit(h) for h in decision.hits]
    row.reason_en, row.reason_zh = decision.reason_en[:2000], decision.reason_zh[:2000]
    if decision.final:
        row.state, row.outcome, row.resolved_at, row.resolved_by = (
            "final", decision.outcome, now, "rules")
    uow.session.add(row)  # written by the next flush (the answer, after the commit, has its id)
    unit_cache(uow.session, _DECISIONS)[(row.subject, row.identity)] = row
    _schedule_auto_officer(uow, redis, settings, row, now)
    _answer(uow, redis, row)


def _hit(hit: domain.Hit) -> dict[str, str]:
    return {"rule": hit.rule, "field": hit.field, "value": hit.value, "en": hit.en,
            "zh": hit.zh}


_DECISIONS = "inspection.decisions"  # unit cache: (subject, identity) → decision or None
_CLEARED = "inspection.first_line_cleared"  # unit cache: first-line identity → released


def _find(session: Session, subject: str, identity: str) -> RiskDecision | None:
    return prefetch_decisions(session, subject, [identity])[  # type: ignore[no-any-return]
        (subject, identity)]


def prefetch_decisions(session: Session, subject: str, identities: Iterable[str]
                       ) -> dict[tuple[str, str], RiskDecision | None]:
    """The decisions on these identities, looked up in one query (locked) for the rest of
    the unit of work (what a batch of questions asks about)."""
    def load(wanted: set[tuple[str, str]]) -> list[tuple[tuple[str, str], RiskDecision]]:
        rows = session.exec(select(RiskDecision).where(
            RiskDecision.subject == subject,
            col(RiskDecision.identity).in_([i for _, i in wanted])).with_for_update()).all()
        return [((row.subject, row.identity), row) for row in rows]

    return unit_lookup(session, _DECISIONS, [(subject, i) for i in identities], load)


def _first_line_identities(req: InspectionRequest) -> set[str] | None:
    """The first-line entries a 1210 import list's items came in by (None: not such a list)."""
    if req.ieFlag != "I" or req.tradeMode not in ("1210", "1239") or not req.emsNo:
        return None
    records = {i.itemRecordNo for i in req.items}
    if not records or None in records:
        return None
    return {f"{req.emsNo}/{r}" for r in records}


def prefetch_first_line(session: Session, requests: Iterable[InspectionRequest]
                        ) -> dict[str, bool]:
    """Whether each first-line entry these lists came in by was released: one query, for
    the rest of the unit of work."""
    def load(wanted: set[str]) -> list[tuple[str, bool]]:
        cleared = set(session.exec(select(RiskDecision.identity).where(
            RiskDecision.subject == "first_line", col(RiskDecision.identity).in_(wanted),
            RiskDecision.state == "final", RiskDecision.outcome == "release")).all())
        return [(identity, identity in cleared) for identity in wanted]

    entries = [i for req in requests for i in _first_line_identities(req) or ()]
    return unit_lookup(session, _CLEARED, entries, load)


def _first_line_cleared(session: Session, req: InspectionRequest) -> bool:
    """A 1210 import list whose every item was released at first-line entry."""
    identities = _first_line_identities(req)
    if identities is None:
        return False
    known = prefetch_first_line(session, [req])
    return all(known[i] for i in identities)


# ------------------------------------------------------------------ officers


def inspections(*, session: Session, state: str | None = "pending",
                subject: str | None = None, limit: int = 200) -> list[RiskDecision]:
    """Decisions, newest first: the pending ones by default (the officer's worklist)."""
    query = select(RiskDecision)
    if state:
        query = query.where(RiskDecision.state == state)
    if subject:
        query = query.where(RiskDecision.subject == subject)
    return list(session.exec(query.order_by(col(RiskDecision.id).desc()).limit(limit)).all())


def get(*, session: Session, decision_id: int) -> RiskDecision:
    row = session.get(RiskDecision, decision_id)
    if row is None:
        raise DecisionNotFound(f"no inspection {decision_id}")
    return row


def record_result(*, uow: UnitOfWork, redis: Redis, settings: Settings, decision_id: int,
                  outcome: str, reason: str, officer: str, now: datetime) -> RiskDecision:
    """An officer's result on a pending inspection: customs hears it at once."""
    row = uow.session.exec(select(RiskDecision).where(RiskDecision.id == decision_id)
                           .with_for_update()).first()
    if row is None:
        raise DecisionNotFound(f"no inspection {decision_id}")
    if row.state != "pending":
        raise InspectionNotPending(f"inspection {decision_id} is already {row.outcome}",
                                   outcome=row.outcome)
    problem = domain.resolution_problem(row.lane, row.state, outcome)
    if problem:
        raise ResultNotAllowed(problem, errors=[{"path": "outcome", "message": problem}])
    en, zh = domain.officer_result(officer, outcome, reason)
    _resolve(uow, redis, settings, row, outcome, f"officer:{officer}", en, zh, now)
    return row


def auto_resolve(*, uow: UnitOfWork, redis: Redis, settings: Settings, decision_id: int,
                 seq: int, now: datetime) -> str:
    """The automatic officer: release what is still pending as it was scheduled (else no-op)."""
    row = uow.session.exec(select(RiskDecision).where(RiskDecision.id == decision_id)
                           .with_for_update()).first()
    if row is None or row.state != "pending" or row.seq != seq:
        return "obsolete"
    after = domain.duration_text(settings.auto_officer_after(row.lane).total_seconds())
    en, zh = domain.auto_result(row.lane, after)
    _resolve(uow, redis, settings, row, "release", AUTO_OFFICER, en, zh, now)
    return "release"


def _resolve(uow: UnitOfWork, redis: Redis, settings: Settings, row: RiskDecision,
             outcome: str, by: str, en: str, zh: str, now: datetime) -> None:
    row.seq += 1
    row.resolution_en, row.resolution_zh = en[:1000], zh[:1000]
    row.resolved_by, row.resolved_at = by[:60], now
    if outcome == "physical_inspection":  # a documents check sends the goods to be examined
        row.lane, row.due_at = "physical_inspection", None
        _schedule_auto_officer(uow, redis, settings, row, now)
    else:
        row.state, row.outcome, row.due_at = "final", outcome, None
    uow.session.add(row)
    _answer(uow, redis, row)


def _schedule_auto_officer(uow: UnitOfWork, redis: Redis, settings: Settings,
                           row: RiskDecision, now: datetime) -> None:
    if row.state != "pending" or not settings.auto_officer:
        return
    due = now + settings.auto_officer_after(row.lane)
    row.due_at = due
    seq = row.seq

    def plan() -> None:  # after the commit: the row has its id
        schedule(redis, due, AUTO_RESOLVE, row.id, seq, queue_name=QUEUE,
                 key=f"inspection-auto-{row.id}-{seq}")

    uow.after_commit(plan)


def _answer(uow: UnitOfWork, redis: Redis, row: RiskDecision) -> None:
    """Tell customs (after commit) where the decision on its list stands: the answers of
    one unit of work go together, in one job when there are several (``APPLY_MANY``)."""
    if row.subject != "list" or not row.token:
        return
    answers = uow.gather(_ANSWERS, lambda gathered: enqueue_batch(
        redis, ANSWER_QUEUE, APPLY, APPLY_MANY,
        [{**answer, "decisionId": decided.id} for decided, answer in gathered]))
    # the decision as it stands now; its id once it is written (a new one: at the commit)
    answers.append((row, result(row, decision_id=0).model_dump(mode="json")))


def result(row: RiskDecision, decision_id: int | None = None) -> InspectionResult:
    """The decision as customs hears it (``decision_id``: in place of the row's id)."""
    decision_id = row.id if decision_id is None else decision_id
    assert decision_id is not None and row.token is not None
    return InspectionResult(
        token=row.token, identity=row.identity, decisionId=decision_id, seq=row.seq,
        lane=row.lane,  # type: ignore[arg-type]
        state=row.state,  # type: ignore[arg-type]
        outcome=row.outcome,  # type: ignore[arg-type]
        riskLevel=row.risk_level, hits=row.hits,  # type: ignore[arg-type]
        reasonEn=row.reason_en, reasonZh=row.reason_zh, resolutionEn=row.resolution_en,
        resolutionZh=row.resolution_zh, officer=row.resolved_by, decidedAt=row.decided_at)


def view(row: RiskDecision) -> dict[str, Any]:
    """One inspection as the officer console shows it."""
    request = row.request or {}
    items = request.get("items") or [{k: request.get(k) for k in (
        "gcode", "gname", "itemName", "qty", "unit", "country")}]
    return {
        "id": row.id, "subject": row.subject, "identity": row.identity,
        "invtNo": row.invt_no, "copNo": row.cop_no, "guid": row.request_guid,
        "sender": row.sender, "tradeMode": row.trade_mode, "ieFlag": row.ie_flag,
        "channel": row.channel, "emsNo": row.ems_no, "itemRecordNo": row.item_record_no,
        "lane": row.lane, "state": row.state, "outcome": row.outcome,
        "riskLevel": row.risk_level, "hits": row.hits,
        "reason": {"en": row.reason_en, "zh": row.reason_zh},
        "resolution": ({"en": row.resolution_en, "zh": row.resolution_zh}
                       if row.resolution_en else None),
        "resolvedBy": row.resolved_by, "seq": row.seq,
        "decidedAt": _iso(row.decided_at), "dueAt": _iso(row.due_at),
        "resolvedAt": _iso(row.resolved_at),
        "allowedResults": (sorted(domain.RESOLUTIONS[row.lane]) if row.state == "pending"
                           else []),
        "items": items,
    }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def reference_data(*, settings: Settings) -> dict[str, Any]:
    """The rules in force, per file, as the README documents them."""
    ref = reference.load(settings.reference_dir)

    def rows(rules: tuple[domain.Rule, ...]) -> list[dict[str, Any]]:
        return [{"code": r.code, "channels": sorted(r.channels) or ["*"],
                 "hs": [f"{h.low}-{h.high}" if h.low != h.high else h.low for h in r.hs],
                 "keywordsZh": list(r.keywords_zh), "keywordsEn": list(r.keywords_en),
                 "wrapTypes": sorted(r.wrap_types), "outcome": r.outcome or None,
                 "level": r.level or None, "lane": r.lane or None, "en": r.en, "zh": r.zh}
                for r in rules]

    return {"prohibited": rows(ref.prohibited), "quarantine": rows(ref.quarantine),
            "risk": rows(ref.risk), "samplingRates": settings.sampling_rates,
            "documentRates": settings.document_rates, "seed": settings.seed,
            "randomSelection": settings.random_selection}


def reset(*, session: Session) -> dict[str, int]:
    """Delete every row of inspection's tables; returns the rows deleted per table."""
    return delete_all_rows(session, InspectionTable.metadata)
