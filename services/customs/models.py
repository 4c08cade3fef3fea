"""Customs' tables: declared documents, their timeline, processed messages, the receipt outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, ForeignKey, Index, Integer, text
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, col

from infra.db import UtcDateTime, new_list
from services.customs.db import CustomsTable


def _tz() -> Any:
    return UtcDateTime()


class Document(CustomsTable, table=True):
    """One declared record (an order, receipt, waybill, list, arrival or departure).

    ``party_code`` + ``no`` is the business key of its kind; at most one live (not
    deleted) document per kind and key. ``record`` is the latest declared record as its
    JSON mirror. ``sender`` is the enterprise that declared it: its receipts go there.
    """

    __table_args__ = (
        Index("uq_document_key", "kind", "party_code", "no", unique=True,
              sqlite_where=text("deleted = 0"), postgresql_where=text("deleted = false")),
        Index("ix_document_order", "kind", "ebp_code", "order_no"),
        Index("ix_document_receipt", "kind", "ebc_code", "order_no"),  # lists by receipt
        Index("ix_document_waybill", "kind", "logistics_code", "logistics_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    guid: str = Field(max_length=36, index=True)
    sender: str = Field(max_length=18, index=True)
    message_id: str | None = Field(default=None, max_length=64)
    conversation_id: str | None = Field(default=None, max_length=64)
    party_code: str = Field(max_length=18)
    no: str = Field(max_length=60)
    ebp_code: str | None = Field(default=None, max_length=18)
    ebc_code: str | None = Field(default=None, max_length=18)
    order_no: str | None = Field(default=None, max_length=60, index=True)
    logistics_code: str | None = Field(default=None, max_length=18)
    # 32 for export waybills (CEB505), 60 for import ones (CEB511)
    logistics_no: str | None = Field(default=None, max_length=60, index=True)
    cop_no: str | None = Field(default=None, max_length=30, index=True)
    bill_no: str | None = Field(default=None, max_length=37, index=True)
    pre_no: str | None = Field(default=None, max_length=18, index=True)
    invt_no: str | None = Field(default=None, max_length=20, index=True)
    status: str = Field(max_length=10)
    app_status: str = Field(max_length=1)
    deleted: bool = False
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    mismatches: list[str] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    declared_at: datetime = Field(sa_type=_tz())
    updated_at: datetime = Field(sa_type=_tz())


def live() -> ColumnElement[bool]:
    """Documents not deleted, written as the unique index's own condition (``deleted =
    false``): SQLite uses a partial index only for that very term, not ``deleted IS 0``."""
    return col(Document.deleted) == False  # noqa: E712


class TimelineEntry(CustomsTable, table=True):
    """One state change of a document: when (simulator clock), what, who, why."""

    __tablename__ = "timeline_entry"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), index=True,
                                              nullable=False))
    at: datetime = Field(sa_type=_tz())
    status: str = Field(max_length=10)
    actor: str = Field(max_length=18)
    info: str = Field(max_length=1000)


class ArrivalParcel(CustomsTable, table=True):
    """A parcel an accepted arrival covers: by waybill, or (empty list) by bill of lading."""

    __tablename__ = "arrival_parcel"

    id: int | None = Field(default=None, primary_key=True)
    arrival_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), index=True,
                                             nullable=False))
    logistics_code: str = Field(max_length=18)
    logistics_no: str | None = Field(default=None, max_length=32, index=True)
    bill_no: str | None = Field(default=None, max_length=37, index=True)


class ProcessedMessage(CustomsTable, table=True):
    """A message customs has processed, once per root guid and sender (idempotency)."""

    __tablename__ = "processed_message"
    __table_args__ = (Index("uq_processed_message", "guid", "sender", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    guid: str = Field(max_length=36)
    sender: str = Field(max_length=18)
    message_id: str = Field(max_length=64, index=True)
    message_type: str = Field(max_length=20)
    conversation_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=200)
    processed_at: datetime = Field(sa_type=_tz())


class ReceiptOutbox(CustomsTable, table=True):
    """A receipt to hand to the gateway; ``sent_at`` stays empty until it was enqueued."""

    __tablename__ = "receipt_outbox"

    id: int | None = Field(default=None, primary_key=True)  # the order receipts go out in
    receipt_id: str = Field(max_length=32, unique=True)
    processed_message_id: int = Field(sa_column=Column(
        Integer, ForeignKey("processed_message.id"), index=True, nullable=False))
    message_id: str | None = Field(default=None, max_length=64)
    recipient: str = Field(max_length=18)
    conversation_id: str | None = Field(default=None, max_length=64)
    message_type: str = Field(max_length=20)
    record_guid: str = Field(max_length=36)
    return_status: str = Field(max_length=10)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=_tz())  # simulator clock
    stored_at: float  # real time (epoch seconds): the resend sweep reads it
    sent_at: float | None = Field(default=None, index=True)


class Sequence(CustomsTable, table=True):
    """A number series (preNo per prefix and day, invtNo per customs office and year)."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class InspectionCheck(CustomsTable, table=True):
    """Customs' side of the inspection of one document (services/customs/risk.py).

    ``state``: ``asked`` (no answer yet), ``pending`` (inspection holds the goods or checks
    the documents), ``cleared`` (release allowed) or ``refused`` (returned, destroyed or
    detained). ``token`` is the question's handle, echoed by every answer; ``seq`` the
    latest answer applied. ``request`` is the question as sent (sent again when no answer
    comes); ``sent_at`` (real time) stays empty until it was enqueued.
    """

    __tablename__ = "inspection_check"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=Column(Integer, ForeignKey("document.id"), unique=True,
                                              nullable=False))
    token: str = Field(max_length=36, unique=True)
    flow: str = Field(max_length=40)
    identity: str = Field(max_length=60)
    processed_message_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("processed_message.id"), index=True))
    state: str = Field(max_length=10, index=True)
    seq: int = 0
    lane: str | None = Field(default=None, max_length=24)
    outcome: str | None = Field(default=None, max_length=24)
    release_allowed: bool = False
    decision_id: int | None = None
    risk_level: str | None = Field(default=None, max_length=8)
    hits: list[dict[str, Any]] = Field(default_factory=new_list,
                                       sa_column=Column(JSON, nullable=False))
    reason_en: str = Field(default="", max_length=2000)
    reason_zh: str = Field(default="", max_length=2000)
    resolution_en: str | None = Field(default=None, max_length=1000)
    resolution_zh: str | None = Field(default=None, max_length=1000)
    officer: str | None = Field(default=None, max_length=60)
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    asked_at: datetime = Field(sa_type=_tz())  # simulator clock
    decided_at: datetime | None = Field(default=None, sa_type=_tz())
    updated_at: datetime = Field(sa_type=_tz())
    stored_at: float  # real time (epoch seconds): the resend sweep reads it
    sent_at: float | None = Field(default=None, index=True)
    # set when the check is made: the INSERT takes their ids (written before it), so asking
    # does not write the document and the message early
    document: Document | None = Relationship(sa_relationship=relationship("Document"))
    processed: ProcessedMessage | None = Relationship(
        sa_relationship=relationship("ProcessedMessage"))
