"""Export transport messages (出口运输): arrival, departure, master/sub waybill.

CEB507 运抵单, CEB509 离境单, CEB607 清单总分单 (ceb-messages.md §3.4, §3.5, §3.8), E→C.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ExportDeclaration, ExportHead
from contracts.ceb.types import (
    CebTime14,
    Dec19_5,
    ExportFlag,
    Int5,
    Int9,
    Len4,
    Len18,
    Str10,
    Str18,
    Str20,
    Str30,
    Str32,
    Str37,
    Str60,
    Str100,
    Str1000,
    TrafMode,
)

# ------------------------------------------------------------------ CEB507 arrival


class ArrivalHead507(ExportHead):
    customsCode: Len4
    copNo: Str30
    preNo: Len18 | None = None
    operatorCode: Str18
    operatorName: Str100
    loctNo: Str10 | None = None
    ieFlag: ExportFlag
    trafMode: TrafMode
    billNo: Str37 | None = None
    domesticTrafNo: Str100
    logisticsCode: Str18
    logisticsName: Str100
    msgCount: Int9
    msgSeqNo: Int9
    note: Str1000 | None = None


class ArrivalList507(CebModel):
    gnum: Int5
    logisticsNo: Str32
    totalPackageNo: Str37 | None = None
    note: Str1000 | None = None


class Arrival507(CebModel):
    ArrivalHead: ArrivalHead507
    ArrivalList: list[ArrivalList507] = []


class CEB507Message(ExportDeclaration):
    """运抵单 arrival at the supervised site."""

    Arrival: Annotated[list[Arrival507], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB509 departure


class DepartureHead509(ExportHead):
    customsCode: Len4
    copNo: Str30
    preNo: Len18 | None = None
    logisticsCode: Str18
    logisticsName: Str100
    trafMode: TrafMode
    trafName: Str100 | None = None
    voyageNo: Str32 | None = None
    billNo: Str37 | None = None
    leaveTime: CebTime14
    msgCount: Int9
    msgSeqNo: Int9
    note: Str1000 | None = None


class DepartureList509(CebModel):
    gnum: Int5
    totalPackageNo: Str37 | None = None
    logisticsNo: Str32
    note: Str1000 | None = None


class Departure509(CebModel):
    DepartureHead: DepartureHead509
    DepartureList: Annotated[list[DepartureList509], Field(min_length=1)]


class CEB509Message(ExportDeclaration):
    """离境单 departure."""

    Departure: Annotated[list[Departure509], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB607 master/sub waybill


class WayBillHead607(ExportHead):
    customsCode: Len4
    copNo: Str30
    preNo: Len18 | None = None
    agentCode: Str18
    agentName: Str100
    loctNo: Str10 | None = None
    trafMode: TrafMode
    trafName: Str100
    voyageNo: Str32
    billNo: Str37
    domesticTrafNo: Str100 | None = None
    grossWeight: Dec19_5
    logisticsCode: Str18
    logisticsName: Str100
    msgCount: Int9
    msgSeqNo: Int9
    note: Str1000 | None = None


class WayBillList607(CebModel):
    gnum: Int5
    totalPackageNo: Str60 | None = None
    logisticsNo: Str32
    invtNo: Str20 | None = None
    note: Str1000 | None = None


class WayBill607(CebModel):
    WayBillHead: WayBillHead607
    WayBillList: Annotated[list[WayBillList607], Field(min_length=1)]


class CEB607Message(ExportDeclaration):
    """清单总分单 master/sub waybill: binds parcels to the transport."""

    WayBill: Annotated[list[WayBill607], Field(min_length=1, max_length=100)]
