"""Import messages (进口) of the trade data: order, payment, waybill, waybill status.

Declarations E→C, ceb-messages.md §4.1-§4.4; element order, lengths and occurrences follow
``ceb-import-202205.xsd`` (it wins over the PDF text).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ImportDeclaration, ImportHead
from contracts.ceb.types import (
    CebTime14,
    Country,
    Dec19_5,
    ImportCurrency,
    ImportIdType,
    ImportOrderType,
    Int9,
    Len6,
    LogisticsStatusCode,
    Str18,
    Str30,
    Str37,
    Str50,
    Str60,
    Str100,
    Str200,
    Str250,
    Str510,
    Str1000,
    Unit,
    XsInt,
)

# ------------------------------------------------------------------ CEB311 order


class OrderHead311(ImportHead):
    orderType: ImportOrderType
    orderNo: Str60
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    goodsValue: Dec19_5
    freight: Dec19_5
    discount: Dec19_5
    taxTotal: Dec19_5
    acturalPaid: Dec19_5
    currency: ImportCurrency
    buyerRegNo: Str60
    buyerName: Str60
    buyerTelephone: Str30
    buyerIdType: ImportIdType
    buyerIdNumber: Str60
    payCode: Str18 | None = None
    payName: Str100 | None = None
    payTransactionId: Str60 | None = None
    batchNumbers: Str100 | None = None
    consignee: Str100
    consigneeTelephone: Str50
    consigneeAddress: Str200
    consigneeDistrict: Len6 | None = None
    note: Str1000 | None = None


class OrderList311(CebModel):
    gnum: XsInt
    itemNo: Str30 | None = None
    itemName: Str250
    gmodel: Str510
    itemDescribe: Str1000 | None = None
    barCode: Str50 | None = None
    unit: Unit
    qty: Dec19_5
    price: Dec19_5
    totalPrice: Dec19_5
    currency: ImportCurrency
    country: Country
    note: Str1000 | None = None


class Order311(CebModel):
    OrderHead: OrderHead311
    OrderList: Annotated[list[OrderList311], Field(min_length=1, max_length=99)]


class CEB311Message(ImportDeclaration):
    """电子订单 import order."""

    Order: Annotated[list[Order311], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB411 payment


class PaymentHead411(ImportHead):
    payCode: Str18
    payName: Str100
    payTransactionId: Str60
    orderNo: Str60
    ebpCode: Str18
    ebpName: Str100
    payerIdType: ImportIdType
    payerIdNumber: Str60
    payerName: Str60
    telephone: Str60 | None = None
    amountPaid: Dec19_5
    currency: ImportCurrency
    payTime: CebTime14
    note: Str1000 | None = None


class Payment411(CebModel):
    PaymentHead: PaymentHead411


class CEB411Message(ImportDeclaration):
    """支付凭证 payment voucher."""

    Payment: Annotated[list[Payment411], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB511 waybill


class LogisticsHead511(ImportHead):
    logisticsCode: Str18
    logisticsName: Str100
    logisticsNo: Str60
    billNo: Str37 | None = None
    orderNo: Str60
    freight: Dec19_5 | None = None
    insuredFee: Dec19_5 | None = None
    currency: ImportCurrency
    weight: Dec19_5
    packNo: Int9
    goodsInfo: Str200 | None = None
    consignee: Str100
    consigneeAddress: Str200
    consigneeTelephone: Str50
    note: Str1000 | None = None


class Logistics511(CebModel):
    LogisticsHead: LogisticsHead511


class CEB511Message(ImportDeclaration):
    """物流运单 import waybill."""

    Logistics: Annotated[list[Logistics511], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB513 waybill status


class LogisticsStatus513(ImportHead):
    logisticsCode: Str18
    logisticsName: Str100
    logisticsNo: Str60
    logisticsStatus: LogisticsStatusCode
    logisticsTime: CebTime14
    note: Str1000 | None = None


class CEB513Message(ImportDeclaration):
    """运单状态 waybill status (signed for)."""

    LogisticsStatus: Annotated[list[LogisticsStatus513], Field(min_length=1, max_length=100)]
