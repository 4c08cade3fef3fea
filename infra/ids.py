"""Ids a unit of work gives its new rows itself on SQLite, so a flush inserts them together.

SQLite gives an id only to a row inserted on its own (an INSERT with RETURNING per row:
SQLAlchemy cannot match the ids of a many-row INSERT to its rows there); a row that comes
with its id goes in with the others of its table in one ``executemany``. A unit of work
(``infra.db.unit_of_work``) holds SQLite's write lock from its first statement, so no
other connection can insert meanwhile: the ids after the table's highest are free.
PostgreSQL inserts many rows with RETURNING in one statement: its ids are left to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Table, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, object_session
from sqlmodel import Session

from infra.caches import unit_cache

_HELD = "infra.ids.held"  # session.info: the session's unit of work holds the write lock
_LAST = "infra.ids.last"  # unit cache: table → the last id given in this transaction
_TABLES: dict[Mapper[Any], Table | None] = {}  # mapper → its table, if its key is an int id


def hold(session: Session) -> None:
    """``session`` holds SQLite's write lock until its transaction ends (``BEGIN
    IMMEDIATE``): its new rows get their ids here."""
    session.info[_HELD] = True


@event.listens_for(Mapper, "before_insert")
def _give_id(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    session = object_session(target)
    if session is not None:
        _give(session, mapper, connection, target)


def _give(session: Any, mapper: Mapper[Any], connection: Connection, obj: Any) -> bool:
    if obj.__dict__.get("id") is not None or not session.info.get(_HELD):
        return False
    table = _TABLES[mapper] if mapper in _TABLES else _id_table(mapper)
    if table is None:
        return False
    last = unit_cache(session, _LAST)  # emptied by a rollback: then read again
    top = last.get(table)
    if top is None:
        top = connection.execute(select(func.max(table.c.id))).scalar() or 0
    last[table] = obj.id = top + 1
    return True


def _id_table(mapper: Mapper[Any]) -> Table | None:
    keys = mapper.primary_key
    table = keys[0].table if len(keys) == 1 else None
    if not (isinstance(table, Table) and keys[0].name == "id"
            and isinstance(keys[0].type, Integer) and keys[0].autoincrement in (True, "auto")):
        table = None
    _TABLES[mapper] = table
    return table
