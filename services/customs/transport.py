"""Arrival (CEB507 运抵单) releases approved lists; departure (CEB509 离境单) closes them.

An arrival names parcels by waybill number, or none: then it covers every list with its
bill of lading. Only a list inspection cleared is released (``risk.release_allowed``); a
list cleared after its parcel arrived is released at once (the "on cleared" callback).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import Select

from infra.caches import any_of, unit_cache, unit_lookup
from infra.db import id_of, new_object
from services.customs import documents, domain, facts, risk
from services.customs.documents import Work
from services.customs.domain import APPROVED, CLOSED, RELEASED
from services.customs.models import ArrivalParcel, Document, live


def parcel_locks(record: dict[str, Any]) -> list[str]:
    """What an arrival or a departure shares with the lists of its parcels (besides its
    own key): a departure taken while an arrival releases its lists waits for the release."""
    head = record.get("ArrivalHead") or record["DepartureHead"]
    lines = record.get("ArrivalList") or record.get("DepartureList") or []
    keys = [f"parcel:{head['logisticsCode']}:{line['logisticsNo']}" for line in lines]
    if not lines and head.get("billNo"):
        keys.append(f"bill:{head['billNo']}")
    return keys


def declare_arrival(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB507 record: 2 (preNo), 399, then 800 for every approved list it covers."""
    doc = documents.declare(work, kind="arrival", record=record, locks=parcel_locks(record))
    if doc is None:
        return
    parcels = facts.parcels(doc)
    documents.move(work, doc, APPROVED, "海关审结 arrival accepted")
    arrival_id = id_of(work.session, doc)
    if parcels.logistics_nos:
        for no in dict.fromkeys(parcels.logistics_nos):
            work.session.add(new_object(ArrivalParcel, arrival_id=arrival_id,
                                        logistics_code=parcels.logistics_code, logistics_no=no))
    else:
        work.session.add(new_object(ArrivalParcel, arrival_id=arrival_id,
                                    logistics_code=parcels.logistics_code,
                                    bill_no=parcels.bill_no))
    unit_cache(work.session, _ARRIVED_OF).clear()  # what was looked up before it: stale
    found = _lists(work, parcels)
    risk.prefetch_checks(work.session, found)  # for release_allowed: one query
    for ref in domain.released_by_arrival(parcels, [facts.list_ref(d) for d in found.values()]):
        lst = found[ref.ref]
        if risk.release_allowed(lst):
            _release(work, lst, doc)


def release_if_arrived(*, work: Work, lst: Document) -> None:
    """A list inspection just cleared whose parcel already arrived is released (800)."""
    if lst.status not in domain.RELEASABLE_LIST_STATES or not risk.release_allowed(lst):
        return
    rows = unit_cache(work.session, _ARRIVED_OF).get(_parcel_key(lst))
    if rows is None:
        query = _ARRIVED_BY_BILL if lst.bill_no else _ARRIVED
        rows = work.session.execute(query, {"code": lst.logistics_code,
                                            "no": lst.logistics_no, "bill": lst.bill_no}).all()
    for parcel, arrival in rows:
        if domain.arrived(facts.list_ref(lst), [facts.arrival_parcel(parcel)]):
            _release(work, lst, arrival)
            return


def _arrived(by_bill: bool | None) -> Select[ArrivalParcel, Document]:
    """The approved arrivals' parcels of a list's waybill (or its bill of lading), built
    once: this runs for every list inspection clears (``None``: of any list)."""
    query = (select(ArrivalParcel, Document)
             .join(Document, col(Document.id) == col(ArrivalParcel.arrival_id))
             .where(Document.status == APPROVED, live()).order_by(col(ArrivalParcel.id)))
    if by_bill is None:
        return query
    cond: ColumnElement[bool] = (col(ArrivalParcel.logistics_code) == bindparam("code")) & (
        col(ArrivalParcel.logistics_no) == bindparam("no"))
    if by_bill:
        cond = or_(cond, col(ArrivalParcel.bill_no) == bindparam("bill"))
    return query.where(cond)


_ARRIVED, _ARRIVED_BY_BILL, _ARRIVALS = _arrived(False), _arrived(True), _arrived(None)
_ARRIVED_OF = "customs.transport.arrived"  # unit cache: a list's parcel → [(parcel, arrival)]


def prefetch_arrived(session: Session, lists: Iterable[Document]) -> None:
    """The approved arrivals of these export lists' parcels (by waybill or bill of lading),
    looked up in one query for ``release_if_arrived`` (what a batch of inspection's
    answers may release). On PostgreSQL only under the answers' locks
    (``answers.lock_ahead``)."""
    if not documents.ahead(session):
        return
    keys = {_parcel_key(d) for d in lists
            if d.kind == "inventory" and d.logistics_code and d.logistics_no}

    def load(missing: set[tuple[str, str, str | None]]) -> Iterable[tuple[Any, Any]]:
        found: dict[tuple[str, str, str | None], list[Any]] = {key: [] for key in missing}
        waybills = {(code, no) for code, no, _ in missing}
        bills = {bill for _, _, bill in missing if bill}
        cond = any_of(session, (col(ArrivalParcel.logistics_code),
                                col(ArrivalParcel.logistics_no)), waybills)
        by_waybill: dict[tuple[str, str], set[Any]] = {}
        by_bill: dict[str, set[Any]] = {}
        for key in missing:
            by_waybill.setdefault(key[:2], set()).add(key)
            if key[2]:
                by_bill.setdefault(key[2], set()).add(key)
        for parcel, arrival in session.execute(_ARRIVALS.where(  # in the parcels' order
                or_(cond, col(ArrivalParcel.bill_no).in_(bills)) if bills else cond)).all():
            for key in by_waybill.get((parcel.logistics_code, parcel.logistics_no), set()) | (
                    by_bill.get(parcel.bill_no, set()) if parcel.bill_no else set()):
                found[key].append((parcel, arrival))
        return found.items()

    if keys:
        unit_lookup(session, _ARRIVED_OF, keys, load)


def _parcel_key(lst: Document) -> tuple[str, str, str | None]:
    return (lst.logistics_code or "", lst.logistics_no or "", lst.bill_no or None)


def declare_departure(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB509 record: 2, then 399 and 899 per named list, or 100 naming unreleased parcels."""
    doc = documents.declare(work, kind="departure", record=record,
                           locks=parcel_locks(record))
    if doc is None:
        return
    parcels = facts.parcels(doc)
    found = _lists(work, parcels)
    outcome = domain.departure_outcome(parcels, [facts.list_ref(d) for d in found.values()])
    if not outcome.ok:
        documents.reject(work, doc, [
            f"清单未放行 list not released: DepartureList.logisticsNo {no}"
            for no in outcome.not_released])
        return
    documents.move(work, doc, APPROVED, "海关审结 departure accepted")
    for ref in outcome.close:
        documents.move(work, found[ref.ref], CLOSED, f"结关：离境单[{doc.no}] departed")


def _lists(work: Work, parcels: domain.Parcels) -> dict[int, Document]:
    """The live lists of the parcels, by id (in id order)."""
    query = select(Document).where(Document.kind == "inventory",
                                   live())
    if parcels.logistics_nos:
        query = query.where(Document.logistics_code == parcels.logistics_code,
                            col(Document.logistics_no).in_(parcels.logistics_nos))
    elif parcels.bill_no:
        query = query.where(Document.bill_no == parcels.bill_no)
    else:
        return {}
    return {d.id: d for d in work.session.exec(query.order_by(col(Document.id)))
            if d.id is not None}


def _release(work: Work, lst: Document, arrival: Document) -> None:
    documents.move(work, lst, RELEASED,
                   f"放行：运抵单[{arrival.no}] arrived" + risk.clearance_note(lst))


risk.on_cleared("inventory:E", lambda work, lst: release_if_arrived(work=work, lst=lst))
