"""The 1210 account book under real concurrency, on SQLite and PostgreSQL.

Two lists racing for the last units must not both pass: first the book itself (two
sessions deducting at the same time, one holding its transaction open), then the whole
path (two customs workers processing a list each at the same moment).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from contracts import examples_import as ei
from services.customs import tasks
from services.customs.db import resources
from services.customs.import_ import book
from services.customs.import_.models import BookEntry
from tests.customs.builders import dispatched
from tests.customs.import_.harness import NOW, Imports, stock


def take(ref: str, qty: str, hold: float, started: threading.Event | None,
         results: dict[str, list[str]]) -> None:
    """Deduct in a session of its own; keep the transaction open ``hold`` seconds."""
    with Session(resources.engine()) as session:
        problems = book.take(session, ems_no=ei.EMS_NO, needed={ei.ITEM_RECORD_NO: Decimal(qty)},
                             gcodes={ei.ITEM_RECORD_NO: "3304990099"}, ref=ref, now=NOW)
        if started is not None:
            started.set()
        time.sleep(hold)
        session.commit()
    results[ref] = problems


class TestTake:
    def test_two_deductions_racing_for_the_last_units_do_not_both_pass(
            self, imports: Imports) -> None:
        stock("2")
        results: dict[str, list[str]] = {}
        started = threading.Event()
        first = threading.Thread(target=take, args=("A", "2", 0.5, started, results))
        first.start()
        assert started.wait(10)  # A has deducted and holds its transaction open
        second = threading.Thread(target=take, args=("B", "2", 0.0, None, results))
        second.start()
        first.join(30)
        second.join(30)
        assert results["A"] == []
        assert len(results["B"]) == 1 and "holds 0, the list takes 2" in results["B"][0]
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(0)

    def test_every_movement_is_in_the_ledger_with_its_balance(self, imports: Imports) -> None:
        stock("5")
        take("A", "2", 0.0, None, {})
        with Session(resources.engine()) as session:
            entries = session.exec(select(BookEntry).order_by(col(BookEntry.id))).all()
            assert [(e.reason, e.ref, e.change, e.balance) for e in entries] == [
                ("first_line", "HZQD2924000001", 500000, 500000),
                ("release", "A", -200000, 300000)]


def process(items: list[dict[str, Any]], barrier: threading.Barrier,
            errors: list[Exception]) -> None:
    """A customs worker: process the batch at the barrier; retried once as rq would."""
    barrier.wait(10)
    for attempt in range(2):
        try:
            tasks.process_messages(items)
            return
        except Exception as exc:  # e.g. SQLite's "database is locked": rq retries the job
            if attempt:
                errors.append(exc)


class TestRacingLists:
    def test_two_workers_releasing_lists_for_the_last_units(self, imports: Imports) -> None:
        stock("2")
        flows = [ei.import_flow(n) for n in (1, 2)]
        imports.send(*(m for flow in flows for m in flow[:3]))
        barrier, errors = threading.Barrier(2), []
        workers = [threading.Thread(target=process, args=([dispatched(flow[3])], barrier,
                                                         errors)) for flow in flows]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert errors == []
        imports.settle()
        finals = sorted(imports.statuses(flow[3])[-1] for flow in flows)
        assert finals == ["100", "800"]
        refused = next(flow[3] for flow in flows if imports.statuses(flow[3])[-1] == "100")
        assert "库存不足 over the balance" in imports.last_info(refused)
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(0)
