"""Buyers' yearly usage under real concurrency, on SQLite and PostgreSQL: two lists of a
buyer not seen yet this year, racing for the limit, do not both pass."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session

from services.customs.db import resources
from services.customs.import_ import quota
from tests.customs.import_.harness import Imports

BUYER, YEAR, LIMIT = "110101199001010011", 2025, 100


def reserve(ref: str, amount: int, hold: float, started: threading.Event | None,
            results: dict[str, bool]) -> None:
    """Reserve in a session of its own; keep the transaction open ``hold`` seconds."""
    with Session(resources.engine()) as session:
        results[ref] = quota.reserve(session, buyer_id=BUYER, year=YEAR, item=quota.CNY,
                                     amount=amount, limit=LIMIT)
        if started is not None:
            started.set()
        time.sleep(hold)
        session.commit()


def used() -> int:
    with Session(resources.engine()) as session:
        return quota.used(session, buyer_id=BUYER, year=YEAR)


class TestReserve:
    def test_a_new_buyer_within_the_limit_then_over_it(self, imports: Imports) -> None:
        results: dict[str, bool] = {}
        reserve("A", 60, 0.0, None, results)
        reserve("B", 50, 0.0, None, results)
        reserve("C", 40, 0.0, None, results)
        assert results == {"A": True, "B": False, "C": True}
        assert used() == 100

    def test_two_lists_of_a_new_buyer_racing_for_the_limit(self, imports: Imports) -> None:
        results: dict[str, bool] = {}
        started = threading.Event()
        first = threading.Thread(target=reserve, args=("A", 60, 0.5, started, results))
        first.start()
        assert started.wait(10)  # A made the buyer's row and holds its transaction open
        second = threading.Thread(target=reserve, args=("B", 60, 0.0, None, results))
        second.start()
        first.join(30)
        second.join(30)
        assert results == {"A": True, "B": False}
        assert used() == 60

    def test_a_give_back_makes_room_again(self, imports: Imports) -> None:
        results: dict[str, bool] = {}
        reserve("A", 100, 0.0, None, results)
        with Session(resources.engine()) as session:
            quota.give_back(session, buyer_id=BUYER, year=YEAR, item=quota.CNY, amount=30)
            session.commit()
        reserve("B", 30, 0.0, None, results)
        assert results == {"A": True, "B": True} and used() == 100
