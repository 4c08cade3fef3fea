"""A batch's lookups search the tables' indexes on SQLite, never scan a table: SQLite
plans without statistics, and a lookup it answers by scanning costs more the more the
table holds (a simulator left running for a term of classes holds a lot)."""

from __future__ import annotations

import pytest

from services.customs.db import resources
from tests.customs.builders import (
    make_arrival,
    make_inventory,
    make_order,
    make_receipt,
    make_waybill,
)
from tests.customs.harness import Customs, locking
from tests.sql import plans

_GROWING = ("document", "arrival_parcel", "inspection_check", "processed_message",
            "timeline_entry", "receipt_outbox")


def scans(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The steps that read a growing table whole, or all its rows of one kind."""
    return [(statement, step) for statement, step in steps
            if any(step.startswith(f"SCAN {table}") for table in _GROWING)
            or step.endswith("(kind=?)")]


def test_a_batchs_lookups_search_an_index(customs: Customs) -> None:
    if locking():
        pytest.skip("PostgreSQL plans by its tables' statistics")
    customs.inspection.auto = False
    waiting = [make_inventory(n) for n in (1, 2)]
    customs.send(*waiting)  # two lists wait for their documents
    with plans(resources.engine()) as steps:
        customs.send(*(m for n in (1, 2) for m in (make_order(n), make_receipt(n),
                                                   make_waybill(n))))
        customs.inspection.answer_all()  # the answers: their checks, lists and arrivals
        customs.send(make_arrival([1, 2]))
    assert [customs.statuses(lst)[-1] for lst in waiting] == ["800"] * 2
    assert steps, "no SELECT was seen"
    assert scans(steps) == []
