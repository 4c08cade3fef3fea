"""The gateway's own database: its table registry and per-process engine."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry

from gateway.config import get_settings
from infra.db import TableModel
from infra.resources import PartResources


class GatewayTable(TableModel, registry=registry()):
    """Base of the gateway's tables."""


# Columns an earlier version kept on the message row; they are the message's state now
_MOVED = ("stored_at", "dispatched_at", "dispatch_count", "processed_at")


def upgrade(engine: Engine) -> None:
    """A data folder of an earlier version kept each message's state on its row: the state
    moves to ``message_state`` (made by then) and the row loses those columns."""
    if not _has_old_message(engine):
        return
    try:
        with engine.begin() as conn:
            conn.execute(text(
                f"INSERT INTO message_state (message_id, {', '.join(_MOVED)}) "
                f"SELECT id, {', '.join(_MOVED)} FROM message WHERE id NOT IN "
                f"(SELECT message_id FROM message_state)"))
            conn.execute(text("DROP INDEX IF EXISTS ix_message_pending"))
            for column in _MOVED:
                conn.execute(text(f"ALTER TABLE message DROP COLUMN {column}"))
    except Exception:
        if _has_old_message(engine):  # not another process upgrading at the same time
            raise


def _has_old_message(engine: Engine) -> bool:
    found = inspect(engine)
    return ("message" in found.get_table_names()
            and any(c["name"] == "dispatch_count" for c in found.get_columns("message")))


resources = PartResources("gateway", GatewayTable.metadata, get_settings, upgrade)
