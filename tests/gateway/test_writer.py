"""The intake writer: one transaction per batch, dispatch in one Redis round trip, and the
batch marked dispatched with the next batch's transaction (or after a pause)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from contracts import examples as builders
from gateway import intake
from gateway.db import resources
from gateway.enterprises import find_caller
from gateway.models import MessageState
from gateway.writer import IntakeWriter, Stored
from tests.gateway.conftest import Gateway
from tests.roundtrips import round_trips
from tests.sql import statements


def _submissions(gateway: Gateway, numbers: range) -> list[intake.Submission]:
    key = gateway.register(builders.AGENT)
    with Session(resources.engine()) as session:
        caller = find_caller(session=session, api_key=key)
    assert caller is not None
    now = datetime(2025, 3, 1, tzinfo=UTC)
    return [intake.check(body=builders.as_xml(builders.inventory(n)), kind="xml", caller=caller,
                         now=now, conversation_id=None, idempotency_key=None)
            for n in numbers]


def _split(items: list[intake.Submission], at: int) -> tuple[list[intake.Submission], ...]:
    return items[:at], items[at:]


def _dispatched_at(ids: list[str]) -> list[float | None]:
    with Session(resources.engine()) as session:
        return [session.get(MessageState, i).dispatched_at  # type: ignore[union-attr]
                for i in ids]


async def _submit_all(writer: IntakeWriter, batch: list[intake.Submission]) -> list[Stored]:
    return list(await asyncio.gather(*(writer.submit(s) for s in batch)))


def _writes(seen: list[str]) -> list[str]:
    """The writing statements, by their first three words."""
    return [" ".join(s.split()[:3]) for s in seen if s.startswith(("insert", "update"))]


class TestIntakeWriter:
    def test_a_batch_is_marked_dispatched_with_the_next_batchs_transaction(
            self, gateway: Gateway) -> None:
        first, second = _split(_submissions(gateway, range(1, 6)), 3)
        engine = resources.engine()

        commits: list[str] = []

        def count(conn: Any) -> None:
            commits.append("commit")

        async def run() -> list[str]:
            writer = IntakeWriter(engine, gateway.redis, mark_after=60)
            writer.start()
            try:
                with statements(engine) as seen:
                    await _submit_all(writer, first)
                    await asyncio.sleep(0.05)
                    assert _dispatched_at([s.id for s in first]) == [None] * 3
                    event.listen(engine, "commit", count)
                    await _submit_all(writer, second)
                    event.remove(engine, "commit", count)
                return seen
            finally:
                await writer.stop()

        seen = asyncio.run(run())
        assert commits == ["commit"]
        # one transaction per batch: its INSERTs, then the UPDATE marking the batch before,
        # of the messages' states, not of the messages
        assert _writes(seen) == ["insert into message", "insert into message_state",
                                 "insert into message", "insert into message_state",
                                 "update message_state set"]
        assert all(at is not None for at in _dispatched_at([s.id for s in first]))
        assert all(at is not None for at in _dispatched_at([s.id for s in second]))  # at stop
        assert len(gateway.dispatched_items()) == 5

    def test_with_no_next_batch_the_mark_comes_after_a_pause(self, gateway: Gateway) -> None:
        batch = _submissions(gateway, range(1, 3))

        async def run() -> list[float | None]:
            writer = IntakeWriter(resources.engine(), gateway.redis, mark_after=0.05)
            writer.start()
            try:
                await _submit_all(writer, batch)
                await asyncio.sleep(0.5)
                return _dispatched_at([s.id for s in batch])
            finally:
                await writer.stop()

        assert all(at is not None for at in asyncio.run(run()))

    def test_new_messages_are_not_read_back_replays_are(self, gateway: Gateway) -> None:
        batch = _submissions(gateway, range(1, 3))
        engine = resources.engine()

        async def run() -> tuple[list[str], list[Stored], list[Stored]]:
            writer = IntakeWriter(engine, gateway.redis)
            writer.start()
            try:
                with statements(engine) as seen:
                    fresh = await _submit_all(writer, batch)
                again = [intake.Submission(**{**vars(s), "id": uuid.uuid4().hex}) for s in batch]
                replayed = await _submit_all(writer, again)
                return seen, fresh, replayed
            finally:
                await writer.stop()

        seen, fresh, replayed = asyncio.run(run())
        assert not [s for s in seen if s.startswith("select")]
        assert [(r.message_id, r.replayed) for r in fresh] == [(s.id, False) for s in batch]
        assert [(r.message_id, r.replayed) for r in replayed] == [(s.id, True) for s in batch]
        assert len(gateway.dispatched_items()) == 2

    def test_a_batch_goes_to_redis_in_one_round_trip(self, gateway: Gateway) -> None:
        batch = _submissions(gateway, range(1, 4))

        async def run() -> None:
            writer = IntakeWriter(resources.engine(), gateway.redis, mark_after=60)
            writer.start()
            try:
                await _submit_all(writer, batch)
            finally:
                await writer.stop()

        with round_trips(gateway.redis) as sent:
            asyncio.run(run())
        assert len(sent) == 1
        assert [i["message_id"] for i in gateway.dispatched_items()] == [s.id for s in batch]
