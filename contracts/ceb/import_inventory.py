"""Import messages (进口) of the goods declaration: inventory, cancel, return, warehouse entry.

Declarations E→C, ceb-messages.md §4.5-§4.8, following ``ceb-import-202205.xsd``. All four
require a ds:Signature (``signature_required``). Note the import list order of quantities
and units: qty, unit, qty1, unit1, qty2, unit2 (export lists put the units after the qtys).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ImportDeclaration, ImportHead
from contracts.ceb.types import (
    CancelAppType,
    CebDate8,
    Country,
    Dec19_5,
    IeFlag,
    ImportCurrency,
    ImportFlag,
    ImportIdType,
    ImportTradeMode,
    Int9,
    Len4,
    Len10,
    Str10,
    Str18,
    Str19,
    Str20,
    Str30,
    Str32,
    Str37,
    Str50,
    Str60,
    Str100,
    Str200,
    Str250,
    Str510,
    Str1000,
    TradeCountry,
    TrafMode,
    Unit,
    WrapType,
    XsInt,
)

# ------------------------------------------------------------------ CEB621 inventory


class InventoryHead621(ImportHead):
    orderNo: Str60
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    logisticsNo: Str60
    logisticsCode: Str18
    logisticsName: Str100
    copNo: Str20 | None = None
    preNo: Str18 | None = None
    assureCode: Str30
    emsNo: Str30 | None = None
    invtNo: Str18 | None = None
    ieFlag: ImportFlag
    declTime: CebDate8
    customsCode: Len4
    portCode: Len4
    ieDate: CebDate8 | None = None
    buyerIdType: ImportIdType
    buyerIdNumber: Str60
    buyerName: Str60
    buyerTelephone: Str30
    consigneeAddress: Str200
    agentCode: Str18
    agentName: Str100
    areaCode: Str18 | None = None
    areaName: Str100 | None = None
    tradeMode: ImportTradeMode
    trafMode: TrafMode
    trafNo: Str100 | None = None
    voyageNo: Str32 | None = None
    billNo: Str37 | None = None
    loctNo: Str10 | None = None
    licenseNo: Str19 | None = None
    country: Country
    freight: Dec19_5
    insuredFee: Dec19_5
    currency: ImportCurrency
    wrapType: WrapType | None = None
    packNo: Int9
    grossWeight: Dec19_5
    netWeight: Dec19_5
    note: Str1000 | None = None


class InventoryList621(CebModel):
    gnum: XsInt
    itemRecordNo: Str30 | None = None
    itemNo: Str20 | None = None
    itemName: Str250 | None = None
    gcode: Len10
    gname: Str250
    gmodel: Str510
    barCode: Str50 | None = None
    country: Country
    tradeCountry: TradeCountry | None = None
    currency: ImportCurrency
    qty: Dec19_5
    unit: Unit
    qty1: Dec19_5
    unit1: Unit
    qty2: Dec19_5 | None = None
    unit2: Unit | None = None
    price: Dec19_5
    totalPrice: Dec19_5
    note: Str1000 | None = None


class Inventory621(CebModel):
    InventoryHead: InventoryHead621
    InventoryList: Annotated[list[InventoryList621], Field(min_length=1, max_length=99)]


class CEB621Message(ImportDeclaration):
    """进口清单 import inventory list."""

    signature_required = True

    Inventory: Annotated[list[Inventory621], Field(min_length=1, max_length=100)]


# ---------------------------------------------------- CEB625 return head, CEB623 cancel


class InvtRefundHead625(ImportHead):
    """The head of a return (CEB625); a cancellation (CEB623) has the same fields."""

    customsCode: Len4
    orderNo: Str60
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    logisticsNo: Str60
    logisticsCode: Str18
    logisticsName: Str100
    copNo: Str20 | None = None
    preNo: Str18 | None = None
    invtNo: Str18
    buyerIdType: ImportIdType
    buyerIdNumber: Str60
    buyerName: Str60
    buyerTelephone: Str30
    agentCode: Str18
    agentName: Str100
    reason: Str1000
    note: Str1000 | None = None


class InvtCancel623(InvtRefundHead625):
    """A cancellation: the return head's fields, appType 1 only."""

    appType: CancelAppType


class CEB623Message(ImportDeclaration):
    """撤销申请单 inventory cancellation request."""

    signature_required = True

    InvtCancel: Annotated[list[InvtCancel623], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB625 return


class InvtRefundList625(CebModel):
    gnum: XsInt
    gcode: Len10
    gname: Str250
    qty: Dec19_5
    unit: Unit
    note: Str1000 | None = None


class InvtRefund625(CebModel):
    InvtRefundHead: InvtRefundHead625
    InvtRefundList: Annotated[list[InvtRefundList625], Field(min_length=1, max_length=99)]


class CEB625Message(ImportDeclaration):
    """退货申请单 return (refund) request."""

    signature_required = True

    InvtRefund: Annotated[list[InvtRefund625], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB711 warehouse entry


class DeliveryHead711(ImportHead):
    customsCode: Len4
    copNo: Str20 | None = None
    preNo: Str18 | None = None
    rkdNo: Str18 | None = None
    operatorCode: Str18
    operatorName: Str100
    ieFlag: IeFlag
    trafMode: TrafMode
    trafNo: Str100
    voyageNo: Str32
    billNo: Str37
    logisticsCode: Str18
    logisticsName: Str100
    unloadLocation: Str100 | None = None
    note: Str1000 | None = None


class DeliveryList711(CebModel):
    gnum: XsInt
    logisticsNo: Str60
    note: Str1000 | None = None


class Delivery711(CebModel):
    DeliveryHead: DeliveryHead711
    DeliveryList: Annotated[list[DeliveryList711], Field(min_length=1)]  # XSD: unbounded


class CEB711Message(ImportDeclaration):
    """入库明细单 warehouse-entry detail (one Delivery per message)."""

    signature_required = True

    Delivery: Delivery711
