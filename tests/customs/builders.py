"""Builders of 9610 export messages (JSON mirrors) for customs tests, one parcel ``n`` each.

``make_order(n, **overrides)`` etc. give a consistent set: order SO…n, waybill LP…n, list
INV…n; keyword overrides replace head fields. ``dispatched(mirror)`` wraps a mirror as the
gateway dispatches it to ``services.customs.tasks.process_messages``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

EBP, EBC, AGENT = "PLATFORM01", "SELLER0001", "AGENT00001"
CARRIER, PAYER = "CARRIER001", "PAYCO00001"
APP_TIME = "20250301100000"


def guid() -> str:
    return str(uuid.uuid4()).upper()


def _transfer(code: str) -> dict[str, str]:
    return {"copCode": code, "copName": f"name of {code}", "dxpMode": "DXP",
            "dxpId": f"DXPENT{code[-10:]:0>10}"}


def _common(overrides: dict[str, Any]) -> dict[str, Any]:
    return {"guid": guid(), "appType": "1", "appTime": APP_TIME, "appStatus": "2"} | {
        k: v for k, v in overrides.items() if k in ("guid", "appType", "appTime", "appStatus")}


def _head(common: dict[str, Any], fields: dict[str, Any],
          overrides: dict[str, Any]) -> dict[str, Any]:
    head = {**common, **fields, **overrides}
    return {k: v for k, v in head.items() if v is not None}


def _message(name: str, node: str, record: dict[str, Any], sender: str) -> dict[str, Any]:
    return {"messageType": name, "guid": guid(), "version": "1.0", node: [record],
            "BaseTransfer": _transfer(sender)}


def order_line(gnum: int = 1, **overrides: Any) -> dict[str, Any]:
    return {"gnum": gnum, "itemNo": f"SKU{gnum}", "itemName": "T恤 T-shirt", "unit": "011",
            "currency": "142", "qty": "2", "price": "50", "totalPrice": "100", **overrides}


def inventory_line(gnum: int = 1, **overrides: Any) -> dict[str, Any]:
    return {"gnum": gnum, "itemNo": f"SKU{gnum}", "gcode": "6109100021", "gname": "T恤",
            "gmodel": "cotton|M", "barCode": "无", "country": "502", "currency": "142",
            "qty": "2", "qty1": "2", "unit": "011", "unit1": "011", "price": "50",
            "totalPrice": "100", **overrides}


def make_order(n: int = 1, *, items: list[dict[str, Any]] | None = None,
               **overrides: Any) -> dict[str, Any]:
    head = _head(_common(overrides), {
        "orderType": "E", "orderNo": f"SO{n:08d}", "ebpCode": EBP, "ebpName": "Platform",
        "ebcCode": EBC, "ebcName": "Seller", "goodsValue": "100", "freight": "10",
        "currency": "142"}, overrides)
    return _message("CEB303Message", "Order",
                    {"OrderHead": head, "OrderList": items or [order_line()]}, EBP)


def make_receipt(n: int = 1, **overrides: Any) -> dict[str, Any]:
    record = _head(_common(overrides), {
        "ebpCode": EBP, "ebpName": "Platform", "ebcCode": EBC, "ebcName": "Seller",
        "orderNo": f"SO{n:08d}", "payCode": PAYER, "payName": "Pay", "payNo": f"PAY{n:08d}",
        "charge": "110", "currency": "142", "accountingDate": APP_TIME}, overrides)
    return _message("CEB403Message", "Receipts", record, PAYER)


def make_waybill(n: int = 1, **overrides: Any) -> dict[str, Any]:
    record = _head(_common(overrides), {
        "logisticsCode": CARRIER, "logisticsName": "Carrier", "logisticsNo": f"LP{n:08d}",
        "freight": "10", "insuredFee": "0", "currency": "142", "grossWeight": "0.5",
        "packNo": 1, "goodsInfo": "T-shirts"}, overrides)
    return _message("CEB505Message", "Logistics", record, CARRIER)


def make_inventory(n: int = 1, *, items: list[dict[str, Any]] | None = None,
                   **overrides: Any) -> dict[str, Any]:
    head = _head(_common(overrides), {
        "customsCode": "5100", "ebpCode": EBP, "ebpName": "Platform", "orderNo": f"SO{n:08d}",
        "logisticsCode": CARRIER, "logisticsName": "Carrier", "logisticsNo": f"LP{n:08d}",
        "copNo": f"INV{n:08d}", "ieFlag": "E", "portCode": "5100", "ieDate": "20250301",
        "statisticsFlag": "B", "agentCode": AGENT, "agentName": "Agent", "ebcCode": EBC,
        "ebcName": "Seller", "ownerCode": EBC, "ownerName": "Seller", "tradeMode": "9610",
        "trafMode": "5", "billNo": "BILL0001", "country": "502", "POD": "502",
        "freight": "10", "fCurrency": "142", "fFlag": "3", "insuredFee": "0",
        "iCurrency": "142", "iFlag": "3", "wrapType": "2", "packNo": 1, "grossWeight": "0.5",
        "netWeight": "0.4"}, overrides)
    return _message("CEB603Message", "Inventory",
                    {"InventoryHead": head, "InventoryList": items or [inventory_line()]}, AGENT)


def make_arrival(parcels: list[int], *, cop_no: str = "ARR0001",
                 **overrides: Any) -> dict[str, Any]:
    head = _head(_common(overrides), {
        "customsCode": "5100", "copNo": cop_no, "operatorCode": CARRIER,
        "operatorName": "Carrier", "ieFlag": "E", "trafMode": "5", "billNo": "BILL0001",
        "domesticTrafNo": "川A12345", "logisticsCode": CARRIER, "logisticsName": "Carrier",
        "msgCount": 1, "msgSeqNo": 1}, overrides)
    lines = [{"gnum": i + 1, "logisticsNo": f"LP{n:08d}"} for i, n in enumerate(parcels)]
    return _message("CEB507Message", "Arrival", {"ArrivalHead": head, "ArrivalList": lines},
                    CARRIER)


def make_departure(parcels: list[int], *, cop_no: str = "DEP0001",
                   **overrides: Any) -> dict[str, Any]:
    head = _head(_common(overrides), {
        "customsCode": "5100", "copNo": cop_no, "logisticsCode": CARRIER,
        "logisticsName": "Carrier", "trafMode": "5", "trafName": "CA123", "voyageNo": "CA123",
        "billNo": "BILL0001", "leaveTime": APP_TIME, "msgCount": 1, "msgSeqNo": 1}, overrides)
    lines = [{"gnum": i + 1, "logisticsNo": f"LP{n:08d}"} for i, n in enumerate(parcels)]
    return _message("CEB509Message", "Departure",
                    {"DepartureHead": head, "DepartureList": lines}, CARRIER)


def record_of(mirror: dict[str, Any]) -> dict[str, Any]:
    """The (first) record of a message mirror."""
    node = next(k for k in mirror if k not in (
        "messageType", "guid", "version", "BaseTransfer", "BaseSubscribe", "Signature",
        "ExtendMessage"))
    return dict(mirror[node][0])


def head_of(mirror: dict[str, Any]) -> dict[str, Any]:
    record = record_of(mirror)
    head = next((v for k, v in record.items() if k.endswith("Head")), None)
    return dict(head) if head is not None else record


def record_guid(mirror: dict[str, Any]) -> str:
    return str(head_of(mirror)["guid"])


def sender_of(mirror: dict[str, Any]) -> str:
    return str(mirror["BaseTransfer"]["copCode"])


def dispatched(mirror: dict[str, Any], *, sender: str | None = None,
               message_id: str | None = None) -> dict[str, Any]:
    """A message as the gateway dispatches it to customs."""
    return {"message_id": message_id or uuid.uuid4().hex, "guid": mirror["guid"],
            "message_type": mirror["messageType"], "sender": sender or sender_of(mirror),
            "conversation_id": uuid.uuid4().hex,
            "received_at": datetime.now(UTC).isoformat(), "payload": mirror}
