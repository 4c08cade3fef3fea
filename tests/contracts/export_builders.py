"""Builders of valid export messages with realistic values, one per message type.

Used by ``test_export_models.py`` (round trips through the codec and the official XSD, and
the negative cases, which start from a valid document and break one thing).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import xsd_oracle  # noqa: F401  (puts the repository root on sys.path)

from contracts.ceb.base import CebMessage

T14, T17, D8 = "20240315103000", "20240315103000123", "20240315"
EBP = {"ebpCode": "3301980456", "ebpName": "杭州环球购电子商务平台有限公司"}
EBC = {"ebcCode": "91330100MA2H3XYZ8K", "ebcName": "杭州优选跨境电子商务有限公司"}
AGENT = {"agentCode": "3301910789", "agentName": "杭州通关报关代理有限公司"}
LOGI = {"logisticsCode": "3301940321", "logisticsName": "杭州快运国际物流有限公司"}
OPER = {"operatorCode": "3301960555", "operatorName": "杭州综保区监管场所经营有限公司"}
DECL = {"declAgentCode": "3301910789", "declAgentName": "杭州通关报关代理有限公司"}
AIR = {"trafMode": "5", "trafName": "B-2089", "voyageNo": "CA1051", "billNo": "999-12345675"}
SPLIT = {"msgCount": 1, "msgSeqNo": 1}
RETURN = {"returnStatus": "2", "returnTime": T17, "returnInfo": "新增申报成功"}
PRE, INVT = "B20240315000000123", "29242024E000012345"
SIGNATURE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>'
    '<ds:Reference URI=""><ds:Transforms><ds:Transform '
    'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>'
    "<ds:DigestValue>q80WjTMsIv8dwQfcFyLu0w==</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    "<ds:SignatureValue>MEUCIQDx3w==</ds:SignatureValue>"
    "<ds:KeyInfo><ds:KeyName>01a2b3c4</ds:KeyName></ds:KeyInfo></ds:Signature>"
)


def guid(n: int) -> str:
    return f"{n:08X}-1F2E-4C3B-9A8D-0123456789AB"


def head(n: int, **fields: Any) -> dict[str, Any]:
    return {"guid": guid(n), "appType": "1", "appTime": T14, "appStatus": "2", **fields}


def declaration(name: str, node: str, records: list[dict[str, Any]],
                **extra: Any) -> CebMessage:
    transfer = {"copCode": "3301960123", "copName": "杭州优选跨境电子商务有限公司",
                "dxpMode": "DXP", "dxpId": "DXPENT0000012345"}
    return CebMessage.registry[name].model_validate(
        {"guid": guid(1000), node: records, "BaseTransfer": transfer, **extra})


def receipt(name: str, node: str, records: list[dict[str, Any]]) -> CebMessage:
    return CebMessage.registry[name].model_validate({"guid": guid(2000), node: records})


def build_303() -> CebMessage:
    item = {"gnum": 1, "itemNo": "SKU-BT-001", "itemName": "蓝牙耳机", "barCode": "6901234567892",
            "unit": "011", "currency": "502", "qty": Decimal("2"),
            "price": Decimal("19.90"), "totalPrice": Decimal("39.80")}
    order = {"OrderHead": head(1, orderType="E", orderNo="EO2024031500001", **EBP, **EBC,
                               goodsValue=Decimal("39.80"), freight=Decimal("0"),
                               currency="502"),
             "OrderList": [item, {**item, "gnum": 2, "itemDescribe": "无线降噪", "barCode": None}]}
    return declaration("CEB303Message", "Order", [order],
                       BaseSubscribe=[{"status": "RET", "dxpMode": "DXP",
                                       "dxpAddress": "DXPENT0000054321"}])


def build_403() -> CebMessage:
    return declaration("CEB403Message", "Receipts", [head(
        2, **EBP, **EBC, orderNo="EO2024031500001", payCode="31222699S7",
        payName="支付宝（中国）网络技术有限公司", payNo="2024031522001412345678",
        charge=Decimal("39.80"), currency="502", accountingDate=T14)])


def build_505() -> CebMessage:
    return declaration("CEB505Message", "Logistics", [head(
        3, **LOGI, logisticsNo="YT2024031500001", freight=Decimal("12.5"),
        insuredFee=Decimal("0"), currency="142", grossWeight=Decimal("0.350"), packNo=1,
        goodsInfo="蓝牙耳机2个", ebcTelephone="0571-88886666")])


def build_603() -> CebMessage:
    inv_head = head(4, customsCode="2924", **EBP, orderNo="EO2024031500001", **LOGI,
                    logisticsNo="YT2024031500001", copNo="COP2024031500001", ieFlag="E",
                    portCode="2924", ieDate=D8, statisticsFlag="A", **AGENT, **EBC,
                    ownerCode="3301960999", ownerName="杭州声学电子制造有限公司",
                    tradeMode="9610", trafMode="5", country="502", POD="USA",
                    freight=Decimal("12.5"), fCurrency="142", fFlag="3",
                    insuredFee=Decimal("0"), iCurrency="142", iFlag="3", wrapType="2",
                    packNo=1, grossWeight=Decimal("0.35"), netWeight=Decimal("0.3"))
    item = {"gnum": 1, "itemNo": "SKU-BT-001", "gcode": "8518300000", "gname": "蓝牙耳机",
            "gmodel": "无线入耳式|无品牌", "barCode": "无", "country": "502", "currency": "502",
            "qty": Decimal("2"), "qty1": Decimal("0.3"), "unit": "011", "unit1": "035",
            "price": Decimal("19.9"), "totalPrice": Decimal("39.8")}
    return declaration("CEB603Message", "Inventory",
                       [{"InventoryHead": inv_head, "InventoryList": [item]}],
                       Signature=SIGNATURE,
                       ExtendMessage={"name": "warehouse", "version": "1.0",
                                      "Message": '<wh:Slot xmlns:wh="urn:example:wh">A-12'
                                                 "</wh:Slot>"})


def build_605() -> CebMessage:
    return declaration("CEB605Message", "InvtCancel", [head(
        5, customsCode="2924", copNo="COP2024031500001", preNo=PRE, invtNo=INVT,
        reason="买家取消订单", **AGENT, **EBC)])


def build_507() -> CebMessage:
    arrival = {"ArrivalHead": head(6, customsCode="2924", copNo="ARR2024031500001", **OPER,
                                   ieFlag="E", trafMode="4", domesticTrafNo="浙A12345", **LOGI,
                                   **SPLIT),
               "ArrivalList": [{"gnum": 1, "logisticsNo": "YT2024031500001",
                                "totalPackageNo": "PLT-0001"}]}
    empty = {"ArrivalHead": {**arrival["ArrivalHead"], "guid": guid(7)}}
    return declaration("CEB507Message", "Arrival", [arrival, empty])


def build_509() -> CebMessage:
    return declaration("CEB509Message", "Departure", [{
        "DepartureHead": head(8, customsCode="2924", copNo="DEP2024031500001", **LOGI, **AIR,
                              leaveTime=T14, **SPLIT),
        "DepartureList": [{"gnum": 1, "logisticsNo": "YT2024031500001"}]}])


def build_607() -> CebMessage:
    return declaration("CEB607Message", "WayBill", [{
        "WayBillHead": head(9, customsCode="2924", copNo="WB2024031500001", **AGENT, **AIR,
                            grossWeight=Decimal("120.5"), **LOGI, **SPLIT),
        "WayBillList": [{"gnum": 1, "totalPackageNo": "PLT-0001",
                         "logisticsNo": "YT2024031500001", "invtNo": INVT}]}])


def build_213() -> CebMessage:
    refund_head = head(10, customsCode="2924", **EBP, **EBC, logisticsNo="SF1234567890123",
                       **LOGI, coElNo="RT2024031500001", invtNo=INVT, tradeMode="9661",
                       **AGENT, billNo="SF1234567890123", ieFlag="I", trafMode="5",
                       trafName="B-2089", portCode="2924", reason="买家七天无理由退货",
                       country="502", voyageNo="CA1052")
    item = {"gnum": 1, "gcode": "8518300000", "gname": "蓝牙耳机", "gmodel": "无线入耳式|无品牌",
            "qty": Decimal("1"), "qty1": Decimal("0.15"), "unit": "011", "unit1": "035"}
    return declaration("CEB213Message", "InvtRefund",
                       [{"InvtRefundHead": refund_head, "InvtRefundList": [item]}])


def build_215() -> CebMessage:
    return declaration("CEB215Message", "InvtRefundDetail", [head(
        11, customsCode="2924", **OPER, **LOGI, logisticsNo="SF1234567890123", invtNo=INVT,
        coElNo="TD2024031500001", billNo="SF1234567890123", ieFlag="I", trafMode="5",
        trafName="B-2089", voyageNo="CA1052", location="退货仓A区3排")])


def build_701() -> CebMessage:
    return declaration("CEB701Message", "SummaryApply", [{
        "SummaryApplyHead": head(12, customsCode="2924", copNo="SUM2024031500001", **AGENT,
                                 **EBC, **DECL, summaryFlag="1", itemNameFlag="1", **SPLIT),
        "SummaryApplyList": [{"invtNo": INVT}, {"invtNo": "29242024E000012346"}]}])


def build_receipt(name: str) -> CebMessage:
    """A one-record receipt of an export declaration (CEB304 ... CEB702)."""
    ebp, ebc, agent = EBP["ebpCode"], EBC["ebcCode"], AGENT["agentCode"]
    logi, oper, order = LOGI["logisticsCode"], OPER["operatorCode"], "EO2024031500001"
    keys: dict[str, tuple[str, dict[str, Any]]] = {
        "CEB304Message": ("OrderReturn", {"ebpCode": ebp, "ebcCode": ebc, "orderNo": order}),
        "CEB404Message": ("ReceiptsReturn", {"ebcCode": ebc, "orderNo": order,
                                             "payNo": "2024031522001412345678"}),
        "CEB506Message": ("LogisticsReturn", {"logisticsCode": logi,
                                              "logisticsNo": "YT2024031500001"}),
        "CEB508Message": ("ArrivalReturn", {"operatorCode": oper, "logisticsCode": logi,
                                            "preNo": PRE, "copNo": "ARR2024031500001",
                                            "billNo": "999-12345675", "msgSeqNo": 1}),
        "CEB510Message": ("DepartureReturn", {"logisticsCode": logi, "copNo": "DEP2024031500001",
                                              "preNo": PRE, "msgSeqNo": 1}),
        "CEB604Message": ("InventoryReturn", {"agentCode": agent, "copNo": "COP2024031500001",
                                              "preNo": PRE, "invtNo": INVT, "ebcCode": ebc,
                                              "ebpCode": ebp, "orderNo": order,
                                              "statisticsFlag": "A"}),
        "CEB606Message": ("InvtCancelReturn", {"agentCode": agent, "copNo": "COP2024031500001",
                                               "preNo": PRE, "invtNo": INVT}),
        "CEB608Message": ("WayBillReturn", {"agentCode": agent, "logisticsCode": logi,
                                            "copNo": "WB2024031500001", "preNo": PRE,
                                            "billNo": "999-12345675", "msgSeqNo": 1}),
        "CEB214Message": ("RefundReturn", {"ebcCode": ebc, "agentCode": agent,
                                           "coElNo": "RT2024031500001", "invtNo": INVT}),
        "CEB216Message": ("InvtRefundDetailReturn", {
            "operatorCode": oper, "logisticsCode": logi, "logisticsNo": "SF1234567890123",
            "coElNo": "TD2024031500001", "preNo": PRE}),
        "CEB702Message": ("SummaryReturn", {"agentCode": agent, "ebcCode": ebc,
                                            "copNo": "SUM2024031500001", "preNo": PRE,
                                            "sumNo": "S20240315000000001", "msgSeqNo": 1}),
    }
    node, fields = keys[name]
    return receipt(name, node, [{"guid": guid(3000), **fields, **RETURN}])


def build_792() -> CebMessage:
    result_head = {"guid": guid(13), "customsCode": "2924", "sumNo": "S20240315000000001",
                   "opDate": T17, "declSeqNo": "D20240315000000001", "decState": "A",
                   **AGENT, **EBC, **DECL, "grossWeight": Decimal("0.35"),
                   "netWeight": Decimal("0.3"), **SPLIT}
    lines = [{"invtNo": INVT, "logisticsNo": "YT2024031500001", "gseqno": 1, "gnum": 1,
              "gcode": "8518300000"}]
    return receipt("CEB792Message", "SummaryResult",
                   [{"SummaryResultHead": result_head, "SummaryResultList": lines}])


BUILDERS: dict[str, Callable[[], CebMessage]] = {
    "CEB303Message": build_303, "CEB403Message": build_403, "CEB505Message": build_505,
    "CEB507Message": build_507, "CEB509Message": build_509, "CEB603Message": build_603,
    "CEB605Message": build_605, "CEB607Message": build_607, "CEB213Message": build_213,
    "CEB215Message": build_215, "CEB701Message": build_701, "CEB792Message": build_792,
    **{n: (lambda n=n: build_receipt(n)) for n in (
        "CEB304Message", "CEB404Message", "CEB506Message", "CEB508Message", "CEB510Message",
        "CEB604Message", "CEB606Message", "CEB608Message", "CEB214Message", "CEB216Message",
        "CEB702Message")},
}
