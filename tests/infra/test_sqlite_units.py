"""SQLite under a unit of work (``infra.db.unit_of_work``): the write lock from the first
read, and the ids the unit gives its new rows (``infra.ids``); on PostgreSQL where it
answers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from infra.db import create_tables, new_object, unit_of_work
from tests.infra.tables import Draft, OwnTable, parent
from tests.sql import statements


class TestOneAtATime:
    def test_on_sqlite_a_unit_of_work_holds_the_database_from_its_first_read(
            self, engine: Engine) -> None:
        if engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL: the work locks what it reads (customs' documents.lock)")
        with engine.begin() as conn:
            conn.execute(parent.insert().values(name="a"))
        seen: list[list[str]] = []

        def other_unit() -> None:
            with unit_of_work(engine) as uow:
                seen.append(list(uow.session.execute(select(parent.c.name)).scalars()))

        with unit_of_work(engine) as uow:
            assert list(uow.session.execute(select(parent.c.name)).scalars()) == ["a"]
            other = threading.Thread(target=other_unit)
            other.start()
            other.join(timeout=0.5)
            assert other.is_alive() and not seen  # it waits: what this one read stays true
            with Session(engine) as reader:  # a read outside a unit of work does not wait
                assert list(reader.execute(select(parent.c.name)).scalars()) == ["a"]
            uow.session.execute(parent.insert().values(name="b"))
        other.join(timeout=30)
        assert seen == [["a", "b"]]


class TestIds:
    def test_a_units_new_rows_of_a_table_go_in_with_one_statement(self, engine: Engine) -> None:
        create_tables(engine, OwnTable.metadata)
        with unit_of_work(engine) as uow:
            uow.session.add(new_object(Draft, name="before"))
        with statements(engine) as seen, unit_of_work(engine) as uow:
            drafts = [new_object(Draft, name=f"d{n}") for n in range(3)]
            uow.session.add_all(drafts)
        inserts = [s for s in seen if s.startswith("insert into draft")]
        if engine.dialect.name == "sqlite":  # ids given after the highest: no RETURNING
            assert len(inserts) == 1 and "returning" not in inserts[0]
        assert len(inserts) == 1
        with Session(engine) as session:
            rows = session.execute(select(Draft.id, Draft.name).order_by(Draft.id)).all()
        assert [name for _, name in rows] == ["before", "d0", "d1", "d2"]
        assert [d.id for d in drafts] == [ident for ident, _ in rows[1:]]
        assert [ident for ident, _ in rows] == list(range(rows[0][0], rows[0][0] + 4))

    def test_after_a_rollback_the_ids_follow_what_is_there(self, engine: Engine) -> None:
        create_tables(engine, OwnTable.metadata)

        def add(session: Session, *names: str) -> None:  # two or more: ids given here
            session.add_all([new_object(Draft, name=name) for name in names])

        with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
            add(uow.session, "dropped 1", "dropped 2")
            uow.session.flush()
            raise RuntimeError("rolled back")
        with unit_of_work(engine) as uow:
            with uow.session.begin_nested():
                add(uow.session, "kept 1", "kept 2")
            savepoint = uow.session.begin_nested()
            add(uow.session, "undone 1", "undone 2")
            uow.session.flush()
            savepoint.rollback()
            add(uow.session, "lone")  # left to the database
            uow.session.flush()
            add(uow.session, "after 1", "after 2")
        with Session(engine) as session:
            rows = session.execute(select(Draft.id, Draft.name).order_by(Draft.id)).all()
        assert [name for _, name in rows] == ["kept 1", "kept 2", "lone", "after 1", "after 2"]
        assert len({ident for ident, _ in rows}) == 5

    def test_a_session_outside_a_unit_of_work_leaves_them_to_the_database(
            self, engine: Engine) -> None:
        create_tables(engine, OwnTable.metadata)
        with statements(engine) as seen, Session(engine) as session:
            session.add_all([new_object(Draft, name="a"), new_object(Draft, name="b")])
            session.commit()
        assert not [s for s in seen if s.startswith("select max(")]
