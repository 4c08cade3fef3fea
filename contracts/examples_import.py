"""Example CEB import messages (JSON mirrors): 9610 direct purchase and 1210 bonded import.

``import_flow(n, mode)`` gives the order (CEB311), payment (CEB411), waybill (CEB511) and
import list (CEB621) of parcel ``n``, consistent with each other: a jar of face cream
(33049900, on the positive list) bought by buyer ``n``; for 1210 taken from account book
``EMS_NO`` item ``ITEM_RECORD_NO``. Each builder takes ``**overrides`` for the head fields
(``None`` removes one) and ``items`` for the lines. ``cancel``, ``refund`` (CEB625) and
``delivery`` (CEB711) reverse a list; ``signed`` (CEB513) closes it; ``entry`` is the body
of a first-line entry (一线进区).
The parties are those of ``contracts.examples`` plus the bonded warehouse ``WAREHOUSE``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contracts.examples import (
    AGENT,
    CARRIER,
    EBC,
    EBP,
    NAMES,
    PAYER,
    ROLES,
    as_xml,
    ceb_time,
    guid,
    sender_of,
    transfer,
)

__all__ = ["AGENT", "CARRIER", "EBC", "EBP", "PAYER", "as_xml", "sender_of"]

WAREHOUSE = "WAREHOUSE1"
IMPORT_NAMES = {**NAMES, WAREHOUSE: "Demo Bonded Warehouse"}
IMPORT_ROLES = {**ROLES, WAREHOUSE: ["warehouse"]}
EMS_NO = "T2924W000001"
ITEM_RECORD_NO = "100001"
CUSTOMS = "2924"

DS = "http://www.w3.org/2000/09/xmldsig#"
# A minimal enveloped signature: the simulator checks that one is there, not its value.
SIGNATURE = (
    f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>'
    '<ds:Reference URI=""><ds:Transforms>'
    f'<ds:Transform Algorithm="{DS}enveloped-signature"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>'
    "<ds:DigestValue>q1Zb0m6y0bZ3pHhVY1pX4yv0m5Q=</ds:DigestValue></ds:Reference>"
    "</ds:SignedInfo><ds:SignatureValue>MEUCIQDd3lXv0Q==</ds:SignatureValue>"
    "<ds:KeyInfo><ds:KeyName>01a2b3c4</ds:KeyName></ds:KeyInfo></ds:Signature>"
)


def buyer_id(n: int) -> str:
    """An 18-character ID number of buyer ``n``."""
    return f"110101{n:012d}"


def _buyer(n: int) -> dict[str, str]:
    return {"buyerIdType": "1", "buyerIdNumber": buyer_id(n), "buyerName": "张三",
            "buyerTelephone": "13800138000"}


CONSIGNEE = {"consignee": "张三", "consigneeTelephone": "13800138000",
             "consigneeAddress": "四川省成都市高新区天府大道100号"}


def _head(fields: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    head = {"guid": guid(), "appType": "1", "appTime": ceb_time(), "appStatus": "2",
            **fields, **overrides}
    return {k: v for k, v in head.items() if v is not None}


def _message(name: str, node: str, records: Any, sender: str,
             signed: bool = False) -> dict[str, Any]:
    mirror = {"messageType": name, "guid": guid(), "version": "1.0", node: records,
              "BaseTransfer": transfer(sender)}
    if signed:
        mirror["Signature"] = SIGNATURE
    return mirror


def _party(code: str, role: str) -> dict[str, str]:
    return {f"{role}Code": code, f"{role}Name": IMPORT_NAMES.get(code, code)}


def line(gnum: int = 1, **overrides: Any) -> dict[str, Any]:
    """A list line (CEB621 InventoryList): face cream, 2 jars of 50 g at 99 CNY."""
    return {"gnum": gnum, "itemRecordNo": ITEM_RECORD_NO, "itemNo": "SKU-CREAM",
            "itemName": "保湿面霜", "gcode": "3304990099", "gname": "保湿面霜",
            "gmodel": "50g/瓶|moisturising cream", "barCode": "无", "country": "116",
            "currency": "142", "qty": "2", "unit": "142", "qty1": "0.1", "unit1": "035",
            "price": "99", "totalPrice": "198", **overrides}


def order_line_of(inventory_line: dict[str, Any]) -> dict[str, Any]:
    """The order line (CEB311 OrderList) matching a list line."""
    return {"gnum": inventory_line["gnum"], "itemNo": inventory_line.get("itemNo"),
            "itemName": inventory_line["gname"], "gmodel": inventory_line["gmodel"],
            "unit": inventory_line["unit"], "qty": inventory_line["qty"],
            "price": inventory_line["price"], "totalPrice": inventory_line["totalPrice"],
            "currency": "142", "country": inventory_line["country"]}


def amounts(items: list[dict[str, Any]], freight: str = "0",
            tax: str | None = None) -> dict[str, str]:
    """goodsValue, freight, discount, taxTotal and acturalPaid of lines (tax: 9.1% of
    goods + freight, the in-limit rate of 13% VAT goods, unless given)."""
    goods = sum((Decimal(str(i["totalPrice"])) for i in items), Decimal(0))
    dutiable = goods + Decimal(freight)
    tax_total = Decimal(tax) if tax is not None else (dutiable * Decimal("0.091")).quantize(
        Decimal("0.01"))
    return {"goodsValue": str(goods), "freight": freight, "discount": "0",
            "taxTotal": str(tax_total), "acturalPaid": str(goods + Decimal(freight) + tax_total)}


def order(n: int = 1, *, items: list[dict[str, Any]] | None = None, freight: str | None = None,
          mode: str = "1210", **overrides: Any) -> dict[str, Any]:
    """CEB311 from the platform."""
    lines = items or [line()]
    money = amounts(lines, freight or ("0" if mode != "9610" else "10"))
    head = _head({"orderType": "I", "orderNo": f"IO{n:08d}", **_party(EBP, "ebp"),
                  **_party(EBC, "ebc"), **money, "currency": "142",
                  "buyerRegNo": f"buyer{n}", **_buyer(n), "payCode": PAYER,
                  "payName": NAMES[PAYER], "payTransactionId": f"PT{n:010d}", **CONSIGNEE},
                 overrides)
    return _message("CEB311Message", "Order",
                    [{"OrderHead": head, "OrderList": [order_line_of(i) for i in lines]}], EBP)


def payment(n: int = 1, *, amount: str | None = None, **overrides: Any) -> dict[str, Any]:
    """CEB411 from the payment company (``amount``: the order's acturalPaid)."""
    paid = amount or amounts([line()])["acturalPaid"]
    head = _head({"payCode": PAYER, "payName": NAMES[PAYER], "payTransactionId": f"PT{n:010d}",
                  "orderNo": f"IO{n:08d}", **_party(EBP, "ebp"), "payerIdType": "1",
                  "payerIdNumber": buyer_id(n), "payerName": "张三", "telephone": "13800138000",
                  "amountPaid": paid, "currency": "142", "payTime": ceb_time()}, overrides)
    return _message("CEB411Message", "Payment", [{"PaymentHead": head}], PAYER)


def waybill(n: int = 1, *, mode: str = "1210", **overrides: Any) -> dict[str, Any]:
    """CEB511 from the logistics company."""
    head = _head({**_party(CARRIER, "logistics"), "logisticsNo": f"IL{n:08d}",
                  "billNo": f"MAWB{n:06d}" if mode == "9610" else None,
                  "orderNo": f"IO{n:08d}", "freight": "10" if mode == "9610" else "0",
                  "insuredFee": "0", "currency": "142", "weight": "0.2", "packNo": 1,
                  "goodsInfo": "face cream", **CONSIGNEE}, overrides)
    return _message("CEB511Message", "Logistics", [{"LogisticsHead": head}], CARRIER)


def inventory(n: int = 1, *, mode: str = "1210", items: list[dict[str, Any]] | None = None,
              **overrides: Any) -> dict[str, Any]:
    """CEB621 from the declaring agent: 1210 bonded (account book) or 9610 direct."""
    bonded = mode != "9610"
    lines = items or [line()]
    if not bonded:
        lines = [{k: v for k, v in i.items() if k != "itemRecordNo"} for i in lines]
    head = _head({
        "orderNo": f"IO{n:08d}", **_party(EBP, "ebp"), **_party(EBC, "ebc"),
        "logisticsNo": f"IL{n:08d}", **_party(CARRIER, "logistics"), "copNo": f"IC{n:08d}",
        "assureCode": EBC, "emsNo": EMS_NO if bonded else None, "ieFlag": "I",
        "declTime": ceb_time()[:8], "customsCode": CUSTOMS, "portCode": CUSTOMS,
        **_buyer(n), "consigneeAddress": CONSIGNEE["consigneeAddress"],
        **_party(AGENT, "agent"), **(_party(WAREHOUSE, "area") if bonded else {}),
        "tradeMode": mode, "trafMode": "Y" if bonded else "5",
        "trafNo": None if bonded else "CA1234", "voyageNo": None if bonded else "CA1234",
        "billNo": None if bonded else f"MAWB{n:06d}", "country": "142" if bonded else "116",
        "freight": "0" if bonded else "10", "insuredFee": "0", "currency": "142",
        "wrapType": "2", "packNo": 1, "grossWeight": "0.2", "netWeight": "0.1"}, overrides)
    return _message("CEB621Message", "Inventory",
                    [{"InventoryHead": head, "InventoryList": lines}], AGENT, signed=True)


def import_flow(n: int = 1, mode: str = "1210") -> list[dict[str, Any]]:
    """The four documents of one import, in the usual order."""
    freight = "10" if mode == "9610" else "0"
    return [order(n, mode=mode), payment(n, amount=amounts([line()], freight)["acturalPaid"]),
            waybill(n, mode=mode), inventory(n, mode=mode)]


def signed(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """CEB513 from the logistics company: parcel ``n`` was signed for (签收)."""
    record = _head({**_party(CARRIER, "logistics"), "logisticsNo": f"IL{n:08d}",
                    "logisticsStatus": "S", "logisticsTime": ceb_time()}, overrides)
    return _message("CEB513Message", "LogisticsStatus", [record], CARRIER)


def _reversal(n: int, invt_no: str) -> dict[str, Any]:
    return {"customsCode": CUSTOMS, "orderNo": f"IO{n:08d}", **_party(EBP, "ebp"),
            **_party(EBC, "ebc"), "logisticsNo": f"IL{n:08d}",
            **_party(CARRIER, "logistics"), "copNo": f"IC{n:08d}", "invtNo": invt_no,
            **_buyer(n), **_party(AGENT, "agent")}


def cancel(n: int, invt_no: str, **overrides: Any) -> dict[str, Any]:
    """CEB623: withdraw list ``n`` (customs' ``invt_no``) before release."""
    record = _head({**_reversal(n, invt_no), "reason": "消费者取消订单 order cancelled"},
                   overrides)
    return _message("CEB623Message", "InvtCancel", [record], AGENT, signed=True)


def refund(n: int, invt_no: str, *, items: list[dict[str, Any]] | None = None,
           **overrides: Any) -> dict[str, Any]:
    """CEB625: return the goods of list ``n`` (all of line 1 unless ``items``)."""
    head = _head({**_reversal(n, invt_no), "reason": "消费者退货 returned by the buyer"},
                 overrides)
    lines = items or [{"gnum": 1, "gcode": "3304990099", "gname": "保湿面霜", "qty": "2",
                       "unit": "142"}]
    return _message("CEB625Message", "InvtRefund",
                    [{"InvtRefundHead": head, "InvtRefundList": lines}], AGENT, signed=True)


def delivery(parcels: list[int], *, operator: str = WAREHOUSE,
             **overrides: Any) -> dict[str, Any]:
    """CEB711 from the site or zone operator: parcels (by waybill) entering it."""
    head = _head({"customsCode": CUSTOMS, "copNo": f"RK{guid()[:8]}",
                  **_party(operator, "operator"), "ieFlag": "I", "trafMode": "4",
                  "trafNo": "川A12345", "voyageNo": "0001", "billNo": f"RET{parcels[0]:06d}",
                  **_party(CARRIER, "logistics")}, overrides)
    lines = [{"gnum": i + 1, "logisticsNo": f"IL{p:08d}"} for i, p in enumerate(parcels)]
    return _message("CEB711Message", "Delivery", {"DeliveryHead": head, "DeliveryList": lines},
                    operator, signed=True)


def entry(qty: str = "1000", entry_no: str = "HZQD2924000001",
          items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The body of a first-line entry (一线进区) of face cream into ``EMS_NO``."""
    return {"entryNo": entry_no, "customsCode": CUSTOMS, "items": items or [{
        "itemRecordNo": ITEM_RECORD_NO, "gcode": "3304990099", "gname": "保湿面霜",
        "unit": "142", "qty": qty}]}
