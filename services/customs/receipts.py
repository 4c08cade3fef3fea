"""The receipt message about a document: CEB304/404/506/508/510/604, one record each.

The record guid echoes the declared record's guid; returnTime is the simulator clock in
Beijing time. Fields the XSD requires but customs has not assigned yet (an invtNo before
120, the billNo of a postal arrival without one) carry ``无`` ("none", the CEB convention
for barCode/ebpCode): the XSD allows an empty value there, our contract models do not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from contracts.ceb.base import ReceiptMessage
from contracts.ceb.export_receipts import (
    ArrivalReturn508,
    CEB304Message,
    CEB404Message,
    CEB506Message,
    CEB508Message,
    CEB510Message,
    CEB604Message,
    DepartureReturn510,
    InventoryReturn604,
    LogisticsReturn506,
    OrderReturn304,
    ReceiptsReturn404,
)
from infra.guids import new_guid
from services.customs import domain
from services.customs.models import Document

NONE = "无"
Tail = dict[str, Any]


def _order(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB304Message(guid=_guid(), OrderReturn=[OrderReturn304(
        guid=doc.guid, ebpCode=head["ebpCode"], ebcCode=head["ebcCode"],
        orderNo=head["orderNo"], **tail)])


def _receipt(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB404Message(guid=_guid(), ReceiptsReturn=[ReceiptsReturn404(
        guid=doc.guid, ebcCode=head["ebcCode"], orderNo=head["orderNo"],
        payNo=head.get("payNo"), **tail)])


def _waybill(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB506Message(guid=_guid(), LogisticsReturn=[LogisticsReturn506(
        guid=doc.guid, logisticsCode=head["logisticsCode"], logisticsNo=head["logisticsNo"],
        **tail)])


def _inventory(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB604Message(guid=_guid(), InventoryReturn=[InventoryReturn604(
        guid=doc.guid, agentCode=head["agentCode"], copNo=head["copNo"], preNo=doc.pre_no,
        invtNo=doc.invt_no or NONE, ebcCode=head["ebcCode"], ebpCode=head["ebpCode"],
        orderNo=head["orderNo"], statisticsFlag=head["statisticsFlag"], **tail)])


def _arrival(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB508Message(guid=_guid(), ArrivalReturn=[ArrivalReturn508(
        guid=doc.guid, operatorCode=head["operatorCode"], logisticsCode=head["logisticsCode"],
        preNo=doc.pre_no, copNo=head["copNo"], billNo=head.get("billNo") or NONE,
        msgSeqNo=head["msgSeqNo"], **tail)])


def _departure(doc: Document, head: dict[str, Any], tail: Tail) -> ReceiptMessage:
    return CEB510Message(guid=_guid(), DepartureReturn=[DepartureReturn510(
        guid=doc.guid, logisticsCode=head["logisticsCode"], copNo=head["copNo"],
        preNo=doc.pre_no, msgSeqNo=head["msgSeqNo"], **tail)])


BUILDERS: dict[str, Callable[[Document, dict[str, Any], Tail], ReceiptMessage]] = {
    "order": _order, "receipt": _receipt, "waybill": _waybill, "inventory": _inventory,
    "arrival": _arrival, "departure": _departure,
}


def build(doc: Document, status: str, info: str, at: datetime) -> ReceiptMessage:
    """The receipt message telling ``doc``'s sender its ``status`` (one record)."""
    node = domain.HEAD_NODE[doc.kind]  # type: ignore[index]
    head = doc.record[node] if node else doc.record
    tail = {"returnStatus": status, "returnTime": domain.ceb_return_time(at),
            "returnInfo": info[:1000]}
    return BUILDERS[doc.kind](doc, head, tail)


def _guid() -> str:
    return new_guid()
