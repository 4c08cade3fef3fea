"""Customs' number series: preNo at 2, invtNo at 120, in turn across batches, each series
read once and written once by a unit of work on SQLite (``numbers.next_number``)."""

from __future__ import annotations

import re
import threading

import pytest

from infra.db import unit_of_work
from services.customs import numbers
from services.customs.db import resources
from tests.customs.builders import make_arrival, make_inventory, make_order, make_waybill
from tests.customs.harness import Customs
from tests.sql import reads_of, statements


class TestNumbers:
    def test_numbers_are_assigned_at_2_and_120(self, customs: Customs) -> None:
        inventory = make_inventory()
        customs.send(make_order(), make_waybill(), inventory, make_arrival([1]))
        declared, stored = [r["payload"]["InventoryReturn"][0]
                            for r in customs.receipts(inventory)[:2]]
        assert declared["preNo"] == "B20250301000000001"
        assert declared["invtNo"] == "无"  # not assigned before 120
        assert stored["invtNo"] == "51002025E000000001"
        arrival_return = customs.receipts()[-2]["payload"]["ArrivalReturn"][0]
        assert re.fullmatch(r"Y20250301\d{9}", arrival_return["preNo"])

    def test_a_batch_takes_numbers_in_turn_and_the_next_batch_goes_on(
            self, customs: Customs) -> None:
        lists = [make_inventory(n) for n in (1, 2, 3, 4)]
        with statements(resources.engine()) as seen:
            customs.send(*(m for n in (1, 2, 3) for m in (make_order(n), make_waybill(n),
                                                           lists[n - 1])))
        customs.send(make_order(4), make_waybill(4), lists[3])
        returns = [[r["payload"]["InventoryReturn"][0] for r in customs.receipts(lst)[:2]]
                   for lst in lists]
        assert [declared["preNo"] for declared, _ in returns] == [
            f"B2025030100000000{n}" for n in (1, 2, 3, 4)]
        assert [stored["invtNo"] for _, stored in returns] == [
            f"51002025E00000000{n}" for n in (1, 2, 3, 4)]
        if resources.engine().dialect.name == "sqlite":  # each series read once, written once
            writes = [s for s in seen if s.startswith(("update sequence", "insert into sequence"))]
            assert len(reads_of(seen, "sequence")) == len(writes) == 2  # preNo, invtNo

    def test_numbers_after_a_rollback(self, customs: Customs) -> None:
        """SQLite: what a rolled-back unit took is taken again (a savepoint's rollback
        keeps it). PostgreSQL: each number was committed when taken, so a rollback leaves
        a gap, as a database sequence does."""
        engine = resources.engine()
        again = engine.dialect.name == "sqlite"
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            assert numbers.next_number(uow.session, "test") == 1
            raise RuntimeError("rolled back")
        first = 1 if again else 2
        with unit_of_work(engine) as uow:
            assert [numbers.next_number(uow.session, "test") for _ in (1, 2)] == [
                first, first + 1]
            with uow.session.begin_nested():
                assert numbers.next_number(uow.session, "other") == 1
        with unit_of_work(engine) as uow:
            assert numbers.next_number(uow.session, "test") == first + 2
            assert numbers.next_number(uow.session, "other") == 2

    def test_postgresql_a_unit_holding_a_series_holds_no_other_unit_up(
            self, customs: Customs) -> None:
        """While one unit of work that took a number is still open (waiting, say, for a
        business key's lock), another unit takes the next number of the series at once:
        the series' row is not held until the first unit commits (two customs workers
        each holding a series and waiting for the other's key deadlocked)."""
        engine = resources.engine()
        if engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs one unit of work at a time")
        taken: list[int] = []

        def other_unit() -> None:
            with unit_of_work(engine) as uow:
                taken.append(numbers.next_number(uow.session, "test"))

        with unit_of_work(engine) as uow:
            assert numbers.next_number(uow.session, "test") == 1
            other = threading.Thread(target=other_unit)
            other.start()
            other.join(timeout=5)
            open_while_the_other_ran = other.is_alive()
        other.join()
        assert not open_while_the_other_ran and taken == [2]
        assert engine.pool.checkedout() == 0  # the numbers' connections went back
