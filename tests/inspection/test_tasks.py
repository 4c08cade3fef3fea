"""Inspection's rq jobs as a worker runs them: by dotted path, with the JSON serializer."""

from __future__ import annotations

from datetime import timedelta

from rq.registry import FailedJobRegistry

from infra.clock import SimClock
from infra.queue import enqueue, queue, run_worker
from infra.scheduler import run_due
from tests.inspection.conftest import NOW, Inspection, question

APPLES = {"gnum": 1, "gcode": "0808100000", "gname": "新鲜苹果", "qty": "5", "country": "502"}


def work(inspection: Inspection) -> None:
    run_worker(["inspection"], inspection.redis, burst=True)
    assert FailedJobRegistry(queue=queue("inspection", inspection.redis)).count == 0


class TestAssess:
    def test_a_worker_decides_and_answers_customs(self, inspection: Inspection) -> None:
        ask = question()
        enqueue(inspection.redis, "inspection", "services.inspection.tasks.assess", ask)
        work(inspection)
        [answer] = inspection.answers()
        assert (answer.token, answer.release_allowed) == (ask["token"], True)


class TestAutoResolve:
    def test_the_automatic_officer_runs_when_the_clock_reaches_it(
            self, inspection: Inspection) -> None:
        enqueue(inspection.redis, "inspection", "services.inspection.tasks.assess",
                question(items=[APPLES]))
        work(inspection)
        assert run_due(inspection.redis, NOW + timedelta(hours=23)) == []
        SimClock(inspection.redis).set(NOW + timedelta(hours=24), frozen=True)
        assert run_due(inspection.redis, NOW + timedelta(hours=24)) == ["inspection"]
        work(inspection)
        held, released = inspection.answers()
        assert (held.state, released.state, released.seq) == ("pending", "final", 2)
        assert released.officer == "auto-officer"
