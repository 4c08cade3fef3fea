"""Undoing an import list: cancel before release (CEB623), return after it (CEB625), and
the goods coming back (CEB711 入库明细单).

A cancel of a list not yet released (120, 399, 500) is accepted 2 → 120 → 399: the list is
withdrawn, the buyer's year and caps and the 1210 stock are given back, and the tax bill
is cancelled. A return applied for within 30 days of release is accepted (2 → 120) and
waits for its goods: a warehouse entry naming the parcel within 45 days of release
completes it (399: tax cancelled for what came back, the buyer's year restored, 1210 stock
back in the book); after that it fails (100). A return applied for later is refused (100).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from infra.db import id_of
from services.customs import documents
from services.customs.documents import Work
from services.customs.domain import fmt
from services.customs.import_ import domain as imp
from services.customs.import_ import errors, facts, holds, jobs, lists, records, returns
from services.customs.import_.domain import APPROVED, CANCEL, LIST, RETURN, STORED
from services.customs.import_.models import ImportClearance
from services.customs.import_.receipts import ListKeys
from services.customs.models import Document, live

CANCELLABLE = frozenset({STORED, APPROVED, imp.INSPECTING})
RETURNABLE = frozenset({imp.RELEASED, imp.CLOSED})
RETURN_DEADLINE = "services.customs.import_.tasks.return_deadline"


def windows(work: Work) -> returns.Windows:
    return returns.Windows(apply_days=work.settings.import_return_apply_days,
                       back_days=work.settings.import_return_back_days)


def _list_for(work: Work, head: dict[str, Any], *, withdrawn: bool = False) -> Document | None:
    """The sender's live list with the request's invtNo (or a withdrawn one)."""
    query = select(Document).where(Document.kind == LIST, Document.invt_no == head["invtNo"],
                                   Document.sender == work.sender)
    if not withdrawn:
        query = query.where(live())
    return work.session.exec(query.order_by(col(Document.id).desc())).first()


def _keys(lst: Document | None) -> ListKeys:
    if lst is None:
        return ListKeys()
    return ListKeys(cop_no=lst.cop_no, pre_no=lst.pre_no, invt_no=lst.invt_no)


# ------------------------------------------------------------------ cancel


def cancel_locks(record: dict[str, Any]) -> list[str]:
    """What a CEB623 record locks first (``service._LOCKS`` too): its list's invtNo."""
    return [lists.invt_lock(record["invtNo"])]


def return_locks(record: dict[str, Any]) -> list[str]:
    """What a CEB625 record locks first (``service._LOCKS`` too): its list's invtNo."""
    return [lists.invt_lock(record["InvtRefundHead"]["invtNo"])]


def declare_cancel(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB623 record: refused (−623003/−623005/−623009) or 2 → 120 → 399, list withdrawn."""
    # before the list is read: tax's or inspection's answer may be releasing it meanwhile
    documents.lock(work, cancel_locks(record))
    key = f"{record['agentCode']}+{record['invtNo']}"
    asked = documents.find_live(work.session, CANCEL, record["agentCode"],
                                record["invtNo"]) is not None
    lst = _list_for(work, record, withdrawn=asked)  # asked before: declare refuses (-623009)
    if lst is not None and documents.lock(work, lists.match_locks(lst.record["InventoryHead"])):
        work.session.refresh(lst)  # read before its match's keys: the match may have moved it
    if not asked and (lst is None or lst.status not in CANCELLABLE):
        refusal = errors.CANCEL_LIST_NOT_FOUND if lst is None else errors.CANCEL_RELEASED
        records.refuse(work, CANCEL, record, refusal.info(key), refusal.code, keys=_keys(lst))
        return
    keys = _keys(lst)
    doc = records.declare(work, kind=CANCEL, record=record, keys=keys)
    if doc is None or lst is None:
        return
    records.move(work, doc, STORED, "海关入库 cancel accepted", keys=keys)
    clearance = holds.clearance_of(work, lst)
    if clearance is not None:
        holds.give_back(work=work, clearance=clearance, share=Decimal(1), reason="cancel",
                        ref=doc.guid)
        clearance.cancelled_at = work.now
        if clearance.tax_state != "none":
            lists.tell_tax(work, clearance.invt_no, "cancelled", work.now)
    records.note(work, lst, lst.status, f"撤销 cancelled by CEB623 [{doc.guid}]: "
                                        f"{record['reason']}")
    lst.deleted = True
    records.move(work, doc, APPROVED, f"海关审结：清单[{lst.invt_no}]已撤销 list cancelled",
                 keys=keys)


# ------------------------------------------------------------------ return


def declare_return(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB625 record: refused, or 2 → 120 (waiting for the goods) or 100 (too late)."""
    head = record["InvtRefundHead"]
    documents.lock(work, return_locks(record))  # before the list, as a cancel
    lst = _list_for(work, head)
    key = f"{head['agentCode']}+{head['invtNo']}"
    if lst is None or lst.status not in RETURNABLE:
        refusal = errors.RETURN_LIST_NOT_FOUND if lst is None else errors.RETURN_NOT_RELEASED
        records.refuse(work, RETURN, record, refusal.info(key), refusal.code, keys=_keys(lst))
        return
    asked = [(int(line["gnum"]), str(line["gcode"]), Decimal(str(line["qty"])))
             for line in record["InvtRefundList"]]
    problems = returns.return_line_problems(facts.listing(lst.record).lines, asked)
    if problems:
        records.refuse(work, RETURN, record, errors.RETURN_LINES.info("; ".join(problems)),
                       errors.RETURN_LINES.code, keys=_keys(lst))
        return
    keys = _keys(lst)
    doc = records.declare(work, kind=RETURN, record=record, keys=keys)
    if doc is None:
        return
    clearance = holds.clearance_of(work, lst)
    assert clearance is not None and clearance.released_at is not None
    released, win = clearance.released_at, windows(work)
    days = returns.days_since_release(released, work.now)
    if not returns.return_applied_in_time(released, work.now, win):
        records.reject(work, doc, [f"退货申请超过放行之日起{win.apply_days}日 applied on day "
                                   f"{days} after release ({released.date()}); the tax stands"],
                       keys=keys)
        return
    deadline = returns.goods_back_deadline(released, win)
    records.move(work, doc, STORED, f"海关入库：待退货商品运回 awaiting the goods back at the "
                 f"site or zone by day {win.back_days} ({deadline.date()})", keys=keys)
    clearance.return_state = "pending"
    lists.tell_tax(work, clearance.invt_no, "return_pending", work.now)
    doc_id = id_of(work.session, doc)
    jobs.request(work.session, "customs", RETURN_DEADLINE, doc_id, due_at=deadline,
                 key=f"import-return-deadline-{doc_id}")


def delivery_locks(record: dict[str, Any]) -> list[str]:
    """What a CEB711 record locks first (``service._LOCKS`` too): its parcels, each a
    return may be waiting for (as a return's deadline does)."""
    head = record["DeliveryHead"]
    return [lists.parcel_lock({"logisticsCode": head["logisticsCode"],
                               "logisticsNo": str(line["logisticsNo"])})
            for line in record["DeliveryList"]]


def lock_return(session: Session, return_id: int) -> None:
    """Before a return's deadline decides: on PostgreSQL, lock its list's key and its
    parcel's (what a cancel, a return and the parcel's warehouse entry lock), then read the
    return again: its goods may have come back meanwhile."""
    ret = session.get(Document, return_id)
    if ret is None or ret.kind != RETURN or not documents.locking(session):
        return
    invt_no = ret.record["InvtRefundHead"]["invtNo"]
    lst = _list_of(session, invt_no)  # (its parcel does not change once it is released)
    keys = [lists.invt_lock(invt_no)]
    if lst is not None:
        keys.append(lists.parcel_lock(lst.record["InventoryHead"]))
    documents.lock_keys(session, keys)
    session.refresh(ret)


def return_deadline(*, work: Work, return_id: int) -> str:
    """Day 46 after release: a return still waiting for its goods fails (100)."""
    doc = work.session.get(Document, return_id)
    if doc is None or doc.kind != RETURN or doc.status != STORED:
        return "nothing to do"
    lst, clearance = _returned_list(work, doc)
    records.reject(work, doc, [f"退货商品未在放行之日起{windows(work).back_days}日内运回 the "
                               "goods did not come back in time; the tax stands"],
                   keys=_keys(lst))
    if clearance is not None:
        clearance.return_state = "failed"
        lists.tell_tax(work, clearance.invt_no, "return_failed", work.now)
    return "return failed"


def _returned_list(work: Work, ret: Document) -> tuple[Document | None,
                                                       ImportClearance | None]:
    lst = _list_of(work.session, ret.record["InvtRefundHead"]["invtNo"])
    return lst, (holds.clearance_of(work, lst) if lst is not None else None)


def _list_of(session: Session, invt_no: str) -> Document | None:
    """The live list ``invt_no`` names."""
    return session.exec(select(Document).where(
        Document.kind == LIST, Document.invt_no == invt_no, live())).first()


def goods_back(*, work: Work, logistics_code: str, logistics_no: str, ref: str) -> list[str]:
    """A parcel entered the site or zone: complete the return waiting for it (if any)."""
    lst = work.session.exec(select(Document).where(
        Document.kind == LIST, Document.logistics_code == logistics_code,
        Document.logistics_no == logistics_no, live())).first()
    if lst is None or lst.invt_no is None:
        return []
    ret = work.session.exec(select(Document).where(
        Document.kind == RETURN, Document.party_code == lst.record["InventoryHead"]["agentCode"],
        Document.no == lst.invt_no, Document.status == STORED,
        live())).first()
    if ret is None:
        return []
    _complete(work, ret, lst, ref)
    return [lst.invt_no]


def _complete(work: Work, ret: Document, lst: Document, ref: str) -> None:
    clearance = holds.clearance_of(work, lst)
    assert clearance is not None and clearance.released_at is not None
    keys, win = _keys(lst), windows(work)
    if not returns.goods_back_in_time(clearance.released_at, work.now, win):
        return  # the deadline job fails it
    listed = facts.listing(lst.record).lines
    returned = {int(line["gnum"]): Decimal(str(line["qty"]))
                for line in ret.record["InvtRefundList"]}
    share = returns.returned_share(listed, returned)
    stock = {line.item_record_no: returned[line.gnum] for line in listed
             if line.gnum in returned and line.item_record_no}
    holds.give_back(work=work, clearance=clearance, share=share, reason="return", ref=ret.guid,
                    returned=stock)
    clearance.return_state, clearance.returned_at = "done", work.now
    lists.tell_tax(work, clearance.invt_no, "returned", work.now, returned)
    percent = fmt(imp.money(share * 100))
    records.move(work, ret, APPROVED, f"海关审结：退货商品已运回[{ref}] goods back; tax "
                 f"cancelled for {percent}% of the goods, the buyer's yearly total restored",
                 keys=keys)
    records.note(work, lst, lst.status, f"退货 returned by CEB625 [{ret.guid}]")


# ------------------------------------------------------------------ warehouse entry


def declare_delivery(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB711 record: 2 → 120 (rkdNo) → 399; a parcel of a pending return completes it."""
    documents.lock(work, delivery_locks(record))  # before a return is read, as its deadline
    doc = records.declare(work, kind=imp.DELIVERY, record=record)
    if doc is None:
        return
    head = record["DeliveryHead"]
    doc.invt_no = records.new_number(work, imp.DELIVERY, head["customsCode"])  # the rkdNo
    records.move(work, doc, STORED, f"海关入库[{doc.invt_no}]")
    completed: list[str] = []
    for line in record["DeliveryList"]:
        completed += goods_back(work=work, logistics_code=head["logisticsCode"],
                                logistics_no=str(line["logisticsNo"]), ref=doc.invt_no)
    info = "海关审结 entry accepted"
    if completed:
        info += "; 退货商品运回 returns completed: " + ", ".join(completed)
    records.move(work, doc, APPROVED, info)
