"""Stored import records (JSON mirrors) read into the values the pure rules take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.customs.import_.domain import (
    Listing,
    ListLine,
    Order,
    OrderLine,
    Payment,
    Waybill,
)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def order(record: dict[str, Any]) -> Order:
    head = record["OrderHead"]
    lines = tuple(OrderLine(gnum=int(line["gnum"]), item_name=str(line["itemName"]),
                            qty=_dec(line["qty"]), price=_dec(line["price"]),
                            total_price=_dec(line["totalPrice"]), item_no=line.get("itemNo"))
                  for line in record["OrderList"])
    return Order(
        ebp_code=head["ebpCode"], ebc_code=head["ebcCode"], order_no=head["orderNo"],
        goods_value=_dec(head["goodsValue"]), freight=_dec(head["freight"]),
        discount=_dec(head["discount"]), tax_total=_dec(head["taxTotal"]),
        actural_paid=_dec(head["acturalPaid"]), buyer_name=head["buyerName"],
        buyer_id=head["buyerIdNumber"], buyer_phone=head["buyerTelephone"],
        consignee=head["consignee"], consignee_phone=head["consigneeTelephone"],
        consignee_address=head["consigneeAddress"], lines=lines,
        pay_code=head.get("payCode"), pay_transaction_id=head.get("payTransactionId"))


def payment(record: dict[str, Any]) -> Payment:
    head = record["PaymentHead"]
    return Payment(pay_code=head["payCode"], pay_transaction_id=head["payTransactionId"],
                   ebp_code=head["ebpCode"], order_no=head["orderNo"],
                   payer_name=head["payerName"], payer_id=head["payerIdNumber"],
                   amount_paid=_dec(head["amountPaid"]))


def waybill(record: dict[str, Any]) -> Waybill:
    head = record["LogisticsHead"]
    return Waybill(logistics_code=head["logisticsCode"], logistics_no=head["logisticsNo"],
                   order_no=head["orderNo"], consignee=head["consignee"],
                   consignee_phone=head["consigneeTelephone"],
                   consignee_address=head["consigneeAddress"], pack_no=int(head["packNo"]))


def _text(line: dict[str, Any]) -> str:
    return " ".join(str(line[k]) for k in ("itemName", "gname", "gmodel", "note") if line.get(k))


def listing(record: dict[str, Any]) -> Listing:
    head = record["InventoryHead"]
    lines = tuple(ListLine(
        gnum=int(line["gnum"]), gcode=str(line["gcode"]), gname=str(line["gname"]),
        qty=_dec(line["qty"]), unit=str(line["unit"]), qty1=_dec(line["qty1"]),
        unit1=str(line["unit1"]), price=_dec(line["price"]),
        total_price=_dec(line["totalPrice"]), item_record_no=line.get("itemRecordNo"),
        item_no=line.get("itemNo"), text=_text(line)) for line in record["InventoryList"])
    return Listing(
        trade_mode=head["tradeMode"], ebp_code=head["ebpCode"], ebc_code=head["ebcCode"],
        order_no=head["orderNo"], logistics_code=head["logisticsCode"],
        logistics_no=head["logisticsNo"], agent_code=head["agentCode"],
        assure_code=head["assureCode"], buyer_name=head["buyerName"],
        buyer_id=head["buyerIdNumber"], buyer_phone=head["buyerTelephone"],
        consignee_address=head["consigneeAddress"], freight=_dec(head["freight"]),
        insured_fee=_dec(head["insuredFee"]), pack_no=int(head["packNo"]), lines=lines,
        ems_no=head.get("emsNo"), area_code=head.get("areaCode"), bill_no=head.get("billNo"))
