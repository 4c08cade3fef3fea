"""The documents an import list is matched against: the platform's order (CEB311), the
payment company's payment (CEB411) and the logistics company's waybill (CEB511); and the
waybill's status (CEB513): once the parcel is signed for, its released list closes (899).

Each one customs accepts (120) may complete lists that wait for it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from services.customs.documents import Work
from services.customs.import_ import domain as imp
from services.customs.import_ import errors, facts, lists, records
from services.customs.models import Document, live


# What a record of each of these locks besides its own key (``service._LOCKS`` takes them
# with its batch's): an order and a payment share their order's key with its lists, a
# waybill its parcel's.
def order_locks(record: dict[str, Any]) -> list[str]:
    return [lists.order_lock(record["OrderHead"])]


def payment_locks(record: dict[str, Any]) -> list[str]:
    return [lists.order_lock(record["PaymentHead"])]


def waybill_locks(record: dict[str, Any]) -> list[str]:
    return [lists.parcel_lock(record["LogisticsHead"])]


def declare_order(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB311 record: 2, then 120 (or 100 with the reasons), then waiting lists."""
    doc = records.declare(work, kind=imp.ORDER, record=record, locks=order_locks(record))
    if doc is None:
        return
    problems = imp.order_problems(facts.order(record), work.settings.amount_tolerance_ratio)
    if problems:
        records.reject(work, doc, problems)
        return
    _accept(work, doc)


def declare_payment(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB411 record: 2, then 120, then waiting lists."""
    head = record["PaymentHead"]
    lists.payment_declared(work.session, head["ebpCode"], head["orderNo"], None)
    doc = records.declare(work, kind=imp.PAYMENT, record=record, locks=payment_locks(record))
    if doc is not None:
        _accept(work, doc)
        lists.payment_declared(work.session, head["ebpCode"], head["orderNo"], doc)


def declare_waybill(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB511 record: 2, then 120 (or 100: more than one parcel), then waiting lists."""
    head = record["LogisticsHead"]
    doc = records.declare(work, kind=imp.WAYBILL, record=record, locks=waybill_locks(record))
    if doc is None:
        return
    if int(head["packNo"]) != 1:
        records.reject(work, doc, [f"CEB511 LogisticsHead.packNo {head['packNo']} must be 1"])
        return
    _accept(work, doc)


def _accept(work: Work, doc: Document) -> None:
    records.move(work, doc, imp.ACCEPTED, "海关入库")
    lists.match_waiting(work=work, by=doc)


def declare_signed(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB513 record (signed for): 2 → 120, and the parcel's released list closes (899)."""
    key = f"{record['logisticsCode']}+{record['logisticsNo']}"
    waybill = lists.accepted(work, imp.WAYBILL, record["logisticsCode"], record["logisticsNo"])
    if waybill is None:
        refusal = errors.SIGNED_NO_WAYBILL
        records.refuse(work, imp.SIGNED, record, refusal.info(key), refusal.code)
        return
    doc = records.declare(work, kind=imp.SIGNED, record=record,
                          locks=[lists.parcel_lock(record)])
    if doc is None:
        return
    records.move(work, doc, imp.ACCEPTED, "海关入库 signed for")
    lst = work.session.exec(select(Document).where(
        Document.kind == imp.LIST, Document.logistics_code == record["logisticsCode"],
        Document.logistics_no == record["logisticsNo"], Document.status == imp.RELEASED,
        live())).first()
    if lst is not None:
        records.move(work, lst, imp.CLOSED, f"结关：运单已签收 delivered at "
                                            f"{record['logisticsTime']}")
