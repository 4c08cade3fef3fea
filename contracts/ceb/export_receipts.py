"""Export receipts (出口回执), C→E: ceb-messages.md §5.1, plus CEB792 汇总结果单 (§3.11).

Every receipt record ends with returnStatus (C..10), returnTime (C17,
``yyyyMMddHHmmssfff``) and returnInfo (C..1000), all required. returnStatus is free text
up to 10 characters here (positive codes of §5.2 or a negative error code); which codes a
receipt may carry is a business rule, not a format rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ReceiptMessage
from contracts.ceb.types import (
    CebTime17,
    Dec19_5,
    Int5,
    Int9,
    Len4,
    Len10,
    Len18,
    Len36,
    StatisticsFlag,
    Str3,
    Str10,
    Str18,
    Str20,
    Str30,
    Str32,
    Str37,
    Str60,
    Str80,
    Str100,
    Str1000,
)

ReturnStatus = Str10
ReturnTime = CebTime17
ReturnInfo = Str1000

# ------------------------------------------------------------------ CEB304 order receipt


class OrderReturn304(CebModel):
    guid: Len36
    ebpCode: Str18
    ebcCode: Str18
    orderNo: Str60
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB304Message(ReceiptMessage):
    """订单回执 order receipt."""

    OrderReturn: Annotated[list[OrderReturn304], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB404 collection receipt


class ReceiptsReturn404(CebModel):
    guid: Len36
    ebcCode: Str18
    orderNo: Str60
    payNo: Str60 | None = None
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB404Message(ReceiptMessage):
    """收款单回执 collection receipt."""

    ReceiptsReturn: Annotated[list[ReceiptsReturn404], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB506 waybill receipt


class LogisticsReturn506(CebModel):
    guid: Len36
    logisticsCode: Str18
    logisticsNo: Str32
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB506Message(ReceiptMessage):
    """运单回执 waybill receipt."""

    LogisticsReturn: Annotated[list[LogisticsReturn506], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB508 arrival receipt


class ArrivalReturn508(CebModel):
    guid: Len36
    operatorCode: Str18
    logisticsCode: Str18
    preNo: Len18
    copNo: Str30
    billNo: Str37
    msgSeqNo: Int9
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB508Message(ReceiptMessage):
    """运抵单回执 arrival receipt."""

    ArrivalReturn: Annotated[list[ArrivalReturn508], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB510 departure receipt


class DepartureReturn510(CebModel):
    guid: Len36
    logisticsCode: Str18
    copNo: Str30
    preNo: Len18
    msgSeqNo: Int9
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB510Message(ReceiptMessage):
    """离境单回执 departure receipt."""

    DepartureReturn: Annotated[list[DepartureReturn510], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB604 inventory receipt


class InventoryReturn604(CebModel):
    guid: Len36
    agentCode: Str18
    copNo: Str30
    preNo: Len18
    invtNo: Str20
    ebcCode: Str18
    ebpCode: Str18
    orderNo: Str60
    statisticsFlag: StatisticsFlag
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB604Message(ReceiptMessage):
    """清单回执 inventory receipt."""

    InventoryReturn: Annotated[list[InventoryReturn604], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB606 cancel receipt


class InvtCancelReturn606(CebModel):
    guid: Len36
    agentCode: Str18
    copNo: Str30
    preNo: Len18
    invtNo: Str20
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB606Message(ReceiptMessage):
    """撤销申请单回执 cancellation receipt."""

    InvtCancelReturn: Annotated[list[InvtCancelReturn606], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB608 waybill receipt


class WayBillReturn608(CebModel):
    guid: Len36
    agentCode: Str18
    logisticsCode: Str18
    copNo: Str30
    preNo: Len18
    billNo: Str37
    msgSeqNo: Int9
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB608Message(ReceiptMessage):
    """清单总分单回执 master/sub waybill receipt."""

    WayBillReturn: Annotated[list[WayBillReturn608], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB214 return receipt


class RefundReturn214(CebModel):
    guid: Len36
    ebpCode: Str18 | None = None
    ebcCode: Str18 | None = None
    agentCode: Str18
    coElNo: Str30
    preNo: Str18 | None = None
    invtNo: Str20
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB214Message(ReceiptMessage):
    """退货申请单回执 export-return receipt."""

    RefundReturn: Annotated[list[RefundReturn214], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB216 tally receipt


class InvtRefundDetailReturn216(CebModel):
    guid: Len36
    operatorCode: Str18
    logisticsCode: Str18
    logisticsNo: Str80
    coElNo: Str30
    preNo: Str18 | None = None
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB216Message(ReceiptMessage):
    """理货明细单回执 return tally receipt."""

    InvtRefundDetailReturn: Annotated[
        list[InvtRefundDetailReturn216], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB702 summary receipt


class SummaryReturn702(CebModel):
    guid: Len36
    agentCode: Str18
    ebcCode: Str18
    copNo: Str30
    preNo: Len18
    sumNo: Len18 | None = None
    msgSeqNo: Int9
    returnStatus: ReturnStatus
    returnTime: ReturnTime
    returnInfo: ReturnInfo


class CEB702Message(ReceiptMessage):
    """汇总申请单回执 summary application receipt."""

    SummaryReturn: Annotated[list[SummaryReturn702], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB792 summary result


class SummaryResultHead792(CebModel):
    guid: Len36
    customsCode: Len4
    sumNo: Len18
    opDate: CebTime17
    declSeqNo: Len18
    decTmpNo: Len18 | None = None
    decPreNo: Len18 | None = None
    entryId: Len18 | None = None
    decState: Str3
    agentCode: Str18
    agentName: Str100
    ebcCode: Str18
    ebcName: Str100
    declAgentCode: Str18
    declAgentName: Str100
    grossWeight: Dec19_5
    netWeight: Dec19_5
    msgCount: Int9
    msgSeqNo: Int9
    note: Str1000 | None = None


class SummaryResultList792(CebModel):
    invtNo: Str20
    logisticsNo: Str32
    gseqno: Int5
    gnum: Int5
    gcode: Len10


class SummaryResult792(CebModel):
    SummaryResultHead: SummaryResultHead792
    SummaryResultList: list[SummaryResultList792] = []


class CEB792Message(ReceiptMessage):
    """汇总结果单 summary result (customs → enterprise)."""

    SummaryResult: Annotated[list[SummaryResult792], Field(min_length=1, max_length=100)]
