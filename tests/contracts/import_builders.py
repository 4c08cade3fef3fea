"""Builders of every import CEB message with realistic values (a 1210 bonded list, a 9610
direct-purchase order...), for the import model tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from contracts.ceb.base import (
    BaseSubscribeRecord,
    BaseTransferRecord,
    CebMessage,
    ExtendMessageRecord,
)
from contracts.ceb.ceb900 import CEB900Message, MessageReturn900
from contracts.ceb.import_inventory import (
    CEB621Message,
    CEB623Message,
    CEB625Message,
    CEB711Message,
    Delivery711,
    DeliveryHead711,
    DeliveryList711,
    Inventory621,
    InventoryHead621,
    InventoryList621,
    InvtCancel623,
    InvtRefund625,
    InvtRefundHead625,
    InvtRefundList625,
)
from contracts.ceb.import_orders import (
    CEB311Message,
    CEB411Message,
    CEB511Message,
    CEB513Message,
    Logistics511,
    LogisticsHead511,
    LogisticsStatus513,
    Order311,
    OrderHead311,
    OrderList311,
    Payment411,
    PaymentHead411,
)
from contracts.ceb.import_receipts import (
    CEB312Message,
    CEB412Message,
    CEB512Message,
    CEB514Message,
    CEB622Message,
    CEB624Message,
    CEB626Message,
    CEB712Message,
    CEB816Message,
    CEB818Message,
    DeliveryReturn712,
    InventoryReturn622,
    InvtCancelReturn624,
    InvtRefundReturn626,
    LogisticsReturn512,
    LogisticsStatusReturn514,
    OrderReturn312,
    PaymentReturn412,
    Tax816,
    Tax818,
    TaxHeadRd816,
    TaxHeadStatus818,
    TaxListRd816,
)

DS = "http://www.w3.org/2000/09/xmldsig#"
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

MSG_GUID = "5F0C2B8E-4D1A-4E3B-9C7D-1A2B3C4D5E6F"
REC_GUID = "7A1D3C9F-2B4E-4F6A-8D0C-9E8F7A6B5C4D"
APP = {"guid": REC_GUID, "appType": "1", "appTime": "20240301101500", "appStatus": "2"}
EBP = {"ebpCode": "3301960ABC", "ebpName": "杭州跨境购电商平台有限公司"}
EBC = {"ebcCode": "91330100MA27XYZ12K", "ebcName": "杭州优选进口贸易有限公司"}
CARRIER = {"logisticsCode": "3301980XYZ", "logisticsName": "杭州速达国际物流有限公司"}
BUYER = {"buyerIdType": "1", "buyerIdNumber": "330106199001011234", "buyerName": "张三",
         "buyerTelephone": "13800138000"}
CONSIGNEE = {"consignee": "张三", "consigneeTelephone": "13800138000",
             "consigneeAddress": "浙江省杭州市西湖区文三路100号"}
ORDER_NO = "HZ20240301000123"
WAYBILL_NO = "SD1234567890CN"
INVT_NO = "29242024I000000001"
PRE_NO = "B20240301000000001"
AGENT = {"agentCode": "3301980AGT", "agentName": "杭州报关代理有限公司"}
RETURN = {"returnStatus": "120", "returnTime": "20240301103000123", "returnInfo": "海关入库"}


def _transfer(cop_code: str = "3301960ABC") -> dict[str, Any]:
    record = BaseTransferRecord(copCode=cop_code, copName="杭州跨境购电商平台有限公司",
                                dxpMode="DXP", dxpId="DXPENT0000012345")
    return {"BaseTransfer": record}


def build_311() -> CEB311Message:
    head = OrderHead311(
        **APP, orderType="I", orderNo=ORDER_NO, **EBP, **EBC,
        goodsValue=Decimal("298.00"), freight=Decimal("0"), discount=Decimal("10.00"),
        taxTotal=Decimal("26.21"), acturalPaid=Decimal("314.21"), currency="142",
        buyerRegNo="buyer_zs_2024", **BUYER, payCode="31222699S7",
        payName="支付宝（中国）网络技术有限公司",
        payTransactionId="2024030122001412345678901234", **CONSIGNEE, consigneeDistrict="330106",
        note="9610 直购进口")
    items = [
        OrderList311(gnum=1, itemNo="SKU-JP-0001", itemName="保湿面霜", gmodel="50g/瓶",
                     barCode="4901234567894", unit="142", qty=Decimal("2"),
                     price=Decimal("99.00"), totalPrice=Decimal("198.00"), currency="142",
                     country="116"),
        OrderList311(gnum=2, itemName="洁面乳", gmodel="120g/支", unit="012", qty=Decimal("1"),
                     price=Decimal("100.00"), totalPrice=Decimal("100.00"), currency="142",
                     country="116"),
    ]
    return CEB311Message(
        guid=MSG_GUID, Order=[Order311(OrderHead=head, OrderList=items)], **_transfer(),
        BaseSubscribe=[BaseSubscribeRecord(status="RET", dxpMode="DXP",
                                           dxpAddress="DXPENT0000067890")],
        ExtendMessage=ExtendMessageRecord(name="channel", version="1.0",
                                          Message="<channel><name>app</name><device>ios</device></channel>"),
        Signature=SIGNATURE)


def build_411() -> CEB411Message:
    head = PaymentHead411(
        **APP, payCode="31222699S7", payName="支付宝（中国）网络技术有限公司",
        payTransactionId="2024030122001412345678901234", orderNo=ORDER_NO, **EBP,
        payerIdType="1", payerIdNumber="330106199001011234", payerName="张三",
        telephone="13800138000", amountPaid=Decimal("314.21"), currency="142",
        payTime="20240301100102")
    return CEB411Message(guid=MSG_GUID, Payment=[Payment411(PaymentHead=head)],
                         **_transfer("31222699S7"))


def build_511() -> CEB511Message:
    head = LogisticsHead511(
        **APP, **CARRIER, logisticsNo=WAYBILL_NO, billNo="784-12345675", orderNo=ORDER_NO,
        freight=Decimal("0"), insuredFee=Decimal("0"), currency="142",
        weight=Decimal("0.45"), packNo=1, goodsInfo="面霜、洁面乳", **CONSIGNEE)
    return CEB511Message(guid=MSG_GUID, Logistics=[Logistics511(LogisticsHead=head)],
                         **_transfer("3301980XYZ"))


def build_513() -> CEB513Message:
    record = LogisticsStatus513(**APP, **CARRIER, logisticsNo=WAYBILL_NO, logisticsStatus="S",
                                logisticsTime="20240305163000")
    return CEB513Message(guid=MSG_GUID, LogisticsStatus=[record], **_transfer("3301980XYZ"))


def build_621() -> CEB621Message:
    """A 1210 bonded import list: account book, zone enterprise, country 142."""
    head = InventoryHead621(
        **APP, orderNo=ORDER_NO, **EBP, **EBC, logisticsNo=WAYBILL_NO, **CARRIER,
        copNo="INV20240301000123", assureCode="91330100MA27XYZ12K", emsNo="T2924W000001",
        ieFlag="I", declTime="20240301", customsCode="2924", portCode="2924", **BUYER,
        consigneeAddress=CONSIGNEE["consigneeAddress"], **AGENT,
        areaCode="3301640001", areaName="杭州综合保税区仓储有限公司", tradeMode="1210",
        trafMode="Y", country="142", freight=Decimal("0"), insuredFee=Decimal("0"),
        currency="142", wrapType="2", packNo=1, grossWeight=Decimal("0.45"),
        netWeight=Decimal("0.3"))
    items = [
        InventoryList621(gnum=1, itemRecordNo="100001", itemNo="SKU-JP-0001",
                         itemName="保湿面霜", gcode="3304990099", gname="保湿面霜",
                         gmodel="0|0|50g/瓶|资生堂|无型号", barCode="4901234567894",
                         country="116", tradeCountry="116", currency="142", qty=Decimal("2"),
                         unit="142", qty1=Decimal("0.1"), unit1="035", price=Decimal("99"),
                         totalPrice=Decimal("198")),
        InventoryList621(gnum=2, itemRecordNo="100002", gcode="3401300000", gname="洁面乳",
                         gmodel="0|0|120g/支|资生堂|无型号", country="116", currency="142",
                         qty=Decimal("1"), unit="012", qty1=Decimal("0.12"), unit1="035",
                         qty2=Decimal("1"), unit2="012", price=Decimal("100"),
                         totalPrice=Decimal("100")),
    ]
    return CEB621Message(guid=MSG_GUID,
                         Inventory=[Inventory621(InventoryHead=head, InventoryList=items)],
                         **_transfer("3301980AGT"), Signature=SIGNATURE)


def _reversal() -> dict[str, Any]:
    return {**APP, "customsCode": "2924", "orderNo": ORDER_NO, **EBP, **EBC,
            "logisticsNo": WAYBILL_NO, **CARRIER, "copNo": "INV20240301000123",
            "preNo": PRE_NO, "invtNo": INVT_NO, **BUYER, **AGENT}


def build_623() -> CEB623Message:
    record = InvtCancel623(**_reversal(), reason="消费者取消订单")
    return CEB623Message(guid=MSG_GUID, InvtCancel=[record], **_transfer("3301980AGT"),
                         Signature=SIGNATURE)


def build_625() -> CEB625Message:
    head = InvtRefundHead625(**_reversal(), reason="商品破损，消费者退货")
    items = [InvtRefundList625(gnum=1, gcode="3304990099", gname="保湿面霜", qty=Decimal("1"),
                               unit="142")]
    return CEB625Message(guid=MSG_GUID,
                         InvtRefund=[InvtRefund625(InvtRefundHead=head, InvtRefundList=items)],
                         **_transfer("3301980AGT"), Signature=SIGNATURE)


def build_711() -> CEB711Message:
    """9610 direct purchase: the site operator reports the parcels of one air waybill."""
    head = DeliveryHead711(
        **APP, customsCode="2991", copNo="RKD20240301001", operatorCode="3301980OPR",
        operatorName="杭州萧山机场监管场所有限公司", ieFlag="I", trafMode="5", trafNo="CA1046",
        voyageNo="CA1046/20240301", billNo="999-12345675", **CARRIER, unloadLocation="A-01-03")
    parcels = [DeliveryList711(gnum=i, logisticsNo=f"SD12345678{i:02d}CN") for i in (1, 2, 3)]
    return CEB711Message(guid=MSG_GUID, Delivery=Delivery711(DeliveryHead=head,
                                                             DeliveryList=parcels),
                         **_transfer("3301980OPR"), Signature=SIGNATURE)


def build_312() -> CEB312Message:
    return CEB312Message(guid=MSG_GUID, OrderReturn=[OrderReturn312(
        guid=REC_GUID, ebpCode=EBP["ebpCode"], ebcCode=EBC["ebcCode"], orderNo=ORDER_NO,
        **RETURN)])


def build_412() -> CEB412Message:
    return CEB412Message(guid=MSG_GUID, PaymentReturn=[PaymentReturn412(
        guid=REC_GUID, payCode="31222699S7", payTransactionId="2024030122001412345678901234",
        **RETURN)])


def build_512() -> CEB512Message:
    return CEB512Message(guid=MSG_GUID, LogisticsReturn=[LogisticsReturn512(
        guid=REC_GUID, logisticsCode=CARRIER["logisticsCode"], logisticsNo=WAYBILL_NO,
        returnStatus="-504012", returnTime="20240301103000123", returnInfo="运单重复申报")])


def build_514() -> CEB514Message:
    return CEB514Message(guid=MSG_GUID, LogisticsStatusReturn=[LogisticsStatusReturn514(
        guid=REC_GUID, logisticsCode=CARRIER["logisticsCode"], logisticsNo=WAYBILL_NO,
        logisticsStatus="S", **RETURN)])


def build_622() -> CEB622Message:
    released = {"returnStatus": "800", "returnTime": "20240301120000456", "returnInfo": "放行"}
    return CEB622Message(guid=MSG_GUID, InventoryReturn=[
        InventoryReturn622(guid=REC_GUID, customsCode="2924", ebpCode=EBP["ebpCode"],
                           ebcCode=EBC["ebcCode"], agentCode=AGENT["agentCode"],
                           copNo="INV20240301000123", preNo=PRE_NO, invtNo=INVT_NO, **released),
        InventoryReturn622(guid=REC_GUID, copNo="INV20240301000124", preNo=PRE_NO,
                           returnStatus="2", returnTime="20240301101501000",
                           returnInfo="新增申报成功[7A1D3C9F-2B4E-4F6A-8D0C-9E8F7A6B5C4D]"),
    ])


def build_624() -> CEB624Message:
    return CEB624Message(guid=MSG_GUID, InvtCancelReturn=[InvtCancelReturn624(
        guid=REC_GUID, customsCode="2924", agentCode=AGENT["agentCode"],
        ebpCode=EBP["ebpCode"], ebcCode=EBC["ebcCode"], copNo="INV20240301000123",
        preNo=PRE_NO, invtNo=INVT_NO, returnStatus="399", returnTime="20240302090000000",
        returnInfo="审结")])


def build_626() -> CEB626Message:
    return CEB626Message(guid=MSG_GUID, InvtRefundReturn=[InvtRefundReturn626(
        guid=REC_GUID, copNo="INV20240301000123", preNo=PRE_NO, returnStatus="100",
        returnTime="20240310090000000", returnInfo="退货数量大于原清单数量")])


def build_712() -> CEB712Message:
    return CEB712Message(guid=MSG_GUID, DeliveryReturn=[DeliveryReturn712(
        guid=REC_GUID, customsCode="2991", operatorCode="3301980OPR", copNo="RKD20240301001",
        preNo="R20240301000000007", rkdNo="29912024R000000007", **RETURN)])


def build_816() -> CEB816Message:
    head = TaxHeadRd816(
        guid=REC_GUID, returnTime="20240301113000789", invtNo=INVT_NO,
        taxNo="29242024I00000000101", customsTax=Decimal("0"),
        valueAddedTax=Decimal("26.21"), consumptionTax=Decimal("0"), status="1",
        assureCode=EBC["ebcCode"], ebcCode=EBC["ebcCode"],
        logisticsCode=CARRIER["logisticsCode"], agentCode=AGENT["agentCode"],
        customsCode="2924")
    items = [
        TaxListRd816(gnum=1, gcode="3304990099", taxPrice=Decimal("188"),
                     customsTax=Decimal("0"), valueAddedTax=Decimal("17.11"),
                     consumptionTax=Decimal("0")),
        TaxListRd816(gnum=2, gcode="3401300000", taxPrice=Decimal("100"),
                     customsTax=Decimal("0"), valueAddedTax=Decimal("9.10"),
                     consumptionTax=Decimal("0")),
    ]
    return CEB816Message(guid=MSG_GUID, Tax=[Tax816(TaxHeadRd=head, TaxListRd=items)])


def build_818() -> CEB818Message:
    record = TaxHeadStatus818(guid=REC_GUID, returnTime="20240315100000000", invtNo=INVT_NO,
                              taxNo="29242024I00000000101", status="2",
                              entDutyNo="292420240315000001", assureCode=EBC["ebcCode"])
    return CEB818Message(guid=MSG_GUID, Tax=[Tax818(TaxHeadStatus=record)])


def build_900() -> CEB900Message:
    original = ('<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB621Message guid="x" '
                'xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:Inventory>&amp;'
                "</ceb:Inventory></ceb:CEB621Message>")
    record = MessageReturn900(
        guid=MSG_GUID, returnStatus="-999999",
        returnInfo="CEB621Message/@guid: String should have at least 36 characters",
        returnTime="20240301101500001", oriCopMsgId="", oriMessageType="CEB621Message",
        oriBizMessage=original)
    return CEB900Message(guid=REC_GUID, MessageReturn=record)


BUILDERS: dict[str, Callable[[], CebMessage]] = {
    "CEB311Message": build_311, "CEB312Message": build_312,
    "CEB411Message": build_411, "CEB412Message": build_412,
    "CEB511Message": build_511, "CEB512Message": build_512,
    "CEB513Message": build_513, "CEB514Message": build_514,
    "CEB621Message": build_621, "CEB622Message": build_622,
    "CEB623Message": build_623, "CEB624Message": build_624,
    "CEB625Message": build_625, "CEB626Message": build_626,
    "CEB711Message": build_711, "CEB712Message": build_712,
    "CEB816Message": build_816, "CEB818Message": build_818,
    "CEB900Message": build_900,
}
