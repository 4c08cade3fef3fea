"""Customs' number series: preNo per prefix and day, invtNo per office and year.

Each series is a row of ``sequence``. How a number is taken depends on the database:

- In a unit of work that holds SQLite (``infra.ids.held``: no one else writes meanwhile)
  a series is read once and written back with the unit's commit; numbers a unit that
  rolls back took are taken again.
- On PostgreSQL a number is taken in a transaction of its own, committed at once, on a
  connection the unit of work keeps for it. The series' row is then locked for one
  statement, not until the unit commits: a unit holding it would wait for a business
  key's lock (``documents.lock``) that another unit holds while waiting for the row, a
  deadlock that failed both units' batches. A number a unit that rolls back took is not
  taken again (a gap, as with a database sequence).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, event, insert, update
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from infra import ids
from infra.db import on_transaction
from services.customs.models import Sequence

_TABLE = Sequence.__table__  # type: ignore[attr-defined]
# Built once: the hot path runs them for every record (only their parameters change).
_VALUE = select(Sequence.value).where(col(Sequence.name) == bindparam("series"))
_SET = (update(Sequence).where(col(Sequence.name) == bindparam("series"))
        .values(value=bindparam("to")))
_UPSERT = (postgresql.insert(_TABLE).values(name=bindparam("series"), value=1)
           .on_conflict_do_update(index_elements=[_TABLE.c.name],
                                  set_={"value": _TABLE.c.value + 1})
           .returning(_TABLE.c.value))


def next_number(session: Session, name: str) -> int:
    """The next value of a number series (starting at 1), in a unit of work
    (``infra.db.unit_of_work``)."""
    if ids.held(session):
        return _take(session, name)
    if session.get_bind().dialect.name != "postgresql":  # every unit of work holds SQLite
        raise RuntimeError("on SQLite a number is taken in a unit of work (infra.db)")
    return int(_apart(session).execute(_UPSERT, {"series": name}).scalar_one())


_APART = "customs.series.apart"  # session.info: the connection numbers are taken on


def _apart(session: Session) -> Connection:
    """The session's connection for numbers (autocommit), returned to the pool when the
    session's transaction ends, however it ends."""
    connection: Connection | None = session.info.get(_APART)
    if connection is None:
        # the session's transaction begins (its end gives the connection back)
        engine = session.connection().engine
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        session.info[_APART] = connection
        if not event.contains(session, "after_transaction_end", _give_back):
            event.listen(session, "after_transaction_end", _give_back)
    return connection


def _give_back(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the session's transaction, not a savepoint
        connection: Connection | None = session.info.pop(_APART, None)
        if connection is not None:
            connection.close()


_TAKEN = "customs.series.taken"  # session.info: series → [last number taken, value stored]


def _take(session: Session, name: str) -> int:
    taken: dict[str, list[int | None]] | None = session.info.get(_TAKEN)
    if taken is None:
        taken = session.info[_TAKEN] = {}
        on_transaction(session, _TAKEN, commit=_write_taken, rollback=_drop_taken)
    entry = taken.get(name)
    if entry is None:
        stored = session.connection().execute(_VALUE, {"series": name}).scalar_one_or_none()
        entry = taken[name] = [stored or 0, stored]
    last = int(entry[0] or 0) + 1
    entry[0] = last
    return last


def _write_taken(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: written with the real commit
        return
    connection = session.connection()
    for name, (last, stored) in (session.info.pop(_TAKEN, None) or {}).items():
        if stored is None:
            connection.execute(insert(Sequence), {"name": name, "value": last})
        elif last != stored:
            connection.execute(_SET, {"series": name, "to": last})


def _drop_taken(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's rollback keeps what was taken
        session.info.pop(_TAKEN, None)
