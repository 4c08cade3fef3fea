"""Inspection's rq jobs as a worker runs them: by dotted path, with the JSON serializer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rq.registry import FailedJobRegistry
from sqlmodel import Session, select

from contracts.inspection import APPLY_MANY
from infra.clock import SimClock
from infra.db import BatchFailed
from infra.queue import enqueue, queue, run_worker
from infra.scheduler import run_due
from services.inspection import service, tasks
from services.inspection.db import resources
from services.inspection.models import RiskDecision
from tests.inspection.conftest import NOW, Inspection, import_question, question
from tests.inspection.test_service import MILK_POWDER
from tests.sql import reads_of, statements
from tests.workers import meanwhile

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


    def test_the_questions_of_a_batch_are_answered_in_one_job(
            self, inspection: Inspection) -> None:
        asks = [question(1), question(2, items=[APPLES]), question(3)]
        enqueue(inspection.redis, "inspection", "services.inspection.tasks.assess_many", asks)
        work(inspection)
        [job] = queue("customs", inspection.redis).jobs
        assert job.func_name == APPLY_MANY
        answers = inspection.answers()
        assert [a.token for a in answers] == [a["token"] for a in asks]
        assert [a.state for a in answers] == ["final", "pending", "final"]  # apples: held

    def test_a_failing_question_fails_alone(self, inspection: Inspection) -> None:
        asks = [question(1), {**question(2), "items": "not a list"}, question(3)]
        with pytest.raises(BatchFailed) as failed:
            tasks.assess_many(asks)
        assert failed.value.args[0][1] == "failed: ValidationError"
        assert [a.token for a in inspection.answers()] == [asks[0]["token"], asks[2]["token"]]

    def test_a_batch_looks_its_lists_and_their_first_line_entries_up_in_one_query_each(
            self, inspection: Inspection) -> None:
        entry = inspection.first_line(gcode="0402210000", gname="全脂奶粉")
        inspection.result(entry["id"], "release", "fumigated and sound")
        bonded = [import_question(n, items=[MILK_POWDER], tradeMode="1210",
                                  emsNo="T5100W000001") for n in (1, 2)]
        asks = [question(3), *bonded, question(3)]  # the last one: asked again
        with statements(resources.engine()) as seen:
            outcomes = tasks.assess_many(asks)
        assert outcomes[1:3] == [f"{q['identity']}: release final release" for q in bonded]
        assert outcomes[0] == outcomes[3]
        assert len(reads_of(seen, "risk_decision")) == 2
        answers = inspection.answers()
        assert [a.token for a in answers] == [a["token"] for a in asks]
        with Session(resources.engine()) as session:
            ids = {r.identity: r.id for r in session.exec(select(RiskDecision)).all()}
        assert [a.decisionId for a in answers] == [ids[a["identity"]] for a in asks]


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


class TestTwoWorkers:
    def test_a_batch_that_waited_for_another_tells_the_time_after_it(
            self, inspection: Inspection, monkeypatch: pytest.MonkeyPatch) -> None:
        """A batch decides and the clock moves on before it commits; meanwhile another
        worker takes a batch, which waits for the first (SQLite: one unit of work at a time)
        and only then reads the clock: its decision tells the time after the first's."""
        if resources.engine().dialect.name == "postgresql":
            pytest.skip("PostgreSQL: batches about different lists do not wait for each other")
        # once the first batch has decided, the other worker takes the second
        other = meanwhile(monkeypatch, service, "assess", tasks.assess_many, [question(2)])
        assess = service.assess

        def then_an_hour_passes(**kwargs: Any) -> Any:
            row = assess(**kwargs)
            SimClock(inspection.redis).set(NOW + timedelta(hours=1), frozen=True)
            return row

        monkeypatch.setattr(service, "assess", then_an_hour_passes)
        tasks.assess_many([question(1)])
        other[0].join(timeout=30)
        assert not other[0].is_alive()
        assert [a.decidedAt for a in inspection.answers()] == [NOW, NOW + timedelta(hours=1)]
