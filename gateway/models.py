"""The gateway's tables: enterprises, accepted messages (the outbox), receipts, webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field

from gateway.db import GatewayTable
from infra.db import new_list


class Enterprise(GatewayTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=100)
    roles: list[str] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    callback_url: str | None = Field(default=None, max_length=1000)
    callback_format: str = Field(default="json", max_length=4)
    api_key_hash: str = Field(max_length=64, unique=True, index=True)
    webhook_secret: str = Field(max_length=64)
    created_at: datetime


class Message(GatewayTable, table=True):
    """An accepted CEB document, stored before the 202 and never changed after: where it
    is on its way (the outbox) is kept beside it, in ``MessageState``."""

    __table_args__ = (
        UniqueConstraint("enterprise_id", "guid", name="uq_message_guid"),
        UniqueConstraint("enterprise_id", "idempotency_key", name="uq_message_idem"),
    )

    id: str = Field(primary_key=True, max_length=32)
    enterprise_id: int = Field(index=True)
    guid: str = Field(max_length=36)
    message_type: str = Field(max_length=20)
    content_type: str = Field(max_length=4)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    body_hash: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    conversation_id: str = Field(max_length=64)
    idempotency_key: str | None = Field(default=None, max_length=255)
    queue: str = Field(max_length=20)
    received_at: datetime  # simulator clock


class MessageState(GatewayTable, table=True):
    """Where an accepted message is: stored, dispatched to its agency, processed by it.

    A narrow row of its own, written with the message: marking a message dispatched or
    processed rewrites this row, not the message with its body and payload (a database
    rewrites a whole row on UPDATE; for messages that was most of a mark's cost)."""

    __tablename__ = "message_state"
    __table_args__ = (
        Index("ix_message_state_pending", "processed_at", "dispatched_at"),
    )

    message_id: str = Field(primary_key=True, max_length=32)  # Message.id
    stored_at: float  # real time (operations: re-dispatch timing)
    dispatched_at: float | None = None
    dispatch_count: int = 0
    processed_at: float | None = None


class Receipt(GatewayTable, table=True):
    """A receipt for one enterprise; its ``id`` is the pull cursor."""

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: str = Field(max_length=64, unique=True)
    enterprise_id: int = Field(index=True)
    message_id: str | None = Field(default=None, max_length=32, index=True)
    conversation_id: str | None = Field(default=None, max_length=64)
    message_type: str = Field(max_length=20)
    record_guid: str = Field(max_length=36)
    return_status: str = Field(max_length=10)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class WebhookDelivery(GatewayTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    receipt_pk: int = Field(index=True)
    enterprise_id: int = Field(index=True)
    status: str = Field(default="pending", max_length=10)  # pending, delivered, dead
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
