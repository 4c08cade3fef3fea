"""Customs' number series: preNo at 2, invtNo at 120, in turn across batches, each series
read once and written once by a unit of work on SQLite (``documents.next_number``)."""

from __future__ import annotations

import re

import pytest

from infra.db import unit_of_work
from services.customs import documents
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

    def test_numbers_a_rolled_back_unit_took_are_taken_again(self, customs: Customs) -> None:
        engine = resources.engine()
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            assert documents.next_number(uow.session, "test") == 1
            raise RuntimeError("rolled back")
        with unit_of_work(engine) as uow:
            assert [documents.next_number(uow.session, "test") for _ in (1, 2)] == [1, 2]
            with uow.session.begin_nested():
                assert documents.next_number(uow.session, "other") == 1
        with unit_of_work(engine) as uow:
            assert documents.next_number(uow.session, "test") == 3
            assert documents.next_number(uow.session, "other") == 2
