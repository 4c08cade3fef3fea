"""A data folder of an earlier version: its tables are brought to this version's shape."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

from contracts import examples as builders
from gateway.app import create_app
from gateway.config import Settings
from gateway.db import resources
from gateway.models import Message, MessageState
from infra.db import make_engine
from tests.gateway.conftest import ADMIN, Gateway


def _old_message_table() -> Table:
    """The message table as the earlier version made it: its state on the row."""
    return Table(
        "message", MetaData(),
        Column("id", String(32), primary_key=True), Column("enterprise_id", Integer),
        Column("guid", String(36)), Column("message_type", String(20)),
        Column("content_type", String(4)), Column("body", LargeBinary, nullable=False),
        Column("body_hash", String(64)), Column("payload", Text, nullable=False),
        Column("conversation_id", String(64)), Column("idempotency_key", String(255)),
        Column("queue", String(20)), Column("received_at", DateTime),
        Column("stored_at", Float, nullable=False), Column("dispatched_at", Float),
        Column("dispatch_count", Integer, nullable=False), Column("processed_at", Float),
        Index("ix_message_pending", "processed_at", "dispatched_at"))


def _old_row(n: int, **state: Any) -> dict[str, Any]:
    return {"id": f"old{n}", "enterprise_id": 1, "guid": f"G{n}", "message_type": "CEB303Message",
            "content_type": "json", "body": b"{}", "body_hash": "h", "payload": "{}",
            "conversation_id": "c", "idempotency_key": None, "queue": "customs",
            "received_at": None, "stored_at": 10.0 + n, "dispatched_at": None,
            "dispatch_count": 0, "processed_at": None, **state}


def test_messages_of_an_earlier_version_keep_their_state_beside_them(backend: Any) -> None:
    settings = Settings(**backend.settings_kwargs(), admin_token=ADMIN)
    url, schema = settings.database_url_for("gateway")
    old = make_engine(url, schema)
    table = _old_message_table()
    with old.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [
            _old_row(1, dispatched_at=20.0, dispatch_count=1, processed_at=30.0),
            _old_row(2, dispatched_at=21.0, dispatch_count=2)])
    old.dispose()

    resources.configure(settings)
    try:
        engine = resources.engine()  # makes the new tables, then upgrades the old
        resources.upgrade(engine)  # again, as a second process starting would: no change
        columns = {c["name"] for c in inspect(engine).get_columns("message")}
        assert not columns & {"stored_at", "dispatched_at", "dispatch_count", "processed_at"}
        with engine.connect() as conn:
            states = conn.execute(select(MessageState.__table__)  # type: ignore[attr-defined]
                                  .order_by("message_id")).all()
            assert [tuple(s) for s in states] == [("old1", 11.0, 20.0, 1, 30.0),
                                                  ("old2", 12.0, 21.0, 2, None)]
            assert conn.execute(select(Message.id).order_by("id")).scalars().all() == [
                "old1", "old2"]
    finally:
        resources.close()


def test_a_gateway_on_an_upgraded_folder_takes_messages(backend: Any) -> None:
    settings = Settings(**backend.settings_kwargs(), admin_token=ADMIN)
    url, schema = settings.database_url_for("gateway")
    old = make_engine(url, schema)
    with old.begin() as conn:
        _old_message_table().create(conn)
    old.dispose()
    with TestClient(create_app(settings)) as client:
        gateway = Gateway(client, settings, backend.redis())
        key = gateway.register(builders.EBP)
        response = gateway.post(key, builders.order(1))
        assert response.status_code == 202, response.text
        assert gateway.wait_dispatched(1)[0]["message_id"] == response.json()["messageId"]
    resources.close()
