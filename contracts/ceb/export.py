"""Export messages (出口): declarations E→C, ceb-messages.md §3.

This module: CEB303 order, CEB403 collection, CEB505 waybill, CEB603 inventory, CEB605
inventory cancel. Transport (507/509/607), returns (213/215) and the summary application
(701) are in ``export_transport``, ``export_returns`` and ``export_summary``; the receipts
in ``export_receipts``. Record classes carry the message number (``OrderHead303``) because
the import schema has elements of the same names.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.ceb.base import CebModel, ExportDeclaration, ExportHead
from contracts.ceb.types import (
    CebDate8,
    CebTime14,
    Country,
    Currency,
    Dec19_5,
    ExportFlag,
    ExportOrderType,
    FeeFlag,
    Int5,
    Int9,
    Len4,
    Len10,
    Len18,
    StatisticsFlag,
    Str3to4,
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
    Str1000,
    TradeMode,
    TrafMode,
    Unit,
    WrapType,
)

# ------------------------------------------------------------------ CEB303 order


class OrderHead303(ExportHead):
    orderType: ExportOrderType
    orderNo: Str60
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    goodsValue: Dec19_5
    freight: Dec19_5
    currency: Currency
    note: Str1000 | None = None


class OrderList303(CebModel):
    gnum: Int5
    itemNo: Str30
    itemName: Str250
    itemDescribe: Str1000 | None = None
    barCode: Str50 | None = None
    unit: Unit
    currency: Currency
    qty: Dec19_5
    price: Dec19_5
    totalPrice: Dec19_5
    note: Str1000 | None = None


class Order303(CebModel):
    OrderHead: OrderHead303
    OrderList: Annotated[list[OrderList303], Field(min_length=1, max_length=100)]


class CEB303Message(ExportDeclaration):
    """电子订单 export order."""

    Order: Annotated[list[Order303], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB403 collection


class Receipts403(ExportHead):
    ebpCode: Str18
    ebpName: Str100
    ebcCode: Str18
    ebcName: Str100
    orderNo: Str60
    payCode: Str18 | None = None
    payName: Str100
    payNo: Str60 | None = None
    charge: Dec19_5
    currency: Currency
    accountingDate: CebTime14
    note: Str1000 | None = None


class CEB403Message(ExportDeclaration):
    """收款单 collection (receipt of payment)."""

    Receipts: Annotated[list[Receipts403], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB505 waybill


class Logistics505(ExportHead):
    logisticsCode: Str18
    logisticsName: Str100
    logisticsNo: Str32
    freight: Dec19_5
    insuredFee: Dec19_5
    currency: Currency
    grossWeight: Dec19_5
    packNo: Int9
    goodsInfo: Str200
    ebcCode: Str18 | None = None
    ebcName: Str100 | None = None
    ebcTelephone: Str50 | None = None
    note: Str1000 | None = None


class CEB505Message(ExportDeclaration):
    """物流运单 export waybill."""

    Logistics: Annotated[list[Logistics505], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB603 inventory


class InventoryHead603(ExportHead):
    customsCode: Len4
    ebpCode: Str18
    ebpName: Str100
    orderNo: Str60
    logisticsCode: Str18
    logisticsName: Str100
    logisticsNo: Str32
    copNo: Str30
    preNo: Len18 | None = None
    invtNo: Str20 | None = None
    ieFlag: ExportFlag
    portCode: Len4
    ieDate: CebDate8
    statisticsFlag: StatisticsFlag
    agentCode: Str18
    agentName: Str100
    ebcCode: Str18
    ebcName: Str100
    ownerCode: Str18
    ownerName: Str100
    iacCode: Str18 | None = None
    iacName: Str100 | None = None
    emsNo: Str30 | None = None
    tradeMode: TradeMode
    trafMode: TrafMode
    trafName: Str100 | None = None
    voyageNo: Str32 | None = None
    billNo: Str37 | None = None
    totalPackageNo: Str37 | None = None
    loctNo: Annotated[str, Field(min_length=1, max_length=10)] | None = None
    licenseNo: Str19 | None = None
    country: Country
    POD: Str3to4
    freight: Dec19_5
    fCurrency: Currency
    fFlag: FeeFlag
    insuredFee: Dec19_5
    iCurrency: Currency
    iFlag: FeeFlag
    wrapType: WrapType
    packNo: Int9
    grossWeight: Dec19_5
    netWeight: Dec19_5
    note: Str1000 | None = None


class InventoryList603(CebModel):
    gnum: Int5
    itemNo: Str20
    itemRecordNo: Str30 | None = None
    itemName: Str250 | None = None
    gcode: Len10
    gname: Str250
    gmodel: Str250
    barCode: Str50
    country: Country
    currency: Currency
    qty: Dec19_5
    qty1: Dec19_5
    qty2: Dec19_5 | None = None
    unit: Unit
    unit1: Unit
    unit2: Unit | None = None
    price: Dec19_5
    totalPrice: Dec19_5
    note: Str1000 | None = None


class Inventory603(CebModel):
    InventoryHead: InventoryHead603
    InventoryList: Annotated[list[InventoryList603], Field(min_length=1, max_length=100)]


class CEB603Message(ExportDeclaration):
    """申报清单 export inventory list."""

    Inventory: Annotated[list[Inventory603], Field(min_length=1, max_length=100)]


# ------------------------------------------------------------------ CEB605 inventory cancel


class InvtCancel605(ExportHead):
    customsCode: Len4
    copNo: Str30
    preNo: Len18 | None = None
    invtNo: Str20
    reason: Str1000
    agentCode: Str18
    agentName: Str100
    ebcCode: Str18
    ebcName: Str100
    note: Str1000 | None = None


class CEB605Message(ExportDeclaration):
    """撤销申请单 export inventory cancellation."""

    InvtCancel: Annotated[list[InvtCancel605], Field(min_length=1, max_length=100)]
