"""The three-document match (三单对碰) of an import list: pure, values in, values out.

The list (CEB621) against the platform's order (CEB311), the payment company's payment
(CEB411) and the logistics company's waybill (CEB511): keys, amounts within the tolerance,
buyer and payer, consignee, and every party registered for its role. Each disagreement is
named field by field, document by document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.customs.domain import fmt, within
from services.customs.import_.domain import (
    ORDER,
    PAYMENT,
    WAYBILL,
    Listing,
    Order,
    Payment,
    Waybill,
)


@dataclass(frozen=True)
class Registration:
    """The roles each enterprise code is registered for (None: not checked)."""

    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def has(self, code: str, wanted: Iterable[str]) -> bool:
        return bool(self.roles.get(code, frozenset()) & set(wanted))


@dataclass(frozen=True)
class MatchResult:
    missing: tuple[str, ...] = ()  # ORDER, PAYMENT, WAYBILL
    mismatches: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatches


def _differs(out: list[str], left: str, a: object, right: str, b: object) -> None:
    if a != b:
        shown_a = fmt(a) if isinstance(a, Decimal) else a
        shown_b = fmt(b) if isinstance(b, Decimal) else b
        out.append(f"{left} {shown_a} ≠ {right} {shown_b}")


def _lines(order: Order, listing: Listing, tolerance: Decimal) -> list[str]:
    out: list[str] = []
    ordered = {line.gnum: line for line in order.lines}
    listed = {line.gnum: line for line in listing.lines}
    for gnum, o in ordered.items():
        i = listed.get(gnum)
        left, right = f"CEB311 OrderList[gnum={gnum}]", f"CEB621 InventoryList[gnum={gnum}]"
        if i is None:
            out.append(f"{left} has no {right}")
            continue
        _differs(out, f"{left}.itemName", o.item_name, f"{right}.gname", i.gname)
        _differs(out, f"{left}.qty", o.qty, f"{right}.qty", i.qty)
        if not within(o.total_price, i.total_price, tolerance):
            _differs(out, f"{left}.totalPrice", o.total_price, f"{right}.totalPrice",
                     i.total_price)
        if o.item_no and i.item_no:
            _differs(out, f"{left}.itemNo", o.item_no, f"{right}.itemNo", i.item_no)
    out += [f"CEB621 InventoryList[gnum={g}] has no CEB311 OrderList[gnum={g}]"
            for g in listed if g not in ordered]
    return out


def _order_vs_list(order: Order, listing: Listing, tolerance: Decimal) -> list[str]:
    out: list[str] = []
    o, i = "CEB311 OrderHead", "CEB621 InventoryHead"
    _differs(out, f"{o}.ebcCode", order.ebc_code, f"{i}.ebcCode", listing.ebc_code)
    _differs(out, f"{o}.buyerName", order.buyer_name, f"{i}.buyerName", listing.buyer_name)
    _differs(out, f"{o}.buyerIdNumber", order.buyer_id, f"{i}.buyerIdNumber", listing.buyer_id)
    _differs(out, f"{o}.consigneeAddress", order.consignee_address, f"{i}.consigneeAddress",
             listing.consignee_address)
    if not within(order.goods_value, listing.goods_value, tolerance):
        _differs(out, f"{o}.goodsValue", order.goods_value, "sum(CEB621 InventoryList."
                 "totalPrice)", listing.goods_value)
    if not within(order.freight, listing.freight, tolerance):
        _differs(out, f"{o}.freight", order.freight, f"{i}.freight", listing.freight)
    return out + _lines(order, listing, tolerance)


def _payment(order: Order, payment: Payment, *, certified: bool,
             tolerance: Decimal) -> list[str]:
    out: list[str] = []
    p, o = "CEB411 PaymentHead", "CEB311 OrderHead"
    if not within(payment.amount_paid, order.actural_paid, tolerance):
        _differs(out, f"{p}.amountPaid", payment.amount_paid, f"{o}.acturalPaid",
                 order.actural_paid)
    if order.pay_code:
        _differs(out, f"{p}.payCode", payment.pay_code, f"{o}.payCode", order.pay_code)
    if order.pay_transaction_id:
        _differs(out, f"{p}.payTransactionId", payment.pay_transaction_id,
                 f"{o}.payTransactionId", order.pay_transaction_id)
    if not certified:  # 194 art. 9: the payer is the buyer unless the buyer is certified
        _differs(out, f"{p}.payerName", payment.payer_name, f"{o}.buyerName", order.buyer_name)
        _differs(out, f"{p}.payerIdNumber", payment.payer_id, f"{o}.buyerIdNumber",
                 order.buyer_id)
    return out


def _waybill(order: Order, waybill: Waybill) -> list[str]:
    out: list[str] = []
    w, o = "CEB511 LogisticsHead", "CEB311 OrderHead"
    _differs(out, f"{w}.orderNo", waybill.order_no, f"{o}.orderNo", order.order_no)
    _differs(out, f"{w}.consignee", waybill.consignee, f"{o}.consignee", order.consignee)
    _differs(out, f"{w}.consigneeTelephone", waybill.consignee_phone,
             f"{o}.consigneeTelephone", order.consignee_phone)
    _differs(out, f"{w}.consigneeAddress", waybill.consignee_address,
             f"{o}.consigneeAddress", order.consignee_address)
    if waybill.pack_no != 1:
        out.append(f"{w}.packNo {waybill.pack_no} must be 1")
    return out


# Which role each party of a list must be registered for.
PARTY_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ebpCode", "ebp_code", ("ebp",)), ("ebcCode", "ebc_code", ("ebc",)),
    ("logisticsCode", "logistics_code", ("logistics",)),
    ("agentCode", "agent_code", ("agent", "ebc")), ("areaCode", "area_code", ("warehouse",)),
)


def _registrations(listing: Listing, payment: Payment, registry: Registration) -> list[str]:
    out: list[str] = []
    for name, attr, roles in PARTY_ROLES:
        code = getattr(listing, attr)
        if code and not registry.has(code, roles):
            out.append(f"CEB621 InventoryHead.{name} {code} is not registered as "
                       f"{' or '.join(roles)}")
    if not registry.has(payment.pay_code, ("payment",)):
        out.append(f"CEB411 PaymentHead.payCode {payment.pay_code} is not registered as "
                   "payment")
    return out


def match(listing: Listing, *, order: Order | None, payment: Payment | None,
          waybill: Waybill | None, tolerance: Decimal, certified: bool = False,
          registry: Registration | None = None) -> MatchResult:
    """三单对碰 of an import list with its order, payment and waybill.

    Documents not there yet are ``missing`` (the list waits); with all of them, every
    difference is one line naming the field of each document that disagrees.
    """
    missing = tuple(kind for kind, doc in ((ORDER, order), (PAYMENT, payment),
                                           (WAYBILL, waybill)) if doc is None)
    if missing:
        return MatchResult(missing=missing)
    assert order is not None and payment is not None and waybill is not None
    out = _order_vs_list(order, listing, tolerance)
    out += _payment(order, payment, certified=certified, tolerance=tolerance)
    out += _waybill(order, waybill)
    if registry is not None:
        out += _registrations(listing, payment, registry)
    return MatchResult(mismatches=tuple(out))


MISSING_NAMES = {ORDER: "订单 order (CEB311)", PAYMENT: "支付单 payment (CEB411)",
                 WAYBILL: "运单 waybill (CEB511)"}


def awaiting_text(missing: Sequence[str]) -> str:
    return "awaiting " + ", ".join(MISSING_NAMES[m] for m in missing)


