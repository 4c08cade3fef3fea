"""Ids a unit of work gives its new rows itself on SQLite, so a flush inserts them together.

SQLite gives an id only to a row inserted on its own (an INSERT with RETURNING per row:
SQLAlchemy cannot match the ids of a many-row INSERT to its rows there); a row that comes
with its id goes in with the others of its table in one ``executemany``. A unit of work
(``infra.db.unit_of_work``) holds SQLite's write lock from its first statement, so no
other connection can insert meanwhile: the ids after the table's highest are free.
A table gets its ids here from its first flush with more than one new row (a lone row is
left to the database: reading the highest id would cost as much as it saves). Rows
written without the ORM (``infra.db.add_row``) are left to the database: a table is
written one way or the other, never both. PostgreSQL inserts many rows with RETURNING in
one statement: its ids are left to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, Table, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, object_mapper, object_session
from sqlalchemy.orm import Session as SASession
from sqlmodel import Session

from infra.caches import unit_cache

_HELD = "infra.ids.held"  # session.info: the session's unit of work holds the write lock
_LAST = "infra.ids.last"  # unit cache: table → the last id given in this transaction
# mapper → its table and the query of its highest id, if its key is an integer id
_TABLES: dict[Mapper[Any], tuple[Table, Select[Any]] | None] = {}


def hold(session: Session) -> None:
    """``session`` holds SQLite's write lock until its transaction ends (``BEGIN
    IMMEDIATE``): its new rows get their ids here."""
    session.info[_HELD] = True


def held(session: Session) -> bool:
    """Whether ``session`` holds SQLite's write lock (``hold``) for its transaction."""
    return bool(session.info.get(_HELD))


@event.listens_for(SASession, "before_flush")
def _count(session: Any, _context: Any, _instances: Any) -> None:
    """A table with more than one new row in this flush gets its ids from here on (its
    highest is read once per transaction); a lone row is left to the database, which
    costs no query more."""
    if not session.info.get(_HELD):
        return
    last = unit_cache(session, _LAST)  # emptied by a rollback: then read again
    new: dict[tuple[Table, Select[Any]], int] = {}
    for obj in session.new:
        found = _table_of(object_mapper(obj))
        if found is not None and found[0] not in last and obj.__dict__.get("id") is None:
            new[found] = new.get(found, 0) + 1
    for (table, highest), count in new.items():
        if count > 1:
            last[table] = session.connection().execute(highest).scalar() or 0


@event.listens_for(Mapper, "before_insert")
def _give_id(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    values = target.__dict__  # where the INSERT that follows reads the row's values
    if values.get("id") is not None:
        return
    session: Any = object_session(target)
    if session is None or not session.info.get(_HELD):
        return
    found = _table_of(mapper)
    if found is None:
        return
    last = unit_cache(session, _LAST)
    top = last.get(found[0])
    if top is not None:  # (else left to the database: ``_count``)
        last[found[0]] = values["id"] = top + 1


def _table_of(mapper: Mapper[Any]) -> tuple[Table, Select[Any]] | None:
    return _TABLES[mapper] if mapper in _TABLES else _id_table(mapper)


def _id_table(mapper: Mapper[Any]) -> tuple[Table, Select[Any]] | None:
    keys = mapper.primary_key
    table = keys[0].table if len(keys) == 1 else None
    found = None
    if (isinstance(table, Table) and keys[0].name == "id" and isinstance(keys[0].type, Integer)
            and keys[0].autoincrement in (True, "auto")):
        found = (table, select(func.max(table.c.id)))
    _TABLES[mapper] = found
    return found
