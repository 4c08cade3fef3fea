"""Export summary application (汇总申请单): CEB701, E→C, ceb-messages.md §3.10.

The customs answer, CEB792 汇总结果单, is in ``export_receipts``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ExportDeclaration, ExportHead
from contracts.ceb.types import (
    CebTime14,
    Int9,
    Len1,
    Len4,
    Str10,
    Str18,
    Str20,
    Str30,
    Str100,
    Str1000,
    SummaryFlag,
)


class SummaryApplyHead701(ExportHead):
    customsCode: Len4
    copNo: Str30
    preNo: Str18 | None = None
    sumNo: Str18 | None = None
    agentCode: Str18
    agentName: Str100
    ebcCode: Str18
    ebcName: Str100
    declAgentCode: Str18
    declAgentName: Str100
    startTime: CebTime14 | None = None
    endTime: CebTime14 | None = None
    loctNo: Str10 | None = None
    summaryFlag: SummaryFlag
    itemNameFlag: Len1
    msgCount: Int9
    msgSeqNo: Int9
    note: Str1000 | None = None


class SummaryApplyList701(CebModel):
    invtNo: Str20


class SummaryApply701(CebModel):
    SummaryApplyHead: SummaryApplyHead701
    SummaryApplyList: list[SummaryApplyList701] = []


class CEB701Message(ExportDeclaration):
    """汇总申请单 summary application."""

    SummaryApply: Annotated[list[SummaryApply701], Field(min_length=1, max_length=100)]
