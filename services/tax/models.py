"""The tax service's tables: tax bills and their lines, the withholding agents' guarantees,
and the outboxes of what tax sends (CEB816/818 to the gateway, answers to customs)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from infra.db import UtcDateTime, new_list
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
    ``state`` is where the bill stands for the simulator: ``held`` (the withholding agent's
    guarantee does not cover it: not issued, the list is not released), ``issued``
    (CEB816 sent, the guarantee reduced by ``guarantee_held`` fen), ``due`` (summarised for
    payment, status 2), ``paid`` (guarantee restored) or ``cancelled`` (status 3).
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
    state: str = Field(default="held", max_length=10, index=True)
    guarantee_held: int = Field(default=0, sa_column=Column(BigInteger, nullable=False,
                                                            default=0))  # fen
    return_pending: bool = False
    recipient: str = Field(default="", max_length=18)  # who declared the list
    conversation_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)


class TaxBillLine(TaxTable, table=True):
    """One line of a tax bill (CEB816 TaxListRd)."""

    __tablename__ = "tax_bill_line"
    __table_args__ = (UniqueConstraint("bill_id", "gnum", name="uq_tax_bill_line_gnum"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="tax_bill.id", index=True)
    gnum: int
    gcode: str = Field(max_length=10)  # HS code of the line
    qty: Decimal = Field(default=Decimal(1), max_digits=19, decimal_places=5)
    tax_price: Decimal = Field(max_digits=19, decimal_places=5)  # 完税总价格
    customs_tax: Decimal = Field(max_digits=19, decimal_places=5)
    value_added_tax: Decimal = Field(max_digits=19, decimal_places=5)
    consumption_tax: Decimal = Field(max_digits=19, decimal_places=5)


class Guarantee(TaxTable, table=True):
    """The revolving tax guarantee (循环担保) of a withholding agent (assureCode), in fen:
    reduced when a bill is issued, restored when it is paid or cancelled."""

    assure_code: str = Field(primary_key=True, max_length=64)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    balance: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = Field(sa_column=_at(nullable=False))


class TaxReceiptOutbox(TaxTable, table=True):
    """A CEB816/818 for the gateway (``infra.outbox``): sent after the commit."""

    __tablename__ = "tax_receipt_outbox"

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: str = Field(max_length=32, unique=True)
    message_id: str | None = Field(default=None, max_length=64)
    recipient: str = Field(max_length=64)
    conversation_id: str | None = Field(default=None, max_length=64)
    message_type: str = Field(max_length=20)
    record_guid: str = Field(max_length=36)
    return_status: str = Field(max_length=10)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=_at(nullable=False))  # simulator clock
    stored_at: float
    sent_at: float | None = Field(default=None, index=True)


class TaxJobOutbox(TaxTable, table=True):
    """A job for customs, or one due on the simulator clock (``due_at``) (``infra.outbox``)."""

    __tablename__ = "tax_job_outbox"

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=20)
    func: str = Field(max_length=120)
    args: list[Any] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=_at())
    key: str | None = Field(default=None, max_length=80)
    stored_at: float
    sent_at: float | None = Field(default=None, index=True)
