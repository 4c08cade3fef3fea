"""The import jobs as a worker runs them: by dotted path, with the JSON serializer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from rq.registry import FailedJobRegistry
from sqlmodel import Session

from contracts import examples_import as ei
from contracts.tax import ANSWER, ANSWER_MANY, ASSESS, ASSESS_MANY, LIST_EVENT_MANY
from infra.queue import enqueue, queue, run_worker
from services.customs import answers as service_answers
from services.customs import tasks as customs_tasks
from services.customs.db import resources
from services.customs.import_ import service, tasks
from services.customs.import_.models import JobOutbox
from tests.customs.harness import result
from tests.customs.import_.harness import Imports, answer_for, record_guid, view
from tests.sql import reads_of, statements
from tests.workers import meanwhile


class TestTaxAssessed:
    def test_a_worker_runs_the_answer_tax_enqueues(self, imports: Imports) -> None:
        imports.tax.auto = False
        flow = ei.import_flow(1, "9610")
        imports.send(*flow)
        (request,) = imports.tax.take()
        enqueue(imports.customs.redis, "customs", ANSWER,
                answer_for(request).model_dump(mode="json"))
        run_worker(["customs"], imports.customs.redis, burst=True)
        assert FailedJobRegistry(queue=queue("customs", imports.customs.redis)).count == 0
        assert imports.statuses(flow[3])[-1] == "800"


    def test_the_lists_of_a_batch_ask_in_one_job_and_answers_apply_together(
            self, imports: Imports) -> None:
        imports.tax.auto = False
        flows = [ei.import_flow(n, "9610") for n in (1, 2)]
        imports.send(*flows[0], *flows[1])
        [asked] = queue("tax", imports.customs.redis).jobs
        assert asked.func_name == ASSESS_MANY
        requests = imports.tax.take()
        gateway_jobs = len(imports.customs.ingest_jobs())
        enqueue(imports.customs.redis, "customs", ANSWER_MANY,
                [answer_for(r).model_dump(mode="json") for r in requests])
        run_worker(["customs"], imports.customs.redis, burst=True)
        assert FailedJobRegistry(queue=queue("customs", imports.customs.redis)).count == 0
        assert [imports.statuses(flow[3])[-1] for flow in flows] == ["800", "800"]
        assert len(imports.customs.ingest_jobs()) == gateway_jobs + 1
        [told] = queue("tax", imports.customs.redis).jobs  # both releases, in one job
        assert told.func_name == LIST_EVENT_MANY
        assert [(e["invtNo"], e["event"]) for e in told.args[0]] == [
            (r.invtNo, "released") for r in requests]


    def test_a_batch_of_answers_looks_its_lists_and_holds_up_once(
            self, imports: Imports) -> None:
        imports.tax.auto = False
        flows = [ei.import_flow(n, "9610") for n in (1, 2, 3)]
        imports.send(*(m for flow in flows for m in flow))
        answers = [answer_for(r).model_dump(mode="json") for r in imports.tax.take()]
        with statements(resources.engine()) as seen:
            outcomes = tasks.tax_assessed_many(answers)
        imports.settle()
        assert [imports.statuses(flow[3])[-1] for flow in flows] == ["800"] * 3
        assert len(outcomes) == 3
        assert len(reads_of(seen, "processed_message")) == 1  # which were applied before
        assert len(reads_of(seen, "document ")) == 1  # the lists, by invtNo
        assert len(reads_of(seen, "import_clearance")) == 1  # their holds
        assert len(reads_of(seen, "inspection_check")) == 1  # their inspections
        assert [s for s in seen if s.startswith("update processed_message")] == []
        assert tasks.tax_assessed_many(answers) == ["already applied"] * 3


    def test_a_batch_of_inspection_answers_looks_the_holds_of_its_lists_up_once(
            self, imports: Imports) -> None:
        imports.customs.inspection.auto = False
        flows = [ei.import_flow(n, "9610") for n in (1, 2, 3)]
        imports.send(*(m for flow in flows for m in flow))  # tax answers: bills issued
        inspected = [result(q).model_dump(mode="json")
                     for q in imports.customs.inspection.questions()]
        with statements(resources.engine()) as seen:
            customs_tasks.apply_inspections(inspected)
        assert [imports.statuses(flow[3])[-1] for flow in flows] == ["800"] * 3
        assert len(reads_of(seen, "import_clearance")) == 1  # what each release reads

    def test_the_lists_of_a_batch_are_held_without_writing_it_list_by_list(
            self, imports: Imports) -> None:
        imports.tax.auto = imports.customs.inspection.auto = False
        flows = [ei.import_flow(n, "9610") for n in (1, 2, 3)]
        with statements(resources.engine()) as seen:
            imports.customs.send(*(m for flow in flows for m in flow))
        assert [imports.statuses(flow[3])[-1] for flow in flows] == ["399"] * 3
        # the twelve documents and three holds go in together, not a list's at a time
        assert len([s for s in seen if s.startswith("insert into document ")]) == 1
        assert len([s for s in seen if s.startswith("insert into import_clearance ")]) == 1

    def test_a_list_the_batch_made_is_asked_about_without_a_lookup(
            self, imports: Imports) -> None:
        imports.tax.auto = imports.customs.inspection.auto = False
        flow = ei.import_flow(1, "9610")
        with statements(resources.engine()) as seen:
            imports.customs.send(*flow)
        assert imports.statuses(flow[3]) == ["2", "120", "399"]
        assert len(imports.customs.inspection.questions()) == 1
        assert reads_of(seen, "inspection_check") == []  # made here: it has none yet


def _both_to_answer(imports: Imports) -> tuple[list[dict[str, Any]], list[Any], list[Any]]:
    """A 9610 import flow sent, and inspection's and tax's answers about its list, not
    applied yet."""
    imports.tax.auto = imports.customs.inspection.auto = False
    flow = ei.import_flow(1, "9610")
    imports.send(*flow)
    inspected = [result(q).model_dump(mode="json")
                 for q in imports.customs.inspection.questions()]
    answers = [answer_for(r).model_dump(mode="json") for r in imports.tax.take()]
    return flow, inspected, answers


class TestTwoWorkers:
    def test_tax_and_inspection_answer_a_list_in_two_batches_at_once(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """Tax's answer has read its list, the list's hold and its inspection when another
        worker applies inspection's answer: the list is still released, by the one that
        comes second (both lock the list's invtNo before they read what they decide on)."""
        flow, inspected, answers = _both_to_answer(imports)
        # once tax's answer has read its list, the other worker applies inspection's
        other = meanwhile(monkeypatch, service, "prefetch_lists",
                          customs_tasks.apply_inspections, inspected)
        assert tasks.tax_assessed_many(answers) == ["issued"]
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert imports.statuses(flow[3]) == ["2", "120", "399", "800"]

    def test_a_tax_answer_that_waited_for_inspections_tells_the_time_after_it(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """Tax's answer starts while inspection's answer about the same list holds it, and
        the clock moves on before inspection's commits: the release tax's answer makes
        tells the time after (the clock is read under the lists' locks)."""
        imports.customs.clock(datetime(2025, 3, 1, 10, 0, tzinfo=UTC))
        flow, inspected, answers = _both_to_answer(imports)
        apply = service_answers.apply

        def then_an_hour_passes(**kwargs: Any) -> str:
            outcome = apply(**kwargs)
            imports.customs.clock(datetime(2025, 3, 1, 11, 0, tzinfo=UTC))
            return outcome

        monkeypatch.setattr(service_answers, "apply", then_an_hour_passes)
        other = meanwhile(monkeypatch, service_answers, "lock_ahead",
                          tasks.tax_assessed_many, answers)
        customs_tasks.apply_inspections(inspected)
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        released = imports.receipts(flow[3])[-1]
        assert released["return_status"] == "800"
        assert datetime.fromisoformat(released["created_at"]).hour == 11


class TestResendJobs:
    def test_a_job_a_crash_left_unsent_is_sent_again(self, imports: Imports) -> None:
        with Session(resources.engine()) as session:
            session.add(JobOutbox(queue="tax", func=ASSESS, args=[{"invtNo": "X"}],
                                  stored_at=time.time() - 60))
            session.commit()
        assert tasks.resend_jobs() == 1
        (job,) = queue("tax", imports.customs.redis).jobs
        assert (job.func_name, list(job.args)) == (ASSESS, [{"invtNo": "X"}])
        assert tasks.resend_jobs() == 0


def _payment_lookups(seen: list[str]) -> list[str]:
    """The statements that look up the accepted payment of one list by its order."""
    return [s for s in reads_of(seen, "document ")
            if "document.ebp_code =" in s and "document.order_no =" in s]


class TestPaymentsOfABatch:
    def test_the_lists_of_a_batch_find_their_payments_without_a_query_each(
            self, imports: Imports) -> None:
        flows = [ei.import_flow(n, "9610") for n in (1, 2, 3)]
        imports.send(*flows[0][:3], *flows[1][:3])  # order, payment, waybill: accepted
        with statements(resources.engine()) as seen:  # two paid before, one in the batch
            imports.customs.send(*flows[2][:3], flows[0][3], flows[1][3], flows[2][3])
        imports.settle()
        assert [imports.statuses(flow[3])[-1] for flow in flows] == ["800"] * 3
        assert _payment_lookups(seen) == []  # (where it locks: after the batch's locks)

    def test_a_payment_deleted_in_the_lists_batch_leaves_the_list_waiting(
            self, imports: Imports) -> None:
        order, payment, waybill, lst = ei.import_flow(1, "9610")
        imports.send(order, payment, waybill)
        assert imports.statuses(payment) == ["2", "120"]
        deleted = ei.payment(1, appType="3")
        imports.send(deleted, lst)
        assert imports.statuses(deleted)[-1] != "100", imports.last_info(deleted)
        assert imports.statuses(lst) == ["2", "120"]  # waits for a payment
        assert "CEB411" in view(record_guid(lst))["timeline"][-1]["info"]
