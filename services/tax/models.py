"""The tax service's tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from infra.db import UtcDateTime
from services.tax.db import TaxTable

# Amounts keep the precision the CEB816 XSD allows (N19,5); rounding to fen is a rule.


def _at(nullable: bool = True) -> Any:
    return Column(UtcDateTime(), nullable=nullable)


class TaxBill(TaxTable, table=True):
    """The electronic tax bill (电子税单, CEB816 TaxHeadRd) of one import list.

    ``status`` follows CEB816/818: ``1`` generated, ``2`` summarised for payment,
    ``3`` cancelled (e.g. a return within 30 days of release, rules.md §3.3).
    ``in_limit`` tells whether the 70% in-limit treatment applied or the full general
    rates (a single indivisible item over 5,000 CNY, rules.md §3.1).
    """

    __tablename__ = "tax_bill"
    __table_args__ = (UniqueConstraint("invt_guid", name="uq_tax_bill_invt_guid"),)

    id: int | None = Field(default=None, primary_key=True)
    guid: str = Field(max_length=36, unique=True)  # the bill's own guid (TaxHeadRd.guid)
    invt_guid: str = Field(max_length=36)  # the list asked about: one bill per list
    tax_no: str = Field(max_length=50, unique=True)  # 电子税单编号
    invt_no: str | None = Field(default=None, max_length=18, index=True)
    order_no: str = Field(max_length=60)
    logistics_no: str | None = Field(default=None, max_length=60)
    trade_mode: str = Field(max_length=4)  # 9610 or 1210/1239
    customs_code: str | None = Field(default=None, max_length=4)
    ebc_code: str = Field(max_length=18, index=True)
    ebp_code: str | None = Field(default=None, max_length=18)
    logistics_code: str | None = Field(default=None, max_length=18)
    agent_code: str | None = Field(default=None, max_length=18)
    assure_code: str | None = Field(default=None, max_length=64)  # withholding guarantor
    # The buyer is the taxpayer; the annual 26,000 CNY quota is keyed on this id.
    buyer_id_number: str = Field(max_length=60, index=True)
    currency: str = Field(default="142", max_length=3)
    # Retail price + freight + insurance
    dutiable_value: Decimal = Field(max_digits=19, decimal_places=5)
    customs_tax: Decimal = Field(max_digits=19, decimal_places=5)
    value_added_tax: Decimal = Field(max_digits=19, decimal_places=5)
    consumption_tax: Decimal = Field(max_digits=19, decimal_places=5)
    tax_total: Decimal = Field(max_digits=19, decimal_places=5)
    in_limit: bool = True
    status: str = Field(default="1", max_length=1)
    ent_duty_no: str | None = Field(default=None, max_length=50)  # 缴款书编号
    created_at: datetime = Field(sa_column=_at(nullable=False))
    released_at: datetime | None = Field(default=None, sa_column=_at())
    # Payment window after release (days 31..45, rules.md §3.2).
    due_from: datetime | None = Field(default=None, sa_column=_at())
    due_until: datetime | None = Field(default=None, sa_column=_at())
    paid_at: datetime | None = Field(default=None, sa_column=_at())
    cancelled_at: datetime | None = Field(default=None, sa_column=_at())


class TaxBillLine(TaxTable, table=True):
    """One line of a tax bill (CEB816 TaxListRd)."""

    __tablename__ = "tax_bill_line"
    __table_args__ = (UniqueConstraint("bill_id", "gnum", name="uq_tax_bill_line_gnum"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="tax_bill.id", index=True)
    gnum: int
    gcode: str = Field(max_length=10)  # HS code of the line
    tax_price: Decimal = Field(max_digits=19, decimal_places=5)  # 完税总价格
    customs_tax: Decimal = Field(max_digits=19, decimal_places=5)
    value_added_tax: Decimal = Field(max_digits=19, decimal_places=5)
    consumption_tax: Decimal = Field(max_digits=19, decimal_places=5)
