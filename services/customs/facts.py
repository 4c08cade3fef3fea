"""Stored records (JSON mirrors) read into the values the pure rules take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.customs.domain import ListRef, Parcels
from services.customs.matching import (
    InventoryFacts,
    Item,
    OrderFacts,
    ReceiptFacts,
    WaybillFacts,
)
from services.customs.models import ArrivalParcel, Document


def _items(lines: list[dict[str, Any]]) -> tuple[Item, ...]:
    return tuple(Item(gnum=int(line["gnum"]), item_no=str(line["itemNo"]),
                      qty=Decimal(str(line["qty"])), price=Decimal(str(line["price"])),
                      total_price=Decimal(str(line["totalPrice"])),
                      currency=str(line["currency"])) for line in lines)


def order(record: dict[str, Any]) -> OrderFacts:
    head = record["OrderHead"]
    return OrderFacts(ebc_code=head["ebcCode"], goods_value=Decimal(str(head["goodsValue"])),
                      freight=Decimal(str(head["freight"])), currency=head["currency"],
                      items=_items(record["OrderList"]))


def inventory(record: dict[str, Any]) -> InventoryFacts:
    return InventoryFacts(ebc_code=record["InventoryHead"]["ebcCode"],
                          items=_items(record["InventoryList"]))


def receipt(record: dict[str, Any]) -> ReceiptFacts:
    return ReceiptFacts(charge=Decimal(str(record["charge"])), currency=record["currency"])


def waybill(record: dict[str, Any]) -> WaybillFacts:
    return WaybillFacts(ebc_code=record.get("ebcCode"))


def list_ref(doc: Document) -> ListRef:
    assert doc.id is not None
    return ListRef(ref=doc.id, logistics_code=doc.logistics_code or "",
                   logistics_no=doc.logistics_no or "", bill_no=doc.bill_no, status=doc.status)


def parcels(doc: Document) -> Parcels:
    """The parcels an arrival or departure names (none named: the bill of lading's)."""
    head = doc.record["ArrivalHead" if doc.kind == "arrival" else "DepartureHead"]
    lines = doc.record.get("ArrivalList" if doc.kind == "arrival" else "DepartureList") or []
    return Parcels(logistics_code=head["logisticsCode"],
                   logistics_nos=tuple(str(line["logisticsNo"]) for line in lines),
                   bill_no=head.get("billNo"))


def arrival_parcel(row: ArrivalParcel) -> Parcels:
    nos = (row.logistics_no,) if row.logistics_no else ()
    return Parcels(logistics_code=row.logistics_code, logistics_nos=nos,
                   bill_no=None if nos else row.bill_no)
