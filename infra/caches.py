"""Caches that live as long as a session's transaction (a unit of work's lookups)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, String, bindparam, event, func, select, tuple_
from sqlmodel import Session

_CACHES = "infra.caches"
_CACHES_LISTENING = "infra.caches.listening"


def unit_cache(session: Session, name: str) -> dict[Any, Any]:
    """A dict named ``name`` that lives as long as the session's current transaction.

    For lookups a unit of work repeats (the same document by its key): what it holds are
    the session's own objects, and it is emptied when the transaction ends and on any
    rollback (a savepoint's too: what was made in it is gone), so it never outlives them.
    Releasing a savepoint keeps it.
    """
    caches: dict[str, dict[Any, Any]] | None = session.info.get(_CACHES)
    if caches is None:
        caches = session.info[_CACHES] = {}
        if not session.info.get(_CACHES_LISTENING):
            session.info[_CACHES_LISTENING] = True
            event.listen(session, "after_transaction_end", _end_caches)
            event.listen(session, "after_soft_rollback",
                         lambda s, _transaction: s.info.pop(_CACHES, None))
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = {}
    return cache


def unit_lookup(session: Session, name: str, keys: Iterable[Any],
                load: Callable[[set[Any]], Iterable[tuple[Any, Any]]]) -> dict[Any, Any]:
    """The unit cache ``name`` (``unit_cache``), holding every one of ``keys``.

    The keys it lacks are looked up together: ``load(missing)`` gives (key, value) pairs,
    and a key it gives nothing for is None (looked up, not there). What a batch asks about
    costs one query, not one per item; what the unit of work then makes, it puts in the
    cache itself."""
    known = unit_cache(session, name)
    missing = set(keys) - known.keys()
    if missing:
        known.update(dict.fromkeys(missing))
        known.update(load(missing))
    return known


def _end_caches(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the transaction itself (not a savepoint, not a flush's)
        session.info.pop(_CACHES, None)


def any_of(session: Session, columns: Sequence[Any],
           keys: Iterable[tuple[Any, ...]]) -> ColumnElement[bool]:
    """The rows whose ``columns`` equal one of ``keys`` (a batch's lookup), as a condition
    the database answers from an index. On SQLite the keys go as one JSON parameter, read
    by a subquery: SQLite answers a row-value IN list (``tuple_(...).in_(keys)``, what
    PostgreSQL gets) by scanning an index of the whole table, at a cost that grows with
    the table, but answers an IN subquery key by key from the index."""
    wanted = list(keys)
    if session.get_bind().dialect.name != "sqlite":
        return tuple_(*columns).in_(wanted)
    rows = func.json_each(bindparam(None, orjson.dumps(wanted).decode(), type_=String)
                          ).table_valued("value")
    return tuple_(*columns).in_(select(*(func.json_extract(rows.c.value, f"$[{n}]")
                                         for n in range(len(columns)))))
