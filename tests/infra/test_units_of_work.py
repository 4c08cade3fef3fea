"""``infra.db.add_row`` (rows written with the commit), ``infra.outbox.on_commit`` (hooks
after it) and ``write_job`` (a job outbox handed to rq), on SQLite and on PostgreSQL where
it answers."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session

from infra import scheduler
from infra.caches import any_of, unit_cache, unit_lookup
from infra.db import (
    add_row,
    create_tables,
    id_of,
    new_object,
    pending_rows,
    unit_of_work,
    written_rows,
)
from infra.outbox import on_commit, write_job
from infra.queue import queue
from tests.conftest import Backend
from tests.infra.tables import Draft, Job, OwnTable, PlainDraft, child, parent
from tests.roundtrips import round_trips
from tests.sql import statements


def _notes(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r.parent_id, r.note) for r in conn.execute(select(child).order_by(child.c.id))]


class TestAddRow:
    def test_rows_go_in_at_the_commit_in_order_with_ids_the_flush_gave(
            self, engine: Engine) -> None:
        with unit_of_work(engine) as uow:
            session = uow.session
            ids: dict[str, int] = {}
            for n in range(3):
                add_row(session, child, lambda n=n: {"parent_id": ids["p"], "note": f"n{n}"})
            ids["p"] = session.execute(parent.insert().values(name="p")).inserted_primary_key[0]
            assert _notes(engine) == []  # nothing before the commit
            assert [r["note"] for r in pending_rows(session, child)] == ["n0", "n1", "n2"]
        assert _notes(engine) == [(ids["p"], "n0"), (ids["p"], "n1"), (ids["p"], "n2")]

    def test_a_tables_rows_go_in_with_one_statement_unless_their_ids_are_wanted(
            self, engine: Engine) -> None:
        with statements(engine) as seen, Session(engine) as session:
            for n in range(3):
                add_row(session, child, lambda n=n: {"parent_id": 1, "note": f"a{n}"})
            session.commit()
            assert ["id" in r for r in written_rows(session, child)] == [False] * 3
            for n in range(3):
                add_row(session, child, lambda n=n: {"parent_id": 1, "note": f"b{n}"},
                        with_id=True)
            session.commit()
            with_ids = [r["id"] for r in written_rows(session, child)]
        inserts = [s for s in seen if s.startswith("insert into child")]
        assert len(inserts) in (2, 4)  # b's: one statement, or one per row (SQLite)
        assert "returning" not in inserts[0]
        with engine.connect() as conn:
            assert with_ids == conn.execute(select(child.c.id).where(
                child.c.note.like("b%")).order_by(child.c.id)).scalars().all()

    def test_a_rollback_drops_the_rows(self, engine: Engine) -> None:
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            add_row(uow.session, child, lambda: {"parent_id": 1, "note": "lost"})
            raise RuntimeError("the unit of work fails")
        with unit_of_work(engine) as uow:
            add_row(uow.session, child, lambda: {"parent_id": 1, "note": "kept"})
        assert _notes(engine) == [(1, "kept")]

    def test_a_savepoint_neither_writes_nor_drops_them(self, engine: Engine) -> None:
        with Session(engine) as session:
            session.execute(parent.insert().values(name="taken"))
            add_row(session, child, lambda: {"parent_id": 1, "note": "before"})
            with session.begin_nested():
                assert pending_rows(session, child)  # the savepoint's release kept them
            with pytest.raises(IntegrityError), session.begin_nested():
                add_row(session, child, lambda: {"parent_id": 1, "note": "inside"})
                session.execute(parent.insert().values(name="taken"))
            assert [r["note"] for r in pending_rows(session, child)] == ["before", "inside"]
            assert _notes(engine) == []
            session.commit()
        assert _notes(engine) == [(1, "before"), (1, "inside")]

    def test_the_rows_a_commit_wrote_are_there_for_its_after_commit_hooks(
            self, engine: Engine) -> None:
        seen: list[list[str]] = []
        with unit_of_work(engine) as uow:
            add_row(uow.session, child, lambda: {"parent_id": 1, "note": "a"})
            add_row(uow.session, child, lambda: {"parent_id": 1, "note": "b"})
            assert written_rows(uow.session, child) == []  # nothing written yet
            uow.after_commit(lambda: seen.append(
                [r["note"] for r in written_rows(uow.session, child)]))
        assert seen == [["a", "b"]]
        with Session(engine) as session:
            add_row(session, child, lambda: {"parent_id": 1, "note": "c"})
            session.commit()
            assert [r["note"] for r in written_rows(session, child)] == ["c"]
            session.execute(parent.insert().values(name="p"))
            session.commit()  # a commit that wrote none of them
            assert written_rows(session, child) == []


class TestOnCommit:
    def test_hooks_wait_for_the_real_commit_not_a_savepoint(self, engine: Engine) -> None:
        ran: list[str] = []
        with Session(engine) as session:
            on_commit(session, lambda: ran.append("first"))
            with session.begin_nested():
                session.execute(parent.insert().values(name="a"))
            assert ran == []  # releasing the savepoint is not the commit
            on_commit(session, lambda: ran.append("second"))
            session.commit()
            assert ran == ["first", "second"]
            on_commit(session, lambda: ran.append("third"))
            session.execute(parent.insert().values(name="b"))
            session.commit()
        assert ran == ["first", "second", "third"]

    def test_a_rollback_never_runs_them(self, engine: Engine) -> None:
        ran: list[str] = []
        with Session(engine) as session:
            on_commit(session, lambda: ran.append("never"))
            session.execute(parent.insert().values(name="a"))
            session.rollback()
            session.commit()
        assert ran == []


class TestSendJobs:
    def test_jobs_written_go_out_after_the_commit_runs_of_a_batch_form_as_one_job(
            self, engine: Engine, backend: Backend) -> None:
        written = [("tax", "ask", ["a"]), ("tax", "ask", ["b"]), ("tax", "event", ["x"]),
                   ("tax", "ask", ["c"]), ("other", "ask", ["d"]), ("other", "ask", ["e"]),
                   ("tax", "ask", ["f", "g"])]  # two arguments: not batched
        create_tables(engine, Job.metadata)
        redis = backend.redis()
        with Session(engine) as session:
            for q, f, a in written:
                write_job(session, redis, Job, q, f, *a, many={"ask": "ask_many"})
            assert queue("tax", redis).count == 0  # not before the commit
            session.commit()
        sent = [(j.origin, j.func_name, list(j.args)) for name in ("tax", "other")
                for j in queue(name, redis).jobs]
        assert sent == [("tax", "ask_many", [["a", "b"]]), ("tax", "event", ["x"]),
                        ("tax", "ask", ["c"]), ("tax", "ask", ["f", "g"]),
                        ("other", "ask_many", [["d", "e"]])]
        with engine.connect() as conn:
            assert None not in conn.execute(select(Job.sent_at)).scalars().all()

    def test_rows_added_with_id_are_written_with_the_ids_the_database_gave(
            self, engine: Engine) -> None:
        create_tables(engine, Job.metadata)
        with Session(engine) as session:
            for arg in ("a", "b", "c"):
                add_row(session, Job, lambda arg=arg: {
                    "queue": "tax", "func": "ask", "args": [arg], "due_at": None, "key": None,
                    "stored_at": 0.0, "sent_at": None}, with_id=True)
            session.commit()
            rows = written_rows(session, Job)
        with engine.connect() as conn:
            assert [r["id"] for r in rows] == conn.execute(
                select(Job.id).order_by(Job.id)).scalars().all()
        assert [r["args"] for r in rows] == [["a"], ["b"], ["c"]]

    def test_the_jobs_and_schedule_entries_of_a_commit_reach_redis_in_one_round_trip(
            self, engine: Engine, backend: Backend) -> None:
        create_tables(engine, Job.metadata)
        redis, due = backend.redis(), datetime(2025, 3, 1, tzinfo=UTC)
        with Session(engine) as session:
            write_job(session, redis, Job, "tax", "ask", "a", many={"ask": "ask_many"})
            write_job(session, redis, Job, "tax", "ask", "b", many={"ask": "ask_many"})
            write_job(session, redis, Job, "tax", "event", "x")
            write_job(session, redis, Job, "tax", "due", 7, due_at=due, key="due-7")
            with round_trips(redis) as sent:
                session.commit()
        assert len(sent) == 1
        assert [(j.func_name, list(j.args)) for j in queue("tax", redis).jobs] == [
            ("ask_many", [["a", "b"]]), ("event", ["x"])]
        assert [(e["id"], e["func"], e["args"]) for e in scheduler.pending(redis)] == [
            ("due-7", "due", [7])]


class TestGather:
    def test_what_a_unit_gathers_is_sent_once_after_the_commit(self, engine: Engine) -> None:
        sent: list[list[str]] = []
        with unit_of_work(engine) as uow:
            uow.gather("k", sent.append).append("a")
            uow.gather("k", sent.append).extend(["b", "c"])
            assert sent == []
        assert sent == [["a", "b", "c"]]

    def test_a_rollback_sends_nothing(self, engine: Engine) -> None:
        sent: list[list[str]] = []
        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            uow.gather("k", sent.append).append("a")
            raise RuntimeError("the unit of work fails")
        assert sent == []


class TestIdOf:
    def test_flushes_only_an_object_that_has_no_id_yet(self, engine: Engine) -> None:
        create_tables(engine, OwnTable.metadata)
        flushes: list[int] = []
        with unit_of_work(engine) as uow:
            session = uow.session
            event.listen(session, "after_flush", lambda *_: flushes.append(1))
            job = Job(queue="q", func="f", args=[], stored_at=0.0)
            session.add(job)
            assert flushes == []  # added objects wait for the next flush
            first = id_of(session, job)
            assert first == job.id and len(flushes) == 1
            assert id_of(session, job) == first and len(flushes) == 1
            other = Job(queue="q", func="g", args=[], stored_at=0.0)
            assert id_of(session, other) == first + 1  # added by id_of itself
        with Session(engine) as session:
            assert session.execute(select(Job.func).order_by(Job.id)).scalars().all() == ["f", "g"]


class TestJsonColumns:
    def test_json_goes_in_and_out_unchanged_through_orjson(self, engine: Engine) -> None:
        create_tables(engine, OwnTable.metadata)
        args = [{"中文": "清单", "n": [1, 2.5, None, True]}, "x"]
        with unit_of_work(engine) as uow:
            uow.session.add(Job(queue="q", func="f", args=args, stored_at=0.0))
        with Session(engine) as session:
            assert session.execute(select(Job.args)).scalar_one() == args
            raw = session.execute(text("SELECT CAST(args AS TEXT) FROM job")).scalar_one()
        assert raw == orjson.dumps(args).decode()  # written by orjson: compact, UTF-8


class TestUnitCache:
    def test_lives_as_long_as_the_transaction(self, engine: Engine) -> None:
        with Session(engine) as session:
            unit_cache(session, "c")["k"] = 1
            assert unit_cache(session, "c") == {"k": 1} and unit_cache(session, "d") == {}
            session.execute(parent.insert().values(name="a"))
            session.commit()
            assert unit_cache(session, "c") == {}  # the commit ended it
            session.execute(parent.insert().values(name="b"))
            unit_cache(session, "c")["k"] = 2
            session.rollback()
            assert unit_cache(session, "c") == {}

    def test_a_savepoint_rolled_back_empties_it_a_released_one_keeps_it(
            self, engine: Engine) -> None:
        with Session(engine) as session:
            session.execute(parent.insert().values(name="taken"))
            with session.begin_nested():
                unit_cache(session, "c")["k"] = 1
            assert unit_cache(session, "c") == {"k": 1}
            with pytest.raises(IntegrityError), session.begin_nested():
                unit_cache(session, "c")["made in the savepoint"] = 2
                session.execute(parent.insert().values(name="taken"))
            assert unit_cache(session, "c") == {}


    def test_a_lookup_asks_once_for_the_keys_it_lacks(self, engine: Engine) -> None:
        asked: list[set[str]] = []

        def load(keys: set[str]) -> list[tuple[str, int]]:
            asked.append(keys)
            return [(k, len(k)) for k in keys if k != "gone"]

        with Session(engine) as session, session.begin():
            assert unit_lookup(session, "t", ["a", "bb", "gone"], load) == {
                "a": 1, "bb": 2, "gone": None}
            assert unit_lookup(session, "t", ["bb", "gone"], load)["gone"] is None
            unit_lookup(session, "t", ["a", "ccc"], load)
        assert asked == [{"a", "bb", "gone"}, {"ccc"}]


class TestCreateTables:
    def test_a_table_made_before_an_index_was_added_gets_it(self, engine: Engine) -> None:
        create_tables(engine, Draft.metadata)
        index = next(iter(Draft.__table__.indexes))  # type: ignore[attr-defined]
        index.drop(engine)  # as a data folder of an earlier version holds it
        create_tables(engine, Draft.metadata)
        assert index.name in {i["name"] for i in inspect(engine).get_indexes("draft")}


class TestAnyOf:
    def test_the_rows_whose_columns_equal_one_of_the_keys(self, engine: Engine) -> None:
        create_tables(engine, Draft.metadata)
        with Session(engine) as session:
            session.add_all([Draft(name=name, state=state, note=note) for name, state, note in (
                ("a", "new", "x"), ("b", "new", "y"), ("c", "seen", "x"), ("d", "new", None))])
            session.commit()
            keys = [("new", "x"), ("seen", "x"), ("new", "z"), ("new", None)]
            found = session.execute(select(Draft.name).where(any_of(
                session, (Draft.state, Draft.note), keys)).order_by(Draft.name)).scalars().all()
            none = session.execute(select(Draft.name).where(
                any_of(session, (Draft.state, Draft.note), []))).scalars().all()
        assert (found, none) == (["a", "c"], [])  # a NULL matches nothing, as in SQL


class TestNewObject:
    def test_it_is_the_object_the_constructor_makes(self) -> None:
        made, built = Draft(name="a", note="n"), new_object(Draft, name="a", note="n")
        assert built.model_dump() == made.model_dump()
        assert list(built.model_dump()) == list(Draft.model_fields)  # in field order
        assert built.model_fields_set == made.model_fields_set == {"name", "note"}
        assert new_object(Draft, name="b").tags is not new_object(Draft, name="c").tags

    def test_it_is_inserted_then_tracked_as_the_constructors_is(self, engine: Engine) -> None:
        create_tables(engine, Draft.metadata)
        with Session(engine, expire_on_commit=False) as session:
            built = new_object(Draft, name="built", tags=["x"])
            session.add_all([built, Draft(name="made", tags=["x"])])
            session.commit()
            built.state, built.tags = "seen", ["x", "y"]
            session.commit()
        with engine.connect() as conn:
            rows = conn.execute(select(Draft.name, Draft.state, Draft.tags, Draft.note)
                                .order_by(Draft.id)).all()
        assert [tuple(r) for r in rows] == [("built", "seen", ["x", "y"], None),
                                            ("made", "new", ["x"], None)]

    def test_a_missing_or_unknown_field_is_named(self) -> None:
        with pytest.raises(TypeError, match=r"missing \['name'\], unknown \['colour'\]"):
            new_object(Draft, colour="red")

    def test_a_factory_that_takes_the_data_is_refused_by_name(self) -> None:
        class Derived(OwnTable, table=True):
            id: int | None = Field(default=None, primary_key=True)
            name: str
            slug: str = Field(default_factory=lambda data: data["name"].lower())

        with pytest.raises(TypeError, match=r"Derived: the default factory of \['slug'\]"):
            new_object(Derived, name="A")


class TestTableModel:
    def test_a_column_set_is_written_and_marked_set_as_sqlmodels_own(
            self, engine: Engine) -> None:
        create_tables(engine, Draft.metadata)
        create_tables(engine, PlainDraft.metadata)
        seen = []
        for model in (Draft, PlainDraft):
            with Session(engine, expire_on_commit=False) as session:
                obj = model(name="a")
                session.add(obj)
                session.commit()
                obj.state, obj.tags, obj.note = "seen", ["x"], None
                dirty = obj in session.dirty
                session.commit()
                row = session.exec(select(model.state, model.tags, model.note)).one()
            seen.append((dirty, tuple(row), obj.model_dump(), obj.model_fields_set))
        assert seen[0] == seen[1]
        assert seen[0][1] == ("seen", ["x"], None)

    def test_what_is_not_a_column_is_refused_as_sqlmodel_refuses_it(self) -> None:
        for model in (Draft, PlainDraft):
            with pytest.raises(ValueError, match='object has no field "colour"'):
                model(name="a").colour = "red"
