"""Pure rules of retail imports (9610 direct purchase, 1210 bonded): values in, values out.

Kinds of document: ``imp_order`` (CEB311), ``imp_payment`` (CEB411), ``imp_waybill``
(CEB511), ``imp_list`` (CEB621 进口清单), ``imp_cancel`` (CEB623), ``imp_return`` (CEB625),
``imp_delivery`` (CEB711), ``imp_signed`` (CEB513). The rules: numbers, the state machine,
the list's own checks and the limits (the positive list's remarks are in ``remarks.py``,
the three-document match in ``matching.py``, the return windows in ``returns.py``).
No session, no clock (``now`` is an argument); money and quantities are ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.customs.domain import (
    INSPECTING,
    REFUSED_BY_INSPECTION,
    fmt,
    within,
)

ORDER, PAYMENT, WAYBILL, LIST = "imp_order", "imp_payment", "imp_waybill", "imp_list"
CANCEL, RETURN, DELIVERY = "imp_cancel", "imp_return", "imp_delivery"
SIGNED = "imp_signed"  # CEB513 运单状态: the parcel was signed for
KINDS = (ORDER, PAYMENT, WAYBILL, LIST, CANCEL, RETURN, DELIVERY, SIGNED)

DRAFT, DECLARED, REJECTED, STORED, APPROVED, RELEASED, CLOSED = (
    "1", "2", "100", "120", "399", "800", "899")
OVER_SINGLE, OVER_YEAR = "-621005", "-621018"  # the spec's codes for the two limits

MESSAGE_KIND: dict[str, str] = {
    "CEB311Message": ORDER, "CEB411Message": PAYMENT, "CEB511Message": WAYBILL,
    "CEB621Message": LIST, "CEB623Message": CANCEL, "CEB625Message": RETURN,
    "CEB711Message": DELIVERY, "CEB513Message": SIGNED,
}
HEAD_NODE: dict[str, str | None] = {
    ORDER: "OrderHead", PAYMENT: "PaymentHead", WAYBILL: "LogisticsHead",
    LIST: "InventoryHead", CANCEL: None, RETURN: "InvtRefundHead", DELIVERY: "DeliveryHead",
    SIGNED: None,
}
ITEM_NODE: dict[str, str] = {ORDER: "OrderList", LIST: "InventoryList",
                             RETURN: "InvtRefundList", DELIVERY: "DeliveryList"}
# (party, number) of each kind; a list is one per order (ebpCode + orderNo).
BUSINESS_KEY: dict[str, tuple[str, str]] = {
    ORDER: ("ebpCode", "orderNo"), PAYMENT: ("payCode", "payTransactionId"),
    WAYBILL: ("logisticsCode", "logisticsNo"), LIST: ("ebpCode", "orderNo"),
    CANCEL: ("agentCode", "invtNo"), RETURN: ("agentCode", "invtNo"),
    DELIVERY: ("operatorCode", "copNo"), SIGNED: ("logisticsCode", "logisticsNo"),
}
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    ORDER: ("ebpCode", "ebcCode", "orderNo"),
    PAYMENT: ("payCode", "payTransactionId", "ebpCode", "orderNo"),
    WAYBILL: ("logisticsCode", "logisticsNo", "orderNo"),
    LIST: ("agentCode", "copNo", "ebpCode", "ebcCode", "orderNo", "logisticsCode",
           "logisticsNo", "emsNo", "tradeMode"),
    CANCEL: ("agentCode", "invtNo", "orderNo"),
    RETURN: ("agentCode", "invtNo", "orderNo"),
    DELIVERY: ("operatorCode", "copNo", "billNo"),
    SIGNED: ("logisticsCode", "logisticsNo", "logisticsStatus"),
}
# preNo letters as the official samples show them (a cancel answers with its list's).
PRE_NO_PREFIX: dict[str, str] = {LIST: "B", RETURN: "T", DELIVERY: "R"}
# What customs accepts each document with (CEB312/412/512/624/626/712 carry 2 → 120).
ACCEPTED = STORED

# Transitions after a (re)declaration; declaring itself (to 1 or 2) is the appType rule.
FLOW: dict[str, dict[str, frozenset[str]]] = {
    ORDER: {DECLARED: frozenset({STORED, REJECTED})},
    PAYMENT: {DECLARED: frozenset({STORED, REJECTED})},
    WAYBILL: {DECLARED: frozenset({STORED, REJECTED})},
    LIST: {DECLARED: frozenset({STORED, REJECTED, OVER_SINGLE, OVER_YEAR}),
           STORED: frozenset({APPROVED, REJECTED, OVER_YEAR}),
           # inspection (services/customs/risk.py): 500 查验, then release or a refusal
           APPROVED: frozenset({RELEASED, INSPECTING, *REFUSED_BY_INSPECTION}),
           INSPECTING: frozenset({RELEASED, *REFUSED_BY_INSPECTION}),
           RELEASED: frozenset({CLOSED})},
    CANCEL: {DECLARED: frozenset({STORED, REJECTED}), STORED: frozenset({APPROVED})},
    RETURN: {DECLARED: frozenset({STORED, REJECTED}),
             STORED: frozenset({APPROVED, REJECTED})},
    DELIVERY: {DECLARED: frozenset({STORED, REJECTED}), STORED: frozenset({APPROVED})},
    SIGNED: {DECLARED: frozenset({STORED, REJECTED})},
}
REFUSED_LIST_STATES = frozenset({REJECTED, OVER_SINGLE, OVER_YEAR})
# A list in one of these states holds its order, payment and waybill: they cannot change.
HOLDING_LIST_STATES = frozenset({STORED, APPROVED, RELEASED, CLOSED, INSPECTING,
                                 *REFUSED_BY_INSPECTION})
# A list in one of these states is released once its tax is issued and inspection cleared it.
RELEASABLE_LIST_STATES = frozenset({APPROVED, INSPECTING})


def can_move(kind: str, current: str | None, new: str) -> bool:
    if new in (DRAFT, DECLARED):
        return current is None or current in (DRAFT, DECLARED) or is_modifiable(
            kind, current, held=False)
    return current is not None and new in FLOW[kind].get(current, frozenset())


def is_modifiable(kind: str, status: str, *, held: bool) -> bool:
    """May a document in ``status`` be changed or deleted (appType 2/3)?

    ``held``: an order, payment or waybill that a list in a holding state refers to.
    A list may change until customs approved it (399); requests and entries never.
    """
    if kind == LIST:
        return status in (DRAFT, DECLARED, STORED) or status in REFUSED_LIST_STATES
    if kind in (CANCEL, RETURN, DELIVERY, SIGNED):
        return status in (DRAFT, REJECTED)
    return not held


# ------------------------------------------------------------------ numbers


def invt_no(customs_code: str, year: int, seq: int) -> str:
    """Import 清单编号: customs code 4 + year 4 + 'I' + 9-digit sequence (18 chars)."""
    if len(customs_code) != 4 or not 0 < seq < 10**9:
        raise ValueError(f"bad invtNo parts {customs_code!r}/{seq}")
    return f"{customs_code}{year:04d}I{seq:09d}"


def rkd_no(customs_code: str, year: int, seq: int) -> str:
    """入库单编号 of a warehouse entry (CEB711): customs code + year + 'R' + 9 digits."""
    return f"{customs_code}{year:04d}R{seq:09d}"


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class OrderLine:
    gnum: int
    item_name: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    item_no: str | None = None


@dataclass(frozen=True)
class Order:
    ebp_code: str
    ebc_code: str
    order_no: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    buyer_name: str
    buyer_id: str
    buyer_phone: str
    consignee: str
    consignee_phone: str
    consignee_address: str
    lines: tuple[OrderLine, ...]
    pay_code: str | None = None
    pay_transaction_id: str | None = None


@dataclass(frozen=True)
class Payment:
    pay_code: str
    pay_transaction_id: str
    ebp_code: str
    order_no: str
    payer_name: str
    payer_id: str
    amount_paid: Decimal


@dataclass(frozen=True)
class Waybill:
    logistics_code: str
    logistics_no: str
    order_no: str
    consignee: str
    consignee_phone: str
    consignee_address: str
    pack_no: int


@dataclass(frozen=True)
class ListLine:
    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    qty1: Decimal
    unit1: str
    price: Decimal
    total_price: Decimal
    item_record_no: str | None = None
    item_no: str | None = None
    text: str = ""  # itemName, gname, gmodel and note: what the positive-list remarks read


@dataclass(frozen=True)
class Listing:
    """An import list (CEB621), as the rules need it."""

    trade_mode: str
    ebp_code: str
    ebc_code: str
    order_no: str
    logistics_code: str
    logistics_no: str
    agent_code: str
    assure_code: str
    buyer_name: str
    buyer_id: str
    buyer_phone: str
    consignee_address: str
    freight: Decimal
    insured_fee: Decimal
    pack_no: int
    lines: tuple[ListLine, ...]
    ems_no: str | None = None
    area_code: str | None = None
    bill_no: str | None = None

    @property
    def bonded(self) -> bool:
        return self.trade_mode in ("1210", "1239")

    @property
    def goods_value(self) -> Decimal:
        return sum((line.total_price for line in self.lines), Decimal(0))

    @property
    def dutiable_value(self) -> Decimal:
        """完税价格: goods + freight + insurance (rules.md §3.1)."""
        return self.goods_value + self.freight + self.insured_fee


# ------------------------------------------------------------------ the list's own checks


def order_problems(order: Order, tolerance: Decimal) -> list[str]:
    """Customs checks of an order on its own (a failure is a 100 退单)."""
    out = [f"CEB311 OrderList[gnum={line.gnum}].totalPrice {fmt(line.total_price)} ≠ "
           f"qty×price {fmt(line.qty * line.price)}"
           for line in order.lines if not within(line.total_price, line.qty * line.price,
                                                  tolerance)]
    goods = sum((line.total_price for line in order.lines), Decimal(0))
    if not within(order.goods_value, goods, tolerance):
        out.append(f"CEB311 OrderHead.goodsValue {fmt(order.goods_value)} ≠ "
                   f"sum(OrderList.totalPrice) {fmt(goods)}")
    due = order.goods_value + order.freight + order.tax_total - order.discount
    if not within(order.actural_paid, due, tolerance):
        out.append(f"CEB311 OrderHead.acturalPaid {fmt(order.actural_paid)} ≠ goodsValue+"
                   f"freight+taxTotal−discount {fmt(due)}")
    return out


def list_problems(listing: Listing, tolerance: Decimal) -> list[str]:
    """Customs checks of an import list on its own: lines, mode fields, guarantor, parcels."""
    out = [f"CEB621 InventoryList[gnum={line.gnum}].totalPrice {fmt(line.total_price)} ≠ "
           f"qty×price {fmt(line.qty * line.price)}"
           for line in listing.lines if not within(line.total_price, line.qty * line.price,
                                                    tolerance)]
    if listing.bonded:
        if not listing.ems_no:
            out.append("CEB621 InventoryHead.emsNo is required for a bonded (1210) list: "
                       "the account book the goods leave")
        if not listing.area_code:
            out.append("CEB621 InventoryHead.areaCode is required for a bonded (1210) list")
        out += [f"CEB621 InventoryList[gnum={line.gnum}].itemRecordNo is required for a "
                "bonded (1210) list: the account-book item" for line in listing.lines
                if not line.item_record_no]
    elif not listing.bill_no:
        out.append("CEB621 InventoryHead.billNo is required for a 9610 direct-purchase list")
    parties = {listing.ebp_code, listing.ebc_code, listing.logistics_code}
    if listing.assure_code not in parties:
        out.append(f"CEB621 InventoryHead.assureCode {listing.assure_code} must be the "
                   "platform (ebpCode), the e-commerce enterprise (ebcCode) or the logistics "
                   "enterprise (logisticsCode) of the list")
    if listing.pack_no != 1:
        out.append(f"CEB621 InventoryHead.packNo {listing.pack_no} must be 1")
    return out


# ------------------------------------------------------------------ limits


@dataclass(frozen=True)
class Limits:
    single: Decimal = Decimal("5000")
    year: Decimal = Decimal("26000")


class Treatment(StrEnum):
    IN_LIMIT = "in_limit"  # duty 0, VAT and consumption tax at 70%
    FULL_RATE = "full_rate"  # a single indivisible item over the single limit: full tax
    OVER_SINGLE = "over_single"  # refused: over the single limit and divisible (-621005)
    OVER_YEAR = "over_year"  # refused: the year's total would pass the limit (-621018)

    @property
    def admitted(self) -> bool:
        return self in (Treatment.IN_LIMIT, Treatment.FULL_RATE)


def indivisible(listing: Listing) -> bool:
    """One line of one item: a single indivisible good."""
    return len(listing.lines) == 1 and listing.lines[0].qty == 1


def treatment(value: Decimal, *, single_item: bool, used_this_year: Decimal,
              limits: Limits) -> Treatment:
    """How a list of dutiable ``value`` clears for a buyer who used ``used_this_year``.

    Over the single limit only a single indivisible item clears, taxed in full; either
    way the value counts toward the year, which may not pass its limit (rules.md §3.1).
    """
    if value > limits.single and not single_item:
        return Treatment.OVER_SINGLE
    if used_this_year + value > limits.year:
        return Treatment.OVER_YEAR
    return Treatment.IN_LIMIT if value <= limits.single else Treatment.FULL_RATE


def refusal_text(result: Treatment, value: Decimal, used: Decimal, limits: Limits) -> str:
    if result is Treatment.OVER_SINGLE:
        return (f"单次交易超过限值：完税价格 {fmt(value)} > {fmt(limits.single)} CNY and the "
                "order holds more than one item; split it or import as general trade")
    return (f"订购人年度交易超过限值，按一般贸易办理：{fmt(used)} already this year + "
            f"{fmt(value)} > {fmt(limits.year)} CNY (general trade, not a cross-border "
            "retail import)")


# ------------------------------------------------------------------ stock


def stock_needed(listing: Listing) -> dict[str, Decimal]:
    """Quantity per account-book item (itemRecordNo) a bonded list takes from the book."""
    out: dict[str, Decimal] = {}
    for line in listing.lines:
        if line.item_record_no:
            out[line.item_record_no] = out.get(line.item_record_no, Decimal(0)) + line.qty
    return out


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
