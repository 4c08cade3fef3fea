"""Two workers on the customs queue at once: batches that share keys wait for each other's
commits and never see half of another's work (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from services.customs import answers as service_answers
from services.customs import documents, service, tasks
from services.customs.db import resources
from tests.customs.builders import (
    dispatched,
    make_arrival,
    make_departure,
    make_inventory,
    make_order,
    make_receipt,
    make_waybill,
)
from tests.customs.harness import Customs, locking, result
from tests.workers import meanwhile


class TestTwoWorkers:
    """Two workers on the customs queue: a list and the documents it waits for, processed
    at the same time, still meet (what a batch read stays true until it commits)."""

    def test_a_list_and_its_documents_in_two_batches_at_once(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        order, receipt, waybill, lst = make_order(), make_receipt(), make_waybill(), \
            make_inventory()
        # once the list's batch has read what it will match against, the other worker
        # processes the order, receipt and waybill
        other = meanwhile(monkeypatch, service.Lookups, "prefetch", tasks.process_messages,
                          [dispatched(order), dispatched(receipt), dispatched(waybill)])
        tasks.process_messages([dispatched(lst)])
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        customs.inspection.answer_all()
        assert customs.statuses(lst) == ["2", "120", "399"]  # matched: released on arrival

    def test_two_batches_of_the_same_keys_in_opposite_orders_wait_in_turn(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch,
            caplog: pytest.LogCaptureFixture) -> None:
        """A batch takes the locks of all its messages' keys before its first message, in
        one order: two batches naming the same orders in opposite orders never hold one
        each while waiting for the other's (PostgreSQL found that deadlock and failed a
        batch, which was then run again message by message)."""
        if not locking():
            pytest.skip("SQLite runs one unit of work at a time")
        orders, lists = [make_order(1), make_order(2)], [make_inventory(2), make_inventory(1)]
        head = orders[0]["Order"][0]["OrderHead"]
        first_order = documents.lock_number(f"order:{head['ebpCode']}:{head['orderNo']}")
        other = threading.Thread(target=tasks.process_messages,
                                 args=([dispatched(lst) for lst in lists],))
        waits = threading.Event()  # the other batch asks for the first order's lock

        def asked(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if threading.current_thread() is other and "pg_advisory_xact_lock" in statement \
                    and first_order in (params.get("k"), *params.get("keys", ())):
                waits.set()

        declare_order = service.HANDLERS["order"]

        def then_the_other_batch(**kwargs: Any) -> None:
            declare_order(**kwargs)
            if not other.is_alive() and not waits.is_set():  # after the first order
                other.start()  # its lists name the second order, then the first
                assert waits.wait(timeout=10)

        monkeypatch.setitem(service.HANDLERS, "order", then_the_other_batch)
        event.listen(resources.engine(), "before_cursor_execute", asked)
        try:
            with caplog.at_level(logging.WARNING):
                tasks.process_messages([dispatched(order) for order in orders])
                other.join(timeout=60)
        finally:
            event.remove(resources.engine(), "before_cursor_execute", asked)
        assert not other.is_alive()
        assert not [r for r in caplog.records if "failed as a whole" in r.getMessage()]
        assert [customs.statuses(order) for order in orders] == [["2", "120"]] * 2
        assert [customs.statuses(lst) for lst in lists] == [["2", "120"]] * 2

    def test_an_answer_and_the_arrival_of_its_parcel_in_two_batches_at_once(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        """The answers' batch has read its checks and lists when another worker commits
        the arrival of their parcel: the cleared list is still released (the arrivals are
        looked up after the answers' locks, not with what was read before them)."""
        customs.inspection.auto = False
        lst = make_inventory()
        customs.send(make_order(), make_waybill(), lst)
        answers_ = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        # before the answers' locks, the other worker processes the parcel's arrival
        other = meanwhile(monkeypatch, service_answers, "lock_ahead", tasks.process_messages,
                          [dispatched(make_arrival([1]))], before=True)
        assert tasks.apply_inspections(answers_) == ["cleared"]
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert customs.statuses(lst) == ["2", "120", "399", "800"]

    def test_a_departure_while_the_arrival_releases_its_parcel(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        """The arrival's batch holds its parcels when another worker takes their departure:
        the departure waits for the release and closes the list, instead of refusing it as
        not released."""
        lst = make_inventory()
        customs.send(make_order(), make_waybill(), lst)
        departure = make_departure([1])
        other = meanwhile(monkeypatch, service.Lookups, "prefetch", tasks.process_messages,
                          [dispatched(departure)])
        tasks.process_messages([dispatched(make_arrival([1]))])
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert customs.statuses(departure) == ["2", "399"]
        assert customs.statuses(lst) == ["2", "120", "399", "800", "899"]

    def test_a_batch_that_waited_for_the_keys_of_another_tells_the_time_after_it(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        """The list's batch starts while the order's holds their keys, and the clock moves
        on before the order's commits: the list's receipts tell the time after the order's
        (the clock is read under the batch's locks, not when the batch starts)."""
        customs.clock(datetime(2025, 3, 1, 10, 0, tzinfo=UTC))
        order, lst = make_order(), make_inventory()
        _then_an_hour_passes(customs, monkeypatch, "order")
        other = meanwhile(monkeypatch, service.Lookups, "prefetch", tasks.process_messages,
                          [dispatched(lst)])
        tasks.process_messages([dispatched(order)])
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        def hours(mirror: dict[str, Any]) -> set[int]:
            return {datetime.fromisoformat(r["created_at"]).hour
                    for r in customs.receipts(mirror)}

        assert hours(order) == {10}
        assert hours(lst) == {11}

    def test_answers_that_waited_for_the_arrival_tell_the_time_after_it(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        """The answers' batch starts while the arrival of their parcel holds its keys, and
        the clock moves on before the arrival commits: the release the answer makes tells
        the time after the arrival's (the answers read the clock under their locks)."""
        customs.clock(datetime(2025, 3, 1, 10, 0, tzinfo=UTC))
        customs.inspection.auto = False
        lst = make_inventory()
        customs.send(make_order(), make_waybill(), lst)
        answers_ = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        _then_an_hour_passes(customs, monkeypatch, "arrival")
        other = meanwhile(monkeypatch, service.Lookups, "prefetch", tasks.apply_inspections,
                          answers_)
        tasks.process_messages([dispatched(make_arrival([1]))])
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert [(r["return_status"], datetime.fromisoformat(r["created_at"]).hour)
                for r in customs.receipts(lst)] == [
            ("2", 10), ("120", 10), ("399", 10), ("800", 11)]


def _then_an_hour_passes(customs: Customs, monkeypatch: pytest.MonkeyPatch,
                         kind: Any) -> None:
    """Once a message of ``kind`` is handled, the clock (at 10:00) moves on to 11:00."""
    handle = service.HANDLERS[kind]

    def then_an_hour_passes(**kwargs: Any) -> None:
        handle(**kwargs)
        customs.clock(datetime(2025, 3, 1, 11, 0, tzinfo=UTC))

    monkeypatch.setitem(service.HANDLERS, kind, then_an_hour_passes)
