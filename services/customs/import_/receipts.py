"""The receipt message about an import document: CEB312/412/512/622/624/626/712, one record.

The record guid echoes the declared record's guid; returnTime is the simulator clock in
Beijing time. Keys the XSD requires that customs has not assigned (an import list's copNo
when the enterprise sent none) carry ``无`` ("none"), as the export receipts do. A cancel
answers with its list's copNo, preNo and invtNo (``ListKeys``), as the official CEB624
sample shows; a return and a warehouse entry carry their own preNo (T…, R…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.ceb.base import ReceiptMessage
from contracts.ceb.import_receipts import (
    CEB312Message,
    CEB412Message,
    CEB512Message,
    CEB514Message,
    CEB622Message,
    CEB624Message,
    CEB626Message,
    CEB712Message,
    DeliveryReturn712,
    InventoryReturn622,
    InvtCancelReturn624,
    InvtRefundReturn626,
    LogisticsReturn512,
    LogisticsStatusReturn514,
    OrderReturn312,
    PaymentReturn412,
)
from infra.guids import new_guid
from services.customs.domain import ceb_return_time
from services.customs.import_ import domain as imp
from services.customs.models import Document

NONE = "无"
Tail = dict[str, Any]


@dataclass(frozen=True)
class ListKeys:
    """The keys of the list a cancel or return is about."""

    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str | None = None


def _guid() -> str:
    return new_guid()


def _order(doc: Document, head: dict[str, Any], tail: Tail, _keys: ListKeys) -> ReceiptMessage:
    return CEB312Message(guid=_guid(), OrderReturn=[OrderReturn312(
        guid=doc.guid, ebpCode=head["ebpCode"], ebcCode=head["ebcCode"],
        orderNo=head["orderNo"], **tail)])


def _payment(doc: Document, head: dict[str, Any], tail: Tail,
             _keys: ListKeys) -> ReceiptMessage:
    return CEB412Message(guid=_guid(), PaymentReturn=[PaymentReturn412(
        guid=doc.guid, payCode=head["payCode"], payTransactionId=head["payTransactionId"],
        **tail)])


def _waybill(doc: Document, head: dict[str, Any], tail: Tail,
             _keys: ListKeys) -> ReceiptMessage:
    return CEB512Message(guid=_guid(), LogisticsReturn=[LogisticsReturn512(
        guid=doc.guid, logisticsCode=head["logisticsCode"], logisticsNo=head["logisticsNo"],
        **tail)])


def _list(doc: Document, head: dict[str, Any], tail: Tail, _keys: ListKeys) -> ReceiptMessage:
    return CEB622Message(guid=_guid(), InventoryReturn=[InventoryReturn622(
        guid=doc.guid, customsCode=head["customsCode"], ebpCode=head["ebpCode"],
        ebcCode=head["ebcCode"], agentCode=head["agentCode"], copNo=head.get("copNo") or NONE,
        preNo=doc.pre_no, invtNo=doc.invt_no, **tail)])


def _reversal_keys(doc: Document, head: dict[str, Any], keys: ListKeys) -> dict[str, Any]:
    pre_no = doc.pre_no if doc.kind == imp.RETURN else (keys.pre_no or head.get("preNo"))
    return {"guid": doc.guid, "customsCode": head["customsCode"],
            "agentCode": head["agentCode"], "ebpCode": head["ebpCode"],
            "ebcCode": head["ebcCode"], "copNo": keys.cop_no or head.get("copNo") or NONE,
            "preNo": pre_no, "invtNo": keys.invt_no or head["invtNo"]}


def _cancel(doc: Document, head: dict[str, Any], tail: Tail, keys: ListKeys) -> ReceiptMessage:
    return CEB624Message(guid=_guid(), InvtCancelReturn=[InvtCancelReturn624(
        **_reversal_keys(doc, head, keys), **tail)])


def _return(doc: Document, head: dict[str, Any], tail: Tail, keys: ListKeys) -> ReceiptMessage:
    return CEB626Message(guid=_guid(), InvtRefundReturn=[InvtRefundReturn626(
        **_reversal_keys(doc, head, keys), **tail)])


def _delivery(doc: Document, head: dict[str, Any], tail: Tail,
              _keys: ListKeys) -> ReceiptMessage:
    return CEB712Message(guid=_guid(), DeliveryReturn=[DeliveryReturn712(
        guid=doc.guid, customsCode=head["customsCode"], operatorCode=head["operatorCode"],
        copNo=head.get("copNo"), preNo=doc.pre_no, rkdNo=doc.invt_no, **tail)])


def _signed(doc: Document, head: dict[str, Any], tail: Tail,
            _keys: ListKeys) -> ReceiptMessage:
    return CEB514Message(guid=_guid(), LogisticsStatusReturn=[LogisticsStatusReturn514(
        guid=doc.guid, logisticsCode=head["logisticsCode"], logisticsNo=head["logisticsNo"],
        logisticsStatus=head["logisticsStatus"], **tail)])


BUILDERS: dict[str, Callable[[Document, dict[str, Any], Tail, ListKeys], ReceiptMessage]] = {
    imp.ORDER: _order, imp.PAYMENT: _payment, imp.WAYBILL: _waybill, imp.LIST: _list,
    imp.CANCEL: _cancel, imp.RETURN: _return, imp.DELIVERY: _delivery, imp.SIGNED: _signed,
}


def head_of(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    node = imp.HEAD_NODE[kind]
    return record[node] if node else record


def build(doc: Document, status: str, info: str, at: datetime,
          keys: ListKeys | None = None) -> ReceiptMessage:
    """The receipt message telling ``doc``'s sender its ``status`` (one record)."""
    tail = {"returnStatus": status, "returnTime": ceb_return_time(at),
            "returnInfo": info[:1000]}
    return BUILDERS[doc.kind](doc, head_of(doc.kind, doc.record), tail, keys or ListKeys())
