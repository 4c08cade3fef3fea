"""Example CEB messages (JSON mirror dicts) for one consistent 9610 export flow.

``export_flow(n)`` gives the order, payment receipt, waybill, inventory list, arrival
and departure of parcel ``n``; each builder takes ``**overrides`` for the head fields.
``as_xml`` turns a mirror into the real CEB XML through the contracts codec.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.ceb import parse_json, to_xml

EBP = "PLATFORM01"
EBC = "SELLER0001"
AGENT = "AGENT00001"
CARRIER = "CARRIER001"
PAYER = "PAYCO00001"
NAMES = {EBP: "Demo Platform", EBC: "Demo Seller", AGENT: "Demo Agent",
         CARRIER: "Demo Carrier", PAYER: "Demo Pay"}
ROLES = {EBP: ["ebp"], EBC: ["ebc"], AGENT: ["agent"], CARRIER: ["logistics"],
         PAYER: ["payment"]}


def guid() -> str:
    return str(uuid.uuid4()).upper()


def ceb_time(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")


def transfer(code: str) -> dict[str, str]:
    return {"copCode": code, "copName": NAMES.get(code, code), "dxpMode": "DXP",
            "dxpId": f"DXPENT{code[-10:]:0>10}"}


def _head(**overrides: Any) -> dict[str, Any]:
    return {"guid": guid(), "appType": "1", "appTime": ceb_time(), "appStatus": "2",
            **overrides}


def _message(name: str, node: str, records: list[dict[str, Any]], sender: str) -> dict[str, Any]:
    return {"messageType": name, "guid": guid(), "version": "1.0", node: records,
            "BaseTransfer": transfer(sender)}


def order(n: int = 1, *, items: list[dict[str, Any]] | None = None,
          **overrides: Any) -> dict[str, Any]:
    lines = items or [{"gnum": 1, "itemNo": f"SKU{n}", "itemName": "T恤 T-shirt", "unit": "011",
                       "currency": "142", "qty": "2", "price": "50", "totalPrice": "100"}]
    goods = sum(float(line["totalPrice"]) for line in lines)
    head = _head(orderType="E", orderNo=f"SO{n:08d}", ebpCode=EBP, ebpName=NAMES[EBP],
                 ebcCode=EBC, ebcName=NAMES[EBC], goodsValue=f"{goods:g}", freight="10",
                 currency="142", **overrides)
    return _message("CEB303Message", "Order", [{"OrderHead": head, "OrderList": lines}], EBP)


def receipt(n: int = 1, **overrides: Any) -> dict[str, Any]:
    record = _head(ebpCode=EBP, ebpName=NAMES[EBP], ebcCode=EBC, ebcName=NAMES[EBC],
                   orderNo=f"SO{n:08d}", payCode=PAYER, payName=NAMES[PAYER],
                   payNo=f"PAY{n:08d}", charge="110", currency="142",
                   accountingDate=ceb_time(), **overrides)
    return _message("CEB403Message", "Receipts", [record], PAYER)


def waybill(n: int = 1, **overrides: Any) -> dict[str, Any]:
    record = _head(logisticsCode=CARRIER, logisticsName=NAMES[CARRIER],
                   logisticsNo=f"LP{n:08d}", freight="10", insuredFee="0", currency="142",
                   grossWeight="0.5", packNo=1, goodsInfo="T-shirts", **overrides)
    return _message("CEB505Message", "Logistics", [record], CARRIER)


def inventory(n: int = 1, *, items: list[dict[str, Any]] | None = None,
              **overrides: Any) -> dict[str, Any]:
    lines = items or [{
        "gnum": 1, "itemNo": f"SKU{n}", "gcode": "6109100021", "gname": "T恤",
        "gmodel": "cotton|M", "barCode": "无", "country": "502", "currency": "142",
        "qty": "2", "qty1": "2", "unit": "011", "unit1": "011", "price": "50",
        "totalPrice": "100"}]
    head = _head(customsCode="5100", ebpCode=EBP, ebpName=NAMES[EBP], orderNo=f"SO{n:08d}",
                 logisticsCode=CARRIER, logisticsName=NAMES[CARRIER],
                 logisticsNo=f"LP{n:08d}", copNo=f"INV{n:08d}", ieFlag="E", portCode="5100",
                 ieDate=ceb_time()[:8], statisticsFlag="B", agentCode=AGENT,
                 agentName=NAMES[AGENT], ebcCode=EBC, ebcName=NAMES[EBC], ownerCode=EBC,
                 ownerName=NAMES[EBC], tradeMode="9610", trafMode="5", country="502",
                 POD="502", billNo=f"BILL{n:04d}", freight="10", fCurrency="142", fFlag="3",
                 insuredFee="0", iCurrency="142", iFlag="3", wrapType="2", packNo=1,
                 grossWeight="0.5", netWeight="0.4", **overrides)
    return _message("CEB603Message", "Inventory",
                    [{"InventoryHead": head, "InventoryList": lines}], AGENT)


def arrival(parcels: list[int], *, bill: str = "BILL0001", **overrides: Any) -> dict[str, Any]:
    head = _head(customsCode="5100", copNo=f"ARR{guid()[:8]}", operatorCode=CARRIER,
                 operatorName=NAMES[CARRIER], ieFlag="E", trafMode="5", billNo=bill,
                 domesticTrafNo="川A12345", logisticsCode=CARRIER,
                 logisticsName=NAMES[CARRIER], msgCount=1, msgSeqNo=1, **overrides)
    lines = [{"gnum": i + 1, "logisticsNo": f"LP{n:08d}"} for i, n in enumerate(parcels)]
    return _message("CEB507Message", "Arrival", [{"ArrivalHead": head, "ArrivalList": lines}],
                    CARRIER)


def departure(parcels: list[int], *, bill: str = "BILL0001", **overrides: Any) -> dict[str, Any]:
    head = _head(customsCode="5100", copNo=f"DEP{guid()[:8]}", logisticsCode=CARRIER,
                 logisticsName=NAMES[CARRIER], trafMode="5", trafName="CA123",
                 voyageNo="CA123", billNo=bill, leaveTime=ceb_time(), msgCount=1, msgSeqNo=1,
                 **overrides)
    lines = [{"gnum": i + 1, "logisticsNo": f"LP{n:08d}"} for i, n in enumerate(parcels)]
    return _message("CEB509Message", "Departure",
                    [{"DepartureHead": head, "DepartureList": lines}], CARRIER)


def export_flow(n: int = 1) -> list[dict[str, Any]]:
    """The documents a 9610 export needs before release, in the usual order."""
    return [order(n), receipt(n), waybill(n), inventory(n)]


def as_xml(mirror: dict[str, Any]) -> bytes:
    return to_xml(parse_json(mirror))


def sender_of(mirror: dict[str, Any]) -> str:
    return str(mirror["BaseTransfer"]["copCode"])
