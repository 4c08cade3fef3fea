"""``infra.outbox.hand_over_after_commit``: what a commit hands over, together; on SQLite
and on PostgreSQL where it answers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from infra.db import create_tables, new_object, unit_of_work
from infra.outbox import hand_over_after_commit, write_job
from infra.queue import enqueue, queue
from tests.conftest import Backend
from tests.infra.tables import Job
from tests.roundtrips import round_trips


class TestHandOverAfterCommit:
    def test_the_parts_go_out_together_in_one_round_trip_then_are_marked_in_one_unit(
            self, engine: Engine, backend: Backend) -> None:
        create_tables(engine, Job.metadata)
        redis = backend.redis()
        calls: list[tuple[str, list[str], int]] = []

        def part(name: str) -> Any:
            def send(items: list[str], marking: Session, pipe: Any) -> None:
                calls.append((name, list(items), id(marking)))
                enqueue(redis, "tax", name, items, pipeline=pipe)
                marking.add(new_object(Job, queue="tax", func=name, args=items,
                                       stored_at=0.0, sent_at=1.0))
            return send

        with round_trips(redis) as sent, unit_of_work(engine) as uow:
            hand_over_after_commit(uow.session, redis, "questions", part("ask")).append("q1")
            hand_over_after_commit(uow.session, redis, "receipts", part("ingest")).extend(["r1"])
            hand_over_after_commit(uow.session, redis, "questions", part("ask")).append("q2")
            write_job(uow.session, redis, Job, "tax", "event", "x")  # a job outbox's too
            assert calls == []  # not before the commit
        assert [(name, items) for name, items, _ in calls] == [
            ("ask", ["q1", "q2"]), ("ingest", ["r1"])]
        assert len({marking for _, _, marking in calls}) == 1  # one unit of work for all
        assert len(sent) == 1
        assert [(j.func_name, list(j.args)) for j in queue("tax", redis).jobs] == [
            ("ask", [["q1", "q2"]]), ("ingest", [["r1"]]), ("event", ["x"])]
        with engine.connect() as conn:
            assert conn.execute(select(Job.func, Job.sent_at).order_by(Job.id)).all() == [
                ("event", pytest.approx(time.time(), abs=60)), ("ask", 1.0), ("ingest", 1.0)]

    def test_nothing_goes_out_after_a_rollback(self, engine: Engine, backend: Backend) -> None:
        redis = backend.redis()
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            hand_over_after_commit(uow.session, redis, "questions",
                                   lambda *_: pytest.fail()).append(1)
            raise RuntimeError("rolled back")
        assert queue("tax", redis).count == 0
