"""Import lists (CEB621 进口清单): from declaration to release.

2 (preNo) → the list's own checks and the positive list (100) → the limits (−621005,
−621018) → 120 (invtNo …I…) → the three-document match (waits for missing documents;
100 naming every field that disagrees) → the holds: the buyer's year and quantity caps,
and for 1210 the account book → 399 → tax is asked for the bill and inspection for its
decision → 800 once both allow it (``release_if_ready``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from contracts import tax as tax_contract
from infra.caches import any_of, unit_cache, unit_lookup
from services.customs import risk
from services.customs.documents import Work, ahead, find_live, made_here
from services.customs.domain import ceb_day, fmt
from services.customs.import_ import (
    catalog,
    facts,
    holds,
    jobs,
    matching,
    quota,
    records,
    registry,
    remarks,
)
from services.customs.import_ import domain as imp
from services.customs.import_.domain import APPROVED, LIST, STORED, Listing, Treatment
from services.customs.import_.models import ImportClearance, unscaled
from services.customs.models import Document, live
from services.customs.prefetch import waiting


def list_locks(record: dict[str, Any]) -> list[str]:
    """What a CEB621 record locks besides its own key (``service._LOCKS`` too)."""
    return match_locks(record["InventoryHead"])


def match_locks(head: dict[str, Any]) -> list[str]:
    """What a list shares with its order and payment, and with its waybill."""
    return [order_lock(head), parcel_lock(head)]


def order_lock(head: dict[str, Any]) -> str:
    """What a list shares with its order and payment (by ebpCode and orderNo)."""
    return f"imp_order:{head['ebpCode']}:{head['orderNo']}"


def invt_lock(invt_no: str) -> str:
    """What tax's answer about a list, inspection's (either may release it) and a cancel
    or return of it share."""
    return f"imp_invt:{invt_no}"


def parcel_lock(head: dict[str, Any]) -> str:
    """What a list shares with its waybill (by logisticsCode and logisticsNo)."""
    return f"imp_parcel:{head['logisticsCode']}:{head['logisticsNo']}"


def declare_list(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB621 record: 2, its own checks, the limits, 120, then the match."""
    head = record["InventoryHead"]
    doc = records.declare(work, kind=LIST, record=record, locks=list_locks(record))
    if doc is None:
        return
    listing = facts.listing(record)
    tolerance = work.settings.amount_tolerance_ratio
    problems = imp.list_problems(listing, tolerance)
    problems += remarks.positive_list_problems(listing, catalog.positive_list())
    if problems:
        records.reject(work, doc, problems)
        return
    verdict, used = _treatment(work, listing)
    if not verdict.admitted:
        _refuse_limit(work, doc, listing, verdict, used)
        return
    if doc.invt_no is None:
        doc.invt_no = records.new_number(work, LIST, head["customsCode"])
    records.move(work, doc, STORED, f"海关入库[{doc.invt_no}]")
    match(work=work, doc=doc)


def _treatment(work: Work, listing: Listing) -> tuple[Treatment, Decimal]:
    used = unscaled(quota.used(work.session, buyer_id=listing.buyer_id,
                               year=ceb_day(work.now).year))
    verdict = imp.treatment(listing.dutiable_value, single_item=imp.indivisible(listing),
                            used_this_year=used, limits=holds.limits(work))
    return verdict, used


def _refuse_limit(work: Work, doc: Document, listing: Listing, verdict: Treatment,
                  used: Decimal) -> None:
    status = imp.OVER_SINGLE if verdict is Treatment.OVER_SINGLE else imp.OVER_YEAR
    text = imp.refusal_text(verdict, listing.dutiable_value, used, holds.limits(work))
    records.reject(work, doc, [text], status=status)


# ------------------------------------------------------------------ the match


def match(*, work: Work, doc: Document) -> None:
    """三单对碰 of a list at 120: wait, reject (100), or hold and approve (399)."""
    listing = facts.listing(doc.record)
    order = accepted(work, imp.ORDER, doc.ebp_code, doc.order_no)
    payment = accepted_payment(work, doc.ebp_code, doc.order_no)
    waybill = accepted(work, imp.WAYBILL, doc.logistics_code, doc.logistics_no)
    parties: Iterable[str] = ()
    if order and payment and waybill:
        head = doc.record["InventoryHead"]
        parties = [head.get(k) or "" for k in ("ebpCode", "ebcCode", "logisticsCode",
                                                "agentCode", "areaCode")]
        parties = [*parties, payment.record["PaymentHead"]["payCode"]]
    result = matching.match(
        listing, order=facts.order(order.record) if order else None,
        payment=facts.payment(payment.record) if payment else None,
        waybill=facts.waybill(waybill.record) if waybill else None,
        tolerance=work.settings.amount_tolerance_ratio,
        certified=listing.buyer_id in work.settings.import_certified_buyers,
        registry=registry.registration(work.settings, parties) if parties else None)
    if not result.complete:
        records.note(work, doc, STORED, matching.awaiting_text(result.missing))
        return
    if result.mismatches:
        records.reject(work, doc, list(result.mismatches))
        return
    admit(work=work, doc=doc, listing=listing)


def accepted(work: Work, kind: str, party: str | None, no: str | None) -> Document | None:
    """The live document of ``kind`` with this key, if customs accepted it (120)."""
    if party is None or no is None:
        return None
    doc = find_live(work.session, kind, party, no)
    return doc if doc is not None and doc.status == imp.ACCEPTED else None


# Built once: the list hot path runs them for every document (only parameters change).
_PAYMENT = select(Document).where(
    Document.kind == imp.PAYMENT, Document.ebp_code == bindparam("party"),
    Document.order_no == bindparam("no"), Document.status == imp.ACCEPTED,
    live()).order_by(col(Document.id).desc())


BY_WAYBILL = waiting(LIST, "logistics_code", "logistics_no")
BY_ORDER = waiting(LIST, "ebp_code", "order_no")  # orders and payments


def accepted_payment(work: Work, ebp_code: str | None, order_no: str | None) -> Document | None:
    """The accepted payment (CEB411) of the order ``ebp_code`` + ``order_no`` (from the
    batch's lookup, ``prefetch_payments``, unless a payment of it came since)."""
    known = unit_cache(work.session, _PAYMENTS)
    if (ebp_code, order_no) in known:
        found: Document | None = known[(ebp_code, order_no)]
        return found
    return work.session.exec(_PAYMENT, params={"party": ebp_code, "no": order_no}).first()


_PAYMENTS = "customs.import.payments"  # unit cache: (ebpCode, orderNo) → accepted payment


def prefetch_payments(session: Session, orders: set[tuple[str, str]]) -> None:
    """The accepted payments of these orders (ebpCode, orderNo), looked up in one query
    for the lists of a batch (``accepted_payment``); on PostgreSQL only under the batch's
    locks (``documents.ahead``)."""
    if not orders or not ahead(session):
        return

    def load(missing: set[tuple[str, str]]) -> dict[tuple[str, str], Document]:
        found: dict[tuple[str, str], Document] = {}
        for doc in session.exec(select(Document).where(
                Document.kind == imp.PAYMENT, Document.status == imp.ACCEPTED, live(),
                any_of(session, (col(Document.ebp_code), col(Document.order_no)), missing))
                .order_by(col(Document.id).desc())):
            found.setdefault((doc.ebp_code or "", doc.order_no or ""), doc)
        return found

    unit_lookup(session, _PAYMENTS, orders, lambda missing: load(missing).items())


def payment_declared(session: Session, ebp_code: str, order_no: str,
                     doc: Document | None) -> None:
    """A payment of this order is being declared (``doc`` None), or was (``doc``: the
    payment, if it was stored): looked up again, or known (a new payment accepted is the
    latest: what ``accepted_payment`` answers)."""
    known = unit_cache(session, _PAYMENTS)
    known.pop((ebp_code, order_no), None)
    if (doc is not None and doc.status == imp.ACCEPTED and not doc.deleted
            and made_here(session, doc) and ahead(session)):  # (on PostgreSQL: under the
        known[(ebp_code, order_no)] = doc  # batch's locks, the payment's order among them)


def match_waiting(*, work: Work, by: Document) -> int:
    """Match the lists at 120 that wait for ``by`` (an accepted order, payment or waybill)."""
    if by.kind == imp.WAYBILL:
        found = BY_WAYBILL.lists(work.session, by.logistics_code, by.logistics_no)
    else:
        found = BY_ORDER.lists(work.session, by.ebp_code, by.order_no)
    for doc in found:
        match(work=work, doc=doc)
    return len(found)


# ------------------------------------------------------------------ holds and approval


def admit(*, work: Work, doc: Document, listing: Listing) -> None:
    """Hold the buyer's quota, quantity caps and (1210) stock, all or none; then 399."""
    verdict, used = _treatment(work, listing)
    if not verdict.admitted:
        _refuse_limit(work, doc, listing, verdict, used)
        return
    try:
        clearance = holds.hold(work, doc, listing, verdict)
    except holds.Refused as refused:
        records.reject(work, doc, refused.problems, status=refused.status)
        return
    treatment = "在限值内 within the limits" if verdict is Treatment.IN_LIMIT else \
        "单件不可分割商品超过单次限值，按货物税率全额征税 single item over the limit, full tax"
    records.move(work, doc, APPROVED, f"海关审结：三单对碰通过 order/payment/waybill match; "
                                      f"{treatment}")
    ask_tax(work=work, doc=doc, clearance=clearance, listing=listing)
    risk.ask(work=work, doc=doc)


# ------------------------------------------------------------------ tax and release


def ask_tax(*, work: Work, doc: Document, clearance: ImportClearance,
            listing: Listing) -> None:
    """Ask tax for the list's bill (sent after commit; tax answers ``tax_assessed``)."""
    head = doc.record["InventoryHead"]
    lines = tuple(tax_contract.TaxLine(
        gnum=line.gnum, gcode=line.gcode, gname=line.gname, qty=line.qty, unit=line.unit,
        qty1=line.qty1, unit1=line.unit1, totalPrice=line.total_price)
        for line in listing.lines)
    assert doc.invt_no is not None
    request = tax_contract.TaxRequest(
        invtNo=doc.invt_no, invtGuid=doc.guid, orderNo=listing.order_no,
        logisticsNo=listing.logistics_no, tradeMode=listing.trade_mode,
        customsCode=head.get("customsCode"), ebpCode=listing.ebp_code,
        ebcCode=listing.ebc_code, logisticsCode=listing.logistics_code,
        agentCode=listing.agent_code, assureCode=listing.assure_code,
        buyerIdNumber=listing.buyer_id, freight=listing.freight,
        insuredFee=listing.insured_fee,
        inLimit=clearance.treatment == Treatment.IN_LIMIT.value, recipient=doc.sender,
        conversationId=doc.conversation_id, messageId=doc.message_id, lines=lines,
        askedAt=work.now)
    jobs.request(work.session, tax_contract.ASK_QUEUE, tax_contract.ASSESS,
                 request.model_dump(mode="json"))
    clearance.tax_state = "requested"


def tell_tax(work: Work, invt_no: str, event: tax_contract.ListEventKind, at: datetime,
             returned: dict[int, Decimal] | None = None) -> None:
    """Tell tax what happened to a list it has (or will have) a bill for."""
    message = tax_contract.ListEvent(invtNo=invt_no, event=event, at=at,
                                     returned=returned or {})
    jobs.request(work.session, tax_contract.ASK_QUEUE, tax_contract.LIST_EVENT,
                 message.model_dump(mode="json"))


def release_if_ready(*, work: Work, doc: Document) -> bool:
    """Release (800) a list at 399/500 once its tax bill is issued (the guarantee covers
    it) and inspection cleared it; tax then falls due from day 31. True if released."""
    if doc.deleted or doc.status not in imp.RELEASABLE_LIST_STATES:
        return False
    clearance = holds.clearance_of(work, doc)
    if clearance is None or clearance.tax_state != "issued" or not risk.release_allowed(doc):
        return False
    records.move(work, doc, imp.RELEASED, f"放行 released; 电子税单 {clearance.tax_no} tax "
                 f"{fmt(clearance.tax_total)} CNY" + risk.clearance_note(doc))
    clearance.released_at = doc.updated_at
    assert doc.invt_no is not None
    tell_tax(work, doc.invt_no, "released", doc.updated_at)
    return True
