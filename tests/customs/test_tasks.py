"""The rq jobs as a worker runs them: by dotted path, with the JSON serializer."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from rq.registry import FailedJobRegistry
from sqlmodel import Session, select

import infra.db
from contracts.inspection import APPLY_MANY, ASSESS_MANY
from infra.db import BatchFailed, unit_of_work
from infra.outbox import INGEST_BATCH
from infra.queue import enqueue, queue, run_worker, stash
from services.customs import service, tasks
from services.customs.db import resources
from services.customs.models import InspectionCheck, ProcessedMessage, ReceiptOutbox
from tests.customs.builders import (
    dispatched,
    make_arrival,
    make_inventory,
    make_order,
    make_receipt,
    make_waybill,
    record_guid,
)
from tests.customs.harness import Customs, locking, result
from tests.sql import reads_of, statements


class TestProcessMessages:
    def test_a_worker_runs_the_job_the_gateway_enqueues(self, customs: Customs) -> None:
        order = make_order()
        enqueue(customs.redis, "customs", "services.customs.tasks.process_messages",
                [dispatched(order)])
        run_worker(["customs"], customs.redis, burst=True)
        assert queue("customs", customs.redis).count == 0
        assert FailedJobRegistry(queue=queue("customs", customs.redis)).count == 0
        assert customs.statuses(order) == ["2", "120"]
        assert customs.receipts()[0]["record_guid"] == record_guid(order)


    def test_a_batch_stashed_beside_the_job_with_payloads_as_text(self,
                                                                   customs: Customs) -> None:
        order = make_order()
        item = dict(dispatched(order), payload=orjson.dumps(order).decode())
        key = stash(customs.redis, [item], "sw:batch:test")
        enqueue(customs.redis, "customs", "services.customs.tasks.process_batch", key)
        run_worker(["customs"], customs.redis, burst=True)
        assert FailedJobRegistry(queue=queue("customs", customs.redis)).count == 0
        assert customs.statuses(order) == ["2", "120"]
        assert not customs.redis.exists(key)  # done: the batch no longer kept in Redis

    def test_a_failed_batch_keeps_its_stash_for_the_retry(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        order, waybill = make_order(), make_waybill()
        real = service.HANDLERS["waybill"]

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("the waybill handler fails")

        monkeypatch.setitem(service.HANDLERS, "waybill", broken)
        key = stash(customs.redis, [dispatched(order), dispatched(waybill)], "sw:batch:retry")
        with pytest.raises(BatchFailed):
            tasks.process_batch(key)
        assert customs.redis.exists(key)
        monkeypatch.setitem(service.HANDLERS, "waybill", real)
        assert tasks.process_batch(key) == ["already processed", "1 waybill record(s)"]
        assert not customs.redis.exists(key)

    def test_a_batch_is_one_unit_of_work(self, customs: Customs,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
        order, waybill, lst = make_order(), make_waybill(), make_inventory()
        units: list[object] = []

        def counted(engine: Any) -> Any:
            units.append(engine)
            return unit_of_work(engine)

        monkeypatch.setattr(infra.db, "unit_of_work", counted)  # the one run_batch uses
        customs.inspection.auto = False  # its answers are jobs of their own
        customs.send(order, waybill, lst)
        assert len(units) == 1
        assert customs.statuses(lst) == ["2", "120", "399"]

    def test_a_failing_message_fails_alone_and_the_job_is_retried(
            self, customs: Customs, monkeypatch: pytest.MonkeyPatch) -> None:
        order, waybill, lst = make_order(), make_waybill(), make_inventory()
        real = service.HANDLERS["waybill"]

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("the waybill handler fails")

        monkeypatch.setitem(service.HANDLERS, "waybill", broken)
        with pytest.raises(BatchFailed) as failed:
            tasks.process_messages([dispatched(order), dispatched(waybill), dispatched(lst)])
        assert failed.value.args[0] == ["1 order record(s)", "failed: RuntimeError",
                                        "1 inventory record(s)"]
        assert customs.statuses(order) == ["2", "120"]  # the others were kept
        assert customs.statuses(lst) == ["2", "120"]  # waiting for its waybill
        monkeypatch.setitem(service.HANDLERS, "waybill", real)
        items = [dispatched(order, message_id="m1"), dispatched(waybill, message_id="m2")]
        items[0]["guid"], items[1]["guid"] = order["guid"], waybill["guid"]
        assert tasks.process_messages(items) == ["already processed", "1 waybill record(s)"]
        assert customs.statuses(waybill) == ["2", "399"]
        assert customs.statuses(lst) == ["2", "120", "399"]

    def test_receipts_are_handed_over_as_written_not_read_back(self,
                                                               customs: Customs) -> None:
        order, waybill = make_order(), make_waybill()
        with statements(resources.engine()) as seen:
            customs.send(order, waybill)
        assert reads_of(seen, "receipt_outbox") == []
        assert customs.statuses(order) == ["2", "120"]
        assert customs.statuses(waybill) == ["2", "399"]
        # the receipts travel beside the job, not in it (rq would compress them)
        [job] = queue("gateway", customs.redis).jobs
        assert job.func_name == INGEST_BATCH and job.args[0].startswith("sw:receipts:")
        # kept until the gateway took them (they are marked sent: nothing sends them again)
        assert customs.redis.ttl(job.args[0]) == -1
        with Session(resources.engine()) as session:
            assert None not in session.exec(select(ReceiptOutbox.sent_at)).all()

    def test_a_document_the_batch_found_or_made_is_not_looked_up_again(
            self, customs: Customs) -> None:
        order, waybill, lst = make_order(), make_waybill(), make_inventory()
        with statements(resources.engine()) as seen:
            customs.send(order, waybill, lst)
        assert customs.statuses(lst) == ["2", "120", "399"]
        assert _single_lookups(seen) == []  # all of them with the batch, in one query
        assert len(_batch_lookups(seen)) == 1
        if locking():  # after the batch's locks, all taken in one statement
            batch = seen[:next(n for n, s in enumerate(seen) if "into processed_message" in s)]
            locks = [n for n, s in enumerate(batch) if "pg_advisory_xact_lock" in s]
            assert len(locks) == 1 and locks[0] < batch.index(_batch_lookups(seen)[0])

    def test_a_batch_looks_its_documents_and_waiting_lists_up_once(
            self, customs: Customs) -> None:
        early = [make_inventory(n) for n in (1, 2, 3)]
        customs.inspection.auto = False
        customs.send(*early)  # they wait for their orders and waybills
        later = [m for n in (1, 2, 3) for m in (make_order(n), make_waybill(n), make_receipt(n))]
        with statements(resources.engine()) as seen:
            customs.send(*later)
        assert [customs.statuses(m)[-1] for m in early] == ["399"] * 3
        waiting = [s for s in reads_of(seen, "document ") if "document.status =" in s]
        assert len(waiting) == 1  # the three lists, for the nine documents
        assert len(_batch_lookups(seen)) == 1
        assert _single_lookups(seen) == []

    def test_lists_the_batch_made_are_matched_by_documents_later_in_it(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        lists = [make_inventory(n) for n in (1, 2)]
        docs = [m for n in (1, 2) for m in (make_order(n), make_waybill(n))]
        customs.send(lists[0], *docs[:2], lists[1], *docs[2:])
        assert [customs.statuses(m) for m in lists] == [["2", "120", "399"]] * 2

    def test_a_message_that_is_not_json_does_not_stop_its_batch(self, customs: Customs) -> None:
        order, waybill = make_order(), make_waybill()
        broken = dict(dispatched(order), payload="{not json", guid="g-broken")
        outcomes = customs.process(broken, dispatched(order), dispatched(waybill))
        assert outcomes[0].startswith("format error")
        assert outcomes[1:] == ["1 order record(s)", "1 waybill record(s)"]
        assert customs.statuses(order) == ["2", "120"]

    def test_a_processed_message_is_written_once_with_its_outcome(
            self, customs: Customs) -> None:
        order, waybill = make_order(), make_waybill()
        with statements(resources.engine()) as seen:
            customs.send(order, waybill)
        assert [s for s in seen if s.startswith("update processed_message")] == []
        assert [s for s in seen if "into processed_message" in s]  # (one or one each)
        with Session(resources.engine()) as session:
            assert sorted(session.exec(select(ProcessedMessage.outcome)).all()) == [
                "1 order record(s)", "1 waybill record(s)"]

    def test_asking_inspection_writes_no_row_early(self, customs: Customs) -> None:
        order, waybill, lst = make_order(), make_waybill(), make_inventory()
        customs.inspection.auto = False
        with statements(resources.engine()) as seen:
            customs.send(order, waybill, lst)
        assert customs.statuses(lst) == ["2", "120", "399"]
        assert [s for s in seen if s.startswith("update processed_message")] == []
        with Session(resources.engine()) as session:
            check = session.exec(select(InspectionCheck)).one()
            message = session.get(ProcessedMessage, check.processed_message_id)
            assert message is not None and message.guid == lst["guid"]
            assert message.outcome == "1 inventory record(s)"
            assert check.document_id == customs.document(lst).id

    def test_an_expired_stash_is_left_to_the_gateway_sweep(self, customs: Customs) -> None:
        assert tasks.process_messages("sw:batch:gone") == []
        assert customs.ingest_jobs() == []


class TestInspectionRoundTrip:
    def test_the_lists_of_a_batch_are_asked_about_in_one_job(self, customs: Customs) -> None:
        customs.inspection.auto = False
        flows = [m for n in (1, 2) for m in (make_order(n), make_waybill(n), make_inventory(n))]
        customs.send(*flows)
        [job] = queue("inspection", customs.redis).jobs
        assert job.func_name == ASSESS_MANY
        assert [q.copNo for q in customs.inspection.questions()] == ["INV00000001",
                                                                      "INV00000002"]

    def test_answers_of_a_batch_release_in_one_unit_and_one_receipt_job(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        lists = [make_inventory(1), make_inventory(2)]
        customs.send(make_order(1), make_waybill(1), lists[0], make_order(2),
                     make_waybill(2), lists[1], make_arrival([1, 2]))
        jobs_before = len(customs.ingest_jobs())
        answers = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        enqueue(customs.redis, "customs", APPLY_MANY, answers)
        run_worker(["customs"], customs.redis, burst=True)
        assert FailedJobRegistry(queue=queue("customs", customs.redis)).count == 0
        assert [customs.statuses(lst)[-1] for lst in lists] == ["800", "800"]
        assert len(customs.ingest_jobs()) == jobs_before + 1
        assert tasks.apply_inspections(answers) == ["already applied", "already applied"]

    def test_a_batch_of_answers_is_checked_for_repeats_in_one_query(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        customs.send(make_order(1), make_waybill(1), make_inventory(1), make_order(2),
                     make_waybill(2), make_inventory(2))
        answers = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        with statements(resources.engine()) as seen:
            assert tasks.apply_inspections(answers) == ["cleared", "cleared"]
        assert len(reads_of(seen, "processed_message")) == 1
        assert not [s for s in seen if s.startswith("update processed_message")]  # once each
        # the checks the answers are about, and their lists: one query each for the batch
        checks = reads_of(seen, "inspection_check")
        assert len([s for s in checks if "inspection_check.token in" in s]) == 1
        assert not [s for s in checks if "inspection_check.document_id =" in s]
        lists = [s for s in reads_of(seen, "document ") if "document.id in" in s]
        assert len(lists) == (2 if locking() else 1)  # where it locks: again after the locks
        with statements(resources.engine()) as seen:
            again = tasks.apply_inspections([answers[1], answers[0]])
        assert again == ["already applied", "already applied"]
        assert len(reads_of(seen, "processed_message")) == 1 + 2  # the guard, then each
        # applied answer's own record, whose receipts still unsent go out again


class TestResendOutbox:
    def test_a_worker_runs_the_resend_job(self, customs: Customs) -> None:
        enqueue(customs.redis, "customs", "services.customs.tasks.resend_outbox")
        run_worker(["customs"], customs.redis, burst=True)
        assert queue("customs", customs.redis).count == 0
        assert FailedJobRegistry(queue=queue("customs", customs.redis)).count == 0


class TestApplyInspection:
    def test_a_worker_applies_an_answer_inspection_enqueued(self, customs: Customs) -> None:
        customs.inspection.auto = False
        lst = make_inventory()
        customs.send(make_order(), make_waybill(), lst, make_arrival([1]))
        [question] = customs.inspection.questions()
        enqueue(customs.redis, "customs", "services.customs.tasks.apply_inspection",
                result(question).model_dump(mode="json"))
        run_worker(["customs"], customs.redis, burst=True)
        assert FailedJobRegistry(queue=queue("customs", customs.redis)).count == 0
        assert customs.statuses(lst) == ["2", "120", "399", "800"]

    def test_a_batch_of_answers_looks_the_arrivals_of_its_lists_up_once(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        lists = [make_inventory(n) for n in (1, 2, 3)]
        customs.send(*(m for n in (1, 2, 3) for m in (make_order(n), make_waybill(n),
                                                       lists[n - 1])), make_arrival([1, 2]))
        answers = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        with statements(resources.engine()) as seen:
            assert tasks.apply_inspections(answers) == ["cleared"] * 3
        assert [customs.statuses(lst)[-1] for lst in lists] == ["800", "800", "399"]
        assert len(reads_of(seen, "arrival_parcel")) == 1  # (where it locks: after the locks)
        assert len([s for s in seen if "into processed_message" in s]) == 1

    def test_a_list_whose_bill_of_lading_arrived_is_released_with_its_batch(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        lists = [make_inventory(n) for n in (1, 2)]
        customs.send(*(m for n in (1, 2) for m in (make_order(n), make_waybill(n),
                                                    lists[n - 1])), make_arrival([]))
        answers = [result(q).model_dump(mode="json") for q in customs.inspection.questions()]
        assert tasks.apply_inspections(answers) == ["cleared"] * 2
        assert [customs.statuses(lst)[-1] for lst in lists] == ["800", "800"]
        assert "运抵单[" in customs.infos(lists[0])[-1]

    def test_an_arrival_looks_the_checks_of_its_lists_up_once(self, customs: Customs) -> None:
        customs.send(*(m for n in (1, 2, 3) for m in (make_order(n), make_waybill(n),
                                                       make_inventory(n))))
        with statements(resources.engine()) as seen:
            customs.send(make_arrival([1, 2, 3]))
        checks = reads_of(seen, "inspection_check")
        assert len(checks) == 1 and "inspection_check.document_id in" in checks[0]


def _batch_lookups(seen: list[str]) -> list[str]:
    """The statements that look a batch's documents up by their keys."""
    return [s for s in seen if "(document.kind, document.party_code, document.no) in" in s]


def _single_lookups(seen: list[str]) -> list[str]:
    """The statements that look one document up by its key."""
    return [s for s in seen if s.startswith("select") and "document.party_code =" in s]
