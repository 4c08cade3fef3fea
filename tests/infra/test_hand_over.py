"""``infra.outbox.hand_over_after_commit``: what a commit hands over, together; on SQLite
and on PostgreSQL where it answers."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from infra.db import create_tables, new_object, unit_of_work
from infra.outbox import hand_over_after_commit, mark_sent, on_commit, write_job
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

        with unit_of_work(engine) as uow:  # the rows the parts mark sent
            rows = {name: new_object(Job, queue="tax", func=name, args=[], stored_at=0.0)
                    for name in ("ask", "ingest")}
            uow.session.add_all(rows.values())

        def part(name: str) -> Any:
            def send(items: list[str], marking: Session, pipe: Any) -> None:
                calls.append((name, list(items), id(marking)))
                enqueue(redis, "tax", name, items, pipeline=pipe)
                mark_sent(marking, Job, [rows[name].id])
            return send

        with round_trips(redis) as sent, unit_of_work(engine) as uow:
            hand_over_after_commit(uow.session, redis, "questions", part("ask")).append("q1")
            hand_over_after_commit(uow.session, redis, "receipts", part("ingest")).extend(["r1"])
            hand_over_after_commit(uow.session, redis, "questions", part("ask")).append("q2")
            write_job(uow.session, redis, Job, "tax", "event", "x")  # a job outbox's too
            assert calls == []  # not before the commit
        assert [(name, items) for name, items, _ in calls] == [
            ("ask", ["q1", "q2"]), ("ingest", ["r1"])]
        assert len({marking for _, _, marking in calls}) == 1  # one session for all
        assert len(sent) == 1
        assert [(j.func_name, list(j.args)) for j in queue("tax", redis).jobs] == [
            ("ask", [["q1", "q2"]]), ("ingest", [["r1"]]), ("event", ["x"])]
        with engine.connect() as conn:
            now = pytest.approx(time.time(), abs=60)
            assert conn.execute(select(Job.func, Job.sent_at).order_by(Job.id)).all() == [
                ("ask", now), ("ingest", now), ("event", now)]

    def test_the_jobs_go_out_before_the_marks_wait_for_the_database(
            self, engine: Engine, backend: Backend) -> None:
        """The next unit of work holds the database (on SQLite its write lock, on
        PostgreSQL the rows to mark) when a commit's hand-over begins: the jobs go out at
        once, ahead of the next unit's, and only the marks wait."""
        create_tables(engine, Job.metadata)
        redis = backend.redis()
        holding, release, seen = threading.Event(), threading.Event(), []

        def next_unit() -> None:
            with unit_of_work(engine) as uow:
                uow.session.exec(select(Job).with_for_update()).all()
                holding.set()
                release.wait(timeout=30)

        def watch() -> None:
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                seen.extend(queue("tax", redis).jobs)
                time.sleep(0.02)
            release.set()

        threads = [threading.Thread(target=next_unit), threading.Thread(target=watch)]

        def meanwhile() -> None:  # after the commit, before its hand-over
            threads[0].start()
            assert holding.wait(timeout=10)
            threads[1].start()

        with unit_of_work(engine) as uow:
            on_commit(uow.session, meanwhile)
            write_job(uow.session, redis, Job, "tax", "event", "x")
        for thread in threads:
            thread.join(timeout=30)
        assert [(j.func_name, list(j.args)) for j in seen] == [("event", ["x"])]
        with engine.connect() as conn:  # marked once the next unit let go
            assert conn.execute(select(Job.sent_at)).scalars().all() == [
                pytest.approx(time.time(), abs=60)]

    def test_nothing_goes_out_after_a_rollback(self, engine: Engine, backend: Backend) -> None:
        redis = backend.redis()
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            hand_over_after_commit(uow.session, redis, "questions",
                                   lambda *_: pytest.fail()).append(1)
            raise RuntimeError("rolled back")
        assert queue("tax", redis).count == 0
