"""The SQL a part runs, to check what a use case reads and writes (not how fast)."""

from __future__ import annotations

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


def reads_of(seen: list[str], table: str) -> list[str]:
    """The SELECTs among ``seen`` that read ``table`` (not for the ids a unit of work gives
    its new rows on SQLite: ``infra.ids``)."""
    return [s for s in seen if s.startswith("select") and f"from {table}" in s
            and not s.startswith(f"select max({table.strip()}.id)")]
