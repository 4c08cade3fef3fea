"""Export returns (出口退货, 2022): CEB213 退货申请单 and CEB215 退货理货明细单, E→C.

ceb-messages.md §3.9. The goods come back in, so ``ieFlag`` is "I" (出口退货填写I).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ExportDeclaration, ExportHead
from contracts.ceb.types import (
    Country,
    Dec19_5,
    ImportFlag,
    Int4,
    Len4,
    Str4,
    Str10,
    Str18,
    Str20,
    Str30,
    Str32,
    Str37,
    Str80,
    Str100,
    Str250,
    Str500,
    TradeMode,
    TrafMode,
    Unit,
)

# ------------------------------------------------------------------ CEB213 return request


class InvtRefundHead213(ExportHead):
    customsCode: Len4
    loctNo: Str10 | None = None
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    logisticsNo: Str80
    logisticsCode: Str18
    logisticsName: Str100
    coElNo: Str30
    preNo: Str18 | None = None
    invtNo: Str20
    tradeMode: TradeMode | None = None
    agentCode: Str18
    agentName: Str100
    billNo: Str37
    ieFlag: ImportFlag
    trafMode: TrafMode
    trafName: Str100
    portCode: Str4
    reason: Str500
    country: Country
    voyageNo: Str32
    note: Str500 | None = None


class InvtRefundList213(CebModel):
    gnum: Int4
    gcode: Str10
    gname: Str250
    gmodel: Str250
    qty: Dec19_5
    qty1: Dec19_5
    unit: Unit
    unit1: Unit
    qty2: Dec19_5 | None = None
    unit2: Unit | None = None
    note: Str500 | None = None


class InvtRefund213(CebModel):
    InvtRefundHead: InvtRefundHead213
    InvtRefundList: Annotated[list[InvtRefundList213], Field(min_length=1, max_length=100)]


class CEB213Message(ExportDeclaration):
    """退货申请单 export-return request."""

    InvtRefund: Annotated[list[InvtRefund213], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB215 return tally detail


class InvtRefundDetail215(ExportHead):
    customsCode: Len4
    operatorCode: Str18
    operatorName: Str100
    logisticsCode: Str18
    logisticsName: Str100
    logisticsNo: Str80
    invtNo: Str20 | None = None
    coElNo: Str20
    preNo: Str18 | None = None
    billNo: Str37
    ieFlag: ImportFlag
    trafMode: TrafMode
    trafName: Str100
    voyageNo: Str32
    location: Str250 | None = None
    note: Str250 | None = None


class CEB215Message(ExportDeclaration):
    """退货理货明细单 export-return tally detail."""

    InvtRefundDetail: Annotated[list[InvtRefundDetail215], Field(min_length=1, max_length=100)]
