"""The SQL a part runs, to check what a use case reads and writes (not how fast)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` runs meanwhile, one line each, lower case."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def plans(engine: Engine) -> Iterator[list[tuple[str, str]]]:
    """(statement, step of its query plan) for every SELECT a SQLite ``engine`` runs
    meanwhile, filled in at the end (SQLite's own ``EXPLAIN QUERY PLAN``)."""
    selects: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().lower().startswith("select"):
            selects.append((statement, params))

    found: list[tuple[str, str]] = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with sqlite3.connect(engine.url.database or "") as conn:
        for statement, params in selects:
            for *_, step in conn.execute("EXPLAIN QUERY PLAN " + statement, params):
                found.append((" ".join(statement.split())[:200], step))


def reads_of(seen: list[str], table: str) -> list[str]:
    """The SELECTs among ``seen`` that read ``table`` (not for the ids a unit of work gives
    its new rows on SQLite: ``infra.ids``)."""
    return [s for s in seen if s.startswith("select") and f"from {table}" in s
            and not s.startswith(f"select max({table.strip()}.id)")]
