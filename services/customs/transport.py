"""Arrival (CEB507 运抵单) releases approved lists; departure (CEB509 离境单) closes them.

An arrival names parcels by waybill number, or none: then it covers every list with its
bill of lading. Only a list inspection cleared is released (``risk.release_allowed``); a
list cleared after its parcel arrived is released at once (the "on cleared" callback).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam
from sqlmodel import col, or_, select
from sqlmodel.sql.expression import Select

from infra.db import id_of, new_object
from services.customs import documents, domain, facts, risk
from services.customs.documents import Work
from services.customs.domain import APPROVED, CLOSED, RELEASED
from services.customs.models import ArrivalParcel, Document, live


def declare_arrival(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB507 record: 2 (preNo), 399, then 800 for every approved list it covers."""
    head = record["ArrivalHead"]
    lines = record.get("ArrivalList") or []
    locks = [f"parcel:{head['logisticsCode']}:{line['logisticsNo']}" for line in lines]
    if not lines and head.get("billNo"):
        locks.append(f"bill:{head['billNo']}")
    doc = documents.declare(work, kind="arrival", record=record, locks=locks)
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
    found = _lists(work, parcels)
    for ref in domain.released_by_arrival(parcels, [facts.list_ref(d) for d in found.values()]):
        lst = found[ref.ref]
        if risk.release_allowed(lst):
            _release(work, lst, doc)


def release_if_arrived(*, work: Work, lst: Document) -> None:
    """A list inspection just cleared whose parcel already arrived is released (800)."""
    if lst.status not in domain.RELEASABLE_LIST_STATES or not risk.release_allowed(lst):
        return
    query = _ARRIVED_BY_BILL if lst.bill_no else _ARRIVED
    rows = work.session.execute(query, {"code": lst.logistics_code, "no": lst.logistics_no,
                                        "bill": lst.bill_no}).all()
    for parcel, arrival in rows:
        if domain.arrived(facts.list_ref(lst), [facts.arrival_parcel(parcel)]):
            _release(work, lst, arrival)
            return


def _arrived(by_bill: bool) -> Select[ArrivalParcel, Document]:
    """The approved arrivals' parcels of a list's waybill (or its bill of lading), built
    once: this runs for every list inspection clears."""
    cond: ColumnElement[bool] = (col(ArrivalParcel.logistics_code) == bindparam("code")) & (
        col(ArrivalParcel.logistics_no) == bindparam("no"))
    if by_bill:
        cond = or_(cond, col(ArrivalParcel.bill_no) == bindparam("bill"))
    return (select(ArrivalParcel, Document)
            .join(Document, col(Document.id) == col(ArrivalParcel.arrival_id))
            .where(cond, Document.status == APPROVED, live()).order_by(col(ArrivalParcel.id)))


_ARRIVED, _ARRIVED_BY_BILL = _arrived(False), _arrived(True)


def declare_departure(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB509 record: 2, then 399 and 899 per named list, or 100 naming unreleased parcels."""
    doc = documents.declare(work, kind="departure", record=record)
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
