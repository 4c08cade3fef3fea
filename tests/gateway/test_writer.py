"""The intake writer: one transaction per batch, dispatch in one Redis round trip, and the
batch marked dispatched with the next batch's transaction (or after a pause)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlmodel import Session

from contracts import examples as builders
from gateway import intake
from gateway.config import Settings
from gateway.db import resources
from gateway.enterprises import find_caller
from gateway.models import MessageState
from gateway.writer import IntakeWriter, Stored
from infra.queue import enqueue, unstash
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


def _jobs(gateway: Gateway) -> list[list[str]]:
    """The message ids of each dispatch job waiting in the customs queue, in order."""
    return [[item["message_id"] for item in unstash(gateway.redis, job.args[0]) or []]
            for job in gateway.dispatched_jobs() if job.func_name != "builtins.print"]


def _pairs(gateway: Gateway, count: int) -> list[list[intake.Submission]]:
    made = _submissions(gateway, range(1, 2 * count + 1))
    return [made[i:i + 2] for i in range(0, len(made), 2)]


class TestDispatchToABusyAgency:
    """While customs still has jobs waiting, the writer holds its messages a moment and sends
    them as one larger job; while it keeps up, each batch goes at once."""

    def test_a_busy_agency_gets_what_was_held_as_one_job_after_the_linger(
            self, gateway: Gateway) -> None:
        first, second, third = _pairs(gateway, 3)
        # a job of customs' still waiting: customs is behind
        enqueue(gateway.redis, "customs", "builtins.print", "busy")

        async def run() -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
            writer = IntakeWriter(resources.engine(), gateway.redis, linger=0.4)
            writer.start()
            try:
                await _submit_all(writer, first)  # sent at once: nothing was known yet
                at_once = _jobs(gateway)
                await _submit_all(writer, second)
                await _submit_all(writer, third)
                held = _jobs(gateway)  # customs was behind: held
                await asyncio.sleep(0.6)
                return at_once, held, _jobs(gateway)
            finally:
                await writer.stop()

        at_once, held, lingered = asyncio.run(run())
        ids = [[s.id for s in batch] for batch in (first, second, third)]
        assert at_once == [ids[0]]
        assert held == [ids[0]]
        assert lingered == [ids[0], ids[1] + ids[2]]  # one job for both batches
        assert all(at is not None for at in _dispatched_at(ids[1] + ids[2]))

    def test_a_full_batch_goes_at_once_and_an_idle_agency_gets_each_batch(
            self, gateway: Gateway) -> None:
        first, second, third = _pairs(gateway, 3)
        enqueue(gateway.redis, "customs", "builtins.print", "busy")

        async def run() -> tuple[list[list[str]], list[list[str]]]:
            writer = IntakeWriter(resources.engine(), gateway.redis, batch_size=2, linger=60)
            writer.start()
            try:
                await _submit_all(writer, first)
                await _submit_all(writer, second)  # customs behind, but the batch is full
                full = _jobs(gateway)
                gateway.redis.delete("rq:queue:customs")  # customs took everything
                await _submit_all(writer, third[:1])  # learnt at the last dispatch: behind
                await _submit_all(writer, third[1:])  # full again: sent, customs was idle
                return full, _jobs(gateway)
            finally:
                await writer.stop()

        full, idle = asyncio.run(run())
        ids = [[s.id for s in batch] for batch in (first, second, third)]
        assert full == ids[:2]
        assert idle == [ids[2]]

    def test_what_is_held_goes_out_when_the_writer_stops(self, gateway: Gateway) -> None:
        first, second = _pairs(gateway, 2)
        enqueue(gateway.redis, "customs", "builtins.print", "busy")

        async def run() -> list[list[str]]:
            writer = IntakeWriter(resources.engine(), gateway.redis, linger=60)
            writer.start()
            try:
                await _submit_all(writer, first)
                await _submit_all(writer, second)
                return _jobs(gateway)
            finally:
                await writer.stop()

        assert asyncio.run(run()) == [[s.id for s in first]]
        assert _jobs(gateway) == [[s.id for s in first], [s.id for s in second]]


def test_a_linger_the_outbox_sweep_would_overtake_is_refused() -> None:
    with pytest.raises(ValidationError, match="dispatch_linger_seconds"):
        Settings(dispatch_linger_seconds=5)
