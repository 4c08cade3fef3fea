"""Export lists (CEB603 申报清单): customs checks, the three-document match, waiting lists.

A list at 120 whose order, waybill or (before 2024-12-15) payment receipt has not come yet
waits; the document that completes it triggers the match (``match_waiting``).
"""

from __future__ import annotations

from typing import Any

from services.customs import documents, domain, facts, matching, prefetch, risk
from services.customs.documents import Work
from services.customs.domain import APPROVED, STORED
from services.customs.models import Document


def locks(record: dict[str, Any]) -> list[str]:
    """What a list shares with its order, payment receipt and waybill, and with the
    arrival of its parcel (besides its own key)."""
    head = record["InventoryHead"]
    keys = [f"order:{head['ebpCode']}:{head['orderNo']}",
            f"receipt:{head['ebcCode']}:{head['orderNo']}",
            f"waybill:{head['logisticsCode']}:{head['logisticsNo']}",
            f"parcel:{head['logisticsCode']}:{head['logisticsNo']}"]
    if head.get("billNo"):
        keys.append(f"bill:{head['billNo']}")
    return keys


def declare_inventory(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB603 record: 2 (preNo), checks, 120 (invtNo), then the match."""
    head = record["InventoryHead"]
    doc = documents.declare(work, kind="inventory", record=record, locks=locks(record))
    if doc is None:
        return
    tolerance = work.settings.amount_tolerance_ratio
    problems = matching.line_total_problems("InventoryList", facts.inventory(record).items,
                                          tolerance)
    if problems:
        documents.reject(work, doc, problems)
        return
    if doc.invt_no is None:
        doc.invt_no = documents.new_invt_no(work, head["customsCode"])
    documents.move(work, doc, STORED, f"海关入库[{doc.invt_no}]")
    match(work=work, doc=doc)


def match(*, work: Work, doc: Document) -> None:
    """三单对碰 of a list at 120: wait, reject (100) or approve (399) and ask inspection.

    Release follows once inspection cleared the list and its parcel arrived (risk.py)."""
    order = _accepted(work, "order", doc.ebp_code, doc.order_no)
    waybill = _accepted(work, "waybill", doc.logistics_code, doc.logistics_no)
    receipt = _accepted(work, "receipt", doc.ebc_code, doc.order_no)
    result = matching.match_inventory(
        facts.inventory(doc.record),
        order=facts.order(order.record) if order else None,
        waybill=facts.waybill(waybill.record) if waybill else None,
        receipt=facts.receipt(receipt.record) if receipt else None,
        receipt_required=domain.receipt_required(
            work.now, work.settings.export_receipt_not_required_from),
        tolerance=work.settings.amount_tolerance_ratio)
    if not result.complete:
        documents.note(work, doc, STORED, matching.awaiting_text(result.missing))
        return
    if result.mismatches:
        documents.reject(work, doc, list(result.mismatches))
        return
    documents.move(work, doc, APPROVED, "海关审结：三单对碰通过 order/waybill match")
    risk.ask(work=work, doc=doc)


WAITING = {  # the lists at 120 each kind of document completes
    "order": prefetch.waiting("inventory", "ebp_code", "order_no"),
    "receipt": prefetch.waiting("inventory", "ebc_code", "order_no"),
    "waybill": prefetch.waiting("inventory", "logistics_code", "logistics_no")}


def match_waiting(*, work: Work, by: Document) -> int:
    """Match the lists at 120 that wait for ``by`` (an accepted order, receipt or waybill)."""
    party, no = (getattr(by, name) for name in documents.REFERS_BY[by.kind])
    waiting = WAITING[by.kind].lists(work.session, party, no)
    for doc in waiting:
        match(work=work, doc=doc)
    return len(waiting)


def _accepted(work: Work, kind: domain.Kind, party: str | None,
              no: str | None) -> Document | None:
    """The document of ``kind`` with this key, if customs accepted it (120 or 399)."""
    if party is None or no is None:
        return None
    doc = documents.find_live(work.session, kind, party, no)
    return doc if doc is not None and doc.status == domain.ACCEPTED[kind] else None
