"""Import receipts (进口回执) C→E, ceb-messages.md §5.1, and the tax messages §4.9-§4.10.

Receipt records carry their key fields, then returnStatus (C..10: a §5.2 code or a
negative error code; which codes a receipt may carry is a business rule, not a format
rule, as in export_receipts), returnTime (``yyyyMMddHHmmssfff``) and returnInfo.
CEB816/818 are sent by customs too: no BaseTransfer, 1..n ``Tax`` records. Order and
lengths follow ``ceb-import-202205.xsd``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ReceiptMessage
from contracts.ceb.types import (
    CebTime17,
    Dec19_5,
    Len4,
    Len10,
    Len18,
    Len36,
    LogisticsStatusCode,
    Str10,
    Str18,
    Str20,
    Str50,
    Str60,
    Str64,
    Str1000,
    TaxStatus,
    XsInt,
)


class ImportReceiptMessage(ReceiptMessage):
    """A customs → enterprise message of the import flow (not registered itself)."""

    flow = "import"


# ------------------------------------------------------------------ CEB312 order receipt


class OrderReturn312(CebModel):
    guid: Len36
    ebpCode: Str18
    ebcCode: Str18
    orderNo: Str60
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB312Message(ImportReceiptMessage):
    OrderReturn: Annotated[list[OrderReturn312], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB412 payment receipt


class PaymentReturn412(CebModel):
    guid: Len36
    payCode: Str18
    payTransactionId: Str60
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB412Message(ImportReceiptMessage):
    PaymentReturn: Annotated[list[PaymentReturn412], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB512 waybill receipt


class LogisticsReturn512(CebModel):
    guid: Len36
    logisticsCode: Str18
    logisticsNo: Str60
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB512Message(ImportReceiptMessage):
    LogisticsReturn: Annotated[list[LogisticsReturn512], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB514 status receipt


class LogisticsStatusReturn514(CebModel):
    guid: Len36
    logisticsCode: Str18
    logisticsNo: Str60
    logisticsStatus: LogisticsStatusCode
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB514Message(ImportReceiptMessage):
    LogisticsStatusReturn: Annotated[
        list[LogisticsStatusReturn514], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB622 inventory receipt


class InventoryReturn622(CebModel):
    guid: Len36
    customsCode: Len4 | None = None
    ebpCode: Str18 | None = None
    ebcCode: Str18 | None = None
    agentCode: Str18 | None = None
    copNo: Str20
    preNo: Len18
    invtNo: Len18 | None = None
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB622Message(ImportReceiptMessage):
    InventoryReturn: Annotated[list[InventoryReturn622], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB624 cancel receipt


class InvtCancelReturn624(CebModel):
    guid: Len36
    customsCode: Len4 | None = None
    agentCode: Str18 | None = None
    ebpCode: Str18 | None = None
    ebcCode: Str18 | None = None
    copNo: Str20
    preNo: Len18
    invtNo: Len18 | None = None
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB624Message(ImportReceiptMessage):
    InvtCancelReturn: Annotated[list[InvtCancelReturn624], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB626 return receipt


class InvtRefundReturn626(InvtCancelReturn624):
    """The return receipt: the same fields as the cancellation receipt."""


class CEB626Message(ImportReceiptMessage):
    InvtRefundReturn: Annotated[list[InvtRefundReturn626], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB712 entry receipt


class DeliveryReturn712(CebModel):
    guid: Len36
    customsCode: Len4 | None = None
    operatorCode: Str18 | None = None
    copNo: Str20 | None = None
    preNo: Str18 | None = None
    rkdNo: Str18 | None = None
    returnStatus: Str10
    returnTime: CebTime17
    returnInfo: Str1000


class CEB712Message(ImportReceiptMessage):
    DeliveryReturn: Annotated[list[DeliveryReturn712], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB816 tax bill


class TaxHeadRd816(CebModel):
    guid: Len36
    returnTime: CebTime17
    invtNo: Str18
    taxNo: Str50
    customsTax: Dec19_5
    valueAddedTax: Dec19_5
    consumptionTax: Dec19_5
    status: TaxStatus
    entDutyNo: Str50 | None = None
    note: Str1000 | None = None
    assureCode: Str64 | None = None
    ebcCode: Str64 | None = None
    logisticsCode: Str64 | None = None
    agentCode: Str18 | None = None
    customsCode: Len4 | None = None


class TaxListRd816(CebModel):
    gnum: XsInt
    gcode: Len10
    taxPrice: Dec19_5
    customsTax: Dec19_5
    valueAddedTax: Dec19_5
    consumptionTax: Dec19_5


class Tax816(CebModel):
    TaxHeadRd: TaxHeadRd816
    TaxListRd: Annotated[list[TaxListRd816], Field(min_length=1, max_length=99)]


class CEB816Message(ImportReceiptMessage):
    """电子税单 electronic tax bill."""

    Tax: Annotated[list[Tax816], Field(min_length=1)]  # XSD: unbounded


# ------------------------------------------------------------------ CEB818 tax-bill status


class TaxHeadStatus818(CebModel):
    guid: Len36
    returnTime: CebTime17
    invtNo: Str18
    taxNo: Str50
    status: TaxStatus
    entDutyNo: Str50 | None = None
    assureCode: Str64 | None = None


class Tax818(CebModel):
    TaxHeadStatus: TaxHeadStatus818


class CEB818Message(ImportReceiptMessage):
    """电子税单状态 tax-bill status."""

    Tax: Annotated[list[Tax818], Field(min_length=1)]  # XSD: unbounded
