"""Customs' import tables: a list's clearance state, buyers' yearly usage, the 1210 account
books, and the outbox of jobs for the tax service.

The documents themselves (orders, payments, waybills, lists, requests) are customs'
``Document`` rows, with their timeline, receipts and processed messages. Quantities and
money that conditional updates compare (``... WHERE balance >= :qty``) are integers in
units of 1/100,000 (``SCALE``): exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship

from infra.db import UtcDateTime, new_dict, new_list
from services.customs.db import CustomsTable
from services.customs.models import Document

SCALE = 100_000  # N19,5: five decimal places


def scaled(value: Decimal) -> int:
    """A quantity or amount as an integer of 1/100,000."""
    return int((value * SCALE).to_integral_value())


def unscaled(value: int) -> Decimal:
    return (Decimal(value) / SCALE).normalize()


def _tz(nullable: bool = True) -> Any:
    return Column(UtcDateTime(), nullable=nullable)


def _big() -> Any:
    return Column(BigInteger, nullable=False, default=0)


class ImportClearance(CustomsTable, table=True):
    """What customs holds for one import list between its approval (399) and the end.

    ``quota_held`` is the amount counted toward the buyer's year (scaled), ``caps_held``
    the kilograms per capped tariff line, ``stock_held`` the quantities per account-book
    item taken from ``ems_no``. ``tax_state``: none, requested, issued, held (guarantee).
    ``return_state``: pending (applied, goods not back), done, failed.
    """

    __tablename__ = "import_clearance"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), unique=True,
                                              nullable=False))
    invt_no: str = Field(max_length=18, index=True)
    trade_mode: str = Field(max_length=4)
    buyer_id: str = Field(max_length=60, index=True)
    year: int
    dutiable_value: Decimal = Field(max_digits=19, decimal_places=5)
    treatment: str = Field(max_length=12)
    quota_held: int = Field(default=0, sa_column=_big())
    caps_held: dict[str, str] = Field(default_factory=new_dict,
                                      sa_column=Column(JSON, nullable=False))
    ems_no: str | None = Field(default=None, max_length=30)
    stock_held: dict[str, str] = Field(default_factory=new_dict,
                                       sa_column=Column(JSON, nullable=False))
    tax_state: str = Field(default="none", max_length=12)
    tax_no: str | None = Field(default=None, max_length=50)
    tax_total: Decimal | None = Field(default=None, max_digits=19, decimal_places=5)
    tax_info: str | None = Field(default=None, max_length=1000)
    inspection: str | None = Field(default=None, max_length=40)
    released_at: datetime | None = Field(default=None, sa_column=_tz())
    cancelled_at: datetime | None = Field(default=None, sa_column=_tz())
    return_state: str | None = Field(default=None, max_length=10)
    returned_at: datetime | None = Field(default=None, sa_column=_tz())
    # set when the list is held: the INSERT takes its id (written before it), so holding
    # does not write the batch's new documents early
    document: Document | None = Relationship(sa_relationship=relationship("Document"))


class BuyerUsage(CustomsTable, table=True):
    """What a buyer (by ID number) used in a calendar year: ``CNY`` (the 26,000 limit) or a
    capped tariff line (kilograms), scaled."""

    __tablename__ = "import_buyer_usage"
    __table_args__ = (UniqueConstraint("buyer_id", "year", "item", name="uq_buyer_usage"),)

    id: int | None = Field(default=None, primary_key=True)
    buyer_id: str = Field(max_length=60)
    year: int
    item: str = Field(max_length=12)
    used: int = Field(default=0, sa_column=_big())


class AccountBook(CustomsTable, table=True):
    """An electronic account book (电子账册) of a bonded-zone warehouse enterprise."""

    __tablename__ = "import_account_book"

    id: int | None = Field(default=None, primary_key=True)
    ems_no: str = Field(max_length=30, unique=True)
    owner_code: str = Field(max_length=18, index=True)
    customs_code: str | None = Field(default=None, max_length=4)
    created_at: datetime = Field(sa_column=_tz(nullable=False))


class BookItem(CustomsTable, table=True):
    """One recorded item (备案料号) of an account book and its balance (scaled)."""

    __tablename__ = "import_book_item"
    __table_args__ = (UniqueConstraint("ems_no", "item_record_no", name="uq_book_item"),)

    id: int | None = Field(default=None, primary_key=True)
    ems_no: str = Field(max_length=30)
    item_record_no: str = Field(max_length=30)
    gcode: str = Field(max_length=10)
    gname: str = Field(max_length=250)
    unit: str = Field(max_length=3)
    balance: int = Field(default=0, sa_column=_big())


class BookEntry(CustomsTable, table=True):
    """A movement of an account-book item: first-line entry, release, cancel, return."""

    __tablename__ = "import_book_entry"

    id: int | None = Field(default=None, primary_key=True)
    ems_no: str = Field(max_length=30, index=True)
    item_record_no: str = Field(max_length=30)
    change: int = Field(sa_column=Column(BigInteger, nullable=False))
    balance: int = Field(sa_column=Column(BigInteger, nullable=False))  # after the change
    reason: str = Field(max_length=12)
    ref: str = Field(max_length=60, index=True)
    at: datetime = Field(sa_column=_tz(nullable=False))


class JobOutbox(CustomsTable, table=True):
    """A job for another part (tax), or one due on the simulator clock (``due_at``),
    written with the state change and enqueued after the commit (``infra.outbox``)."""

    __tablename__ = "import_job_outbox"

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=20)
    func: str = Field(max_length=120)
    args: list[Any] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=_tz())
    key: str | None = Field(default=None, max_length=80)
    stored_at: float
    sent_at: float | None = Field(default=None, index=True)
