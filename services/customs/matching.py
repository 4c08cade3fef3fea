"""The three-document match (三单对碰) of an export list: pure, values in, values out.

The list (CEB603) against its order (CEB303, by ebpCode + orderNo), its waybill (CEB505,
by logisticsCode + logisticsNo) and, before 2024-12-15, its payment receipt (CEB403):
items by gnum, amounts within the tolerance, the e-commerce enterprise. Every
disagreement is named field by field; missing documents are listed, not refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.customs.domain import fmt, within


@dataclass(frozen=True)
class Item:
    gnum: int
    item_no: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    currency: str


@dataclass(frozen=True)
class OrderFacts:
    ebc_code: str
    goods_value: Decimal
    freight: Decimal
    currency: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ReceiptFacts:
    charge: Decimal
    currency: str


@dataclass(frozen=True)
class WaybillFacts:
    ebc_code: str | None


@dataclass(frozen=True)
class InventoryFacts:
    ebc_code: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class MatchResult:
    missing: tuple[str, ...] = ()  # "order", "waybill", "receipt"
    mismatches: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatches


def line_total_problems(node: str, items: Sequence[Item], tolerance: Decimal) -> list[str]:
    """Each line's totalPrice against qty × price."""
    return [f"{node}[gnum={i.gnum}].totalPrice {fmt(i.total_price)} ≠ qty×price "
            f"{fmt(i.qty * i.price)}"
            for i in items if not within(i.total_price, i.qty * i.price, tolerance)]


def order_problems(order: OrderFacts, tolerance: Decimal) -> list[str]:
    """Customs checks of an order on its own (a failure is a 100 退单)."""
    problems = line_total_problems("OrderList", order.items, tolerance)
    total = sum((i.total_price for i in order.items), Decimal(0))
    if not within(order.goods_value, total, tolerance):
        problems.append(f"OrderHead.goodsValue {fmt(order.goods_value)} ≠ "
                        f"sum(OrderList.totalPrice) {fmt(total)}")
    return problems


def _item_mismatches(order: OrderFacts, inventory: InventoryFacts,
                     tolerance: Decimal) -> list[str]:
    out: list[str] = []
    ordered = {i.gnum: i for i in order.items}
    listed = {i.gnum: i for i in inventory.items}
    for gnum, o in ordered.items():
        i = listed.get(gnum)
        if i is None:
            out.append(f"OrderList[gnum={gnum}] has no InventoryList[gnum={gnum}]")
            continue
        left, right = f"OrderList[gnum={gnum}]", f"InventoryList[gnum={gnum}]"
        for name, a, b in (("itemNo", o.item_no, i.item_no), ("currency", o.currency, i.currency)):
            if a != b:
                out.append(f"{left}.{name} {a} ≠ {right}.{name} {b}")
        if o.qty != i.qty:
            out.append(f"{left}.qty {fmt(o.qty)} ≠ {right}.qty {fmt(i.qty)}")
        if not within(o.total_price, i.total_price, tolerance):
            out.append(f"{left}.totalPrice {fmt(o.total_price)} ≠ "
                       f"{right}.totalPrice {fmt(i.total_price)}")
    out += [f"InventoryList[gnum={g}] has no OrderList[gnum={g}]"
            for g in listed if g not in ordered]
    return out


def match_inventory(inventory: InventoryFacts, *, order: OrderFacts | None,
                    waybill: WaybillFacts | None, receipt: ReceiptFacts | None,
                    receipt_required: bool, tolerance: Decimal) -> MatchResult:
    """三单对碰 of an export list with its order, waybill and (when required) payment receipt.

    Documents not there yet are ``missing`` (the list waits); with all of them, every
    difference is one ``mismatches`` line naming both fields.
    """
    missing = tuple(name for name, doc in (("order", order), ("waybill", waybill),
                                           ("receipt", receipt if receipt_required else True))
                    if doc is None)
    if missing:
        return MatchResult(missing=missing)
    assert order is not None and waybill is not None
    out: list[str] = []
    if order.ebc_code != inventory.ebc_code:
        out.append(f"OrderHead.ebcCode {order.ebc_code} ≠ InventoryHead.ebcCode "
                   f"{inventory.ebc_code}")
    out += _item_mismatches(order, inventory, tolerance)
    listed_total = sum((i.total_price for i in inventory.items), Decimal(0))
    if not within(listed_total, order.goods_value, tolerance):
        out.append(f"sum(InventoryList.totalPrice) {fmt(listed_total)} ≠ "
                   f"OrderHead.goodsValue {fmt(order.goods_value)}")
    if receipt_required and receipt is not None:
        due = order.goods_value + order.freight
        if receipt.currency != order.currency:
            out.append(f"Receipts.currency {receipt.currency} ≠ OrderHead.currency "
                       f"{order.currency}")
        if not within(receipt.charge, due, tolerance):
            out.append(f"Receipts.charge {fmt(receipt.charge)} ≠ OrderHead.goodsValue+freight "
                       f"{fmt(due)}")
    if waybill.ebc_code is not None and waybill.ebc_code != inventory.ebc_code:
        out.append(f"Logistics.ebcCode {waybill.ebc_code} ≠ InventoryHead.ebcCode "
                   f"{inventory.ebc_code}")
    return MatchResult(mismatches=tuple(out))


MISSING_NAMES = {"order": "订单 order", "waybill": "运单 waybill", "receipt": "收款单 receipt"}


def awaiting_text(missing: Sequence[str]) -> str:
    return "awaiting " + ", ".join(MISSING_NAMES[m] for m in missing)


