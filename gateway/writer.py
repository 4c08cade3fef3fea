"""Group commit of accepted messages, then dispatch (the outbox's fast path).

Requests hand their checked submission to the writer and wait on a future. The writer
stores everything that queued up meanwhile in ONE transaction, answers the requests (the
message is durable: the 202 may go out), then dispatches the batch to the agency in one
rq job. The batch is marked dispatched with the next batch's transaction, or after a short
pause when none follows. A crash between commit and marking leaves messages whose state
(``MessageState``) has ``dispatched_at`` empty, which the outbox sweep dispatches again
(agencies skip a message they have already processed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from gateway.intake import Submission
from gateway.models import Message, MessageState
from gateway.routing import PROCESS_JOB
from infra.guids import new_token
from infra.queue import BATCH_STASH, enqueue, queue, stash

log = logging.getLogger(__name__)
TABLE = Message.__table__  # type: ignore[attr-defined]
STATE = MessageState.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Stored:
    """The outcome of storing one submission."""

    message_id: str
    conversation_id: str
    replayed: bool  # an identical message (same guid or idempotency key) was already stored
    conflict: str | None = None  # same guid / key with a different body


_COLUMNS = ("id", "enterprise_id", "guid", "message_type", "content_type", "body", "body_hash",
            "payload", "conversation_id", "idempotency_key", "queue", "received_at")


def _insert_sql(dialect: str) -> tuple[str, str]:
    """Plain SQL on the hot path, one executemany per batch each: the messages (duplicates
    skipped) and the states of those written."""
    mark = "%s" if dialect == "postgresql" else "?"
    return (f"INSERT INTO message ({', '.join(_COLUMNS)}) VALUES "
            f"({', '.join([mark] * len(_COLUMNS))}) ON CONFLICT DO NOTHING",
            f"INSERT INTO message_state (message_id, stored_at, dispatch_count) "
            f"VALUES ({mark}, {mark}, 0)")


def _row(s: Submission, dialect: str) -> tuple[Any, ...]:
    # naive UTC, as the ORM stores it (SQLite: its text format; PostgreSQL: timestamp)
    received = s.received_at.astimezone(UTC).replace(tzinfo=None)
    at: Any = received if dialect == "postgresql" else received.isoformat(" ", "microseconds")
    return (s.id, s.enterprise_id, s.guid, s.message_type, s.content_type, s.body,
            s.body_hash, s.payload_text, s.conversation_id, s.idempotency_key, s.queue, at)


@dataclass(frozen=True)
class Dispatched:
    """Messages sent to their agency at ``at`` (epoch seconds), not yet marked so."""

    ids: list[str]
    at: float


def store_batch(engine: Engine, batch: list[Submission],
                dispatched: Sequence[Dispatched] = ()) -> list[Stored]:
    """Store a batch in one transaction; duplicates resolve to the message stored first.

    ``dispatched`` is marked in the same transaction (the writer's earlier batches).
    """
    dialect = engine.dialect.name
    stored_at = time.time()
    messages, states = _insert_sql(dialect)
    with engine.begin() as conn:
        written = conn.exec_driver_sql(messages, [_row(s, dialect) for s in batch]).rowcount
        if written == len(batch):  # the usual case: every one is new
            out = [Stored(s.id, s.conversation_id, replayed=False) for s in batch]
            new = [s.id for s in batch]
        else:
            ids = [s.id for s in batch]
            inserted = set(conn.execute(select(TABLE.c.id).where(TABLE.c.id.in_(ids)))
                           .scalars())
            out = [Stored(s.id, s.conversation_id, replayed=False) if s.id in inserted
                   else _existing(conn, s) for s in batch]
            new = [i for i in ids if i in inserted]
        if new:
            conn.exec_driver_sql(states, [(i, stored_at) for i in new])
        mark_dispatched(conn, dispatched)
    return out


def _existing(conn: Any, s: Submission) -> Stored:
    cond = TABLE.c.guid == s.guid
    if s.idempotency_key:
        cond = cond | (TABLE.c.idempotency_key == s.idempotency_key)
    row = conn.execute(select(TABLE.c.id, TABLE.c.conversation_id, TABLE.c.body_hash,
                              TABLE.c.guid).where(TABLE.c.enterprise_id == s.enterprise_id,
                                                  cond)).first()
    if row is None:  # raced with a reset: nothing stored
        return Stored(s.id, s.conversation_id, replayed=False, conflict="not stored, retry")
    if row.body_hash != s.body_hash:
        what = "guid" if row.guid == s.guid else "Idempotency-Key"
        return Stored(row.id, row.conversation_id, replayed=True,
                      conflict=f"a different message with the same {what} was already accepted")
    return Stored(row.id, row.conversation_id, replayed=True)


def send(redis: Any, items: list[dict[str, Any]], queue_name: str) -> tuple[Dispatched, int]:
    """Send stored messages to their agency in one job: the job and its stashed batch go
    in one MULTI/EXEC, one round trip to Redis (rq wants the job first in the pipeline).
    Also returns how many of the agency's jobs were waiting ahead of this one."""
    key = BATCH_STASH + new_token()
    pipe = redis.pipeline()
    enqueue(redis, queue_name, PROCESS_JOB[queue_name], key, pipeline=pipe)
    stash(pipe, items, key)
    pipe.llen(queue(queue_name, redis).key)
    waiting = pipe.execute()[-1]
    return Dispatched([item["message_id"] for item in items], time.time()), int(waiting) - 1


def mark_dispatched(conn: Connection, dispatched: Sequence[Dispatched]) -> None:
    for sent in dispatched:
        conn.execute(update(STATE).where(STATE.c.message_id.in_(sent.ids)).values(
            dispatched_at=sent.at, dispatch_count=STATE.c.dispatch_count + 1))


def dispatch(engine: Engine, redis: Any, items: list[dict[str, Any]], queue_name: str) -> None:
    """Send stored messages to their agency in one job, then mark them dispatched."""
    if not items:
        return
    sent, _ = send(redis, items, queue_name)
    with engine.begin() as conn:
        mark_dispatched(conn, [sent])


class IntakeWriter:
    """Group commit on the event loop: no thread hand-offs on the hot path.

    Requests queue their submission and await a future. One flusher task takes whatever
    queued up, stores it in one transaction (the loop waits those few milliseconds, so
    parsing never competes with a writer thread for the interpreter), answers, and
    dispatches. Batches grow by themselves under load.

    Dispatch adapts to the agency: while it keeps up (no job of its own was waiting at the
    last dispatch), each batch goes at once; while it is behind, the messages for it are
    held up to ``linger`` seconds, or until ``batch_size`` of them, and go as one job, so
    that it works through fewer, larger batches (a batch costs it a good part of its work
    whatever its size). They are stored already: a crash meanwhile leaves them to the
    outbox sweep.
    """

    def __init__(self, engine: Engine, redis: Any, batch_size: int = 256,
                 mark_after: float = 0.05, linger: float = 0.1) -> None:
        self.engine = engine
        self.redis = redis
        self.batch_size = batch_size
        self.mark_after = mark_after  # seconds without a batch before marking on its own
        self.linger = linger
        self._pending: list[tuple[Submission, asyncio.Future[Stored]]] = []
        self._unmarked: list[Dispatched] = []
        self._held: dict[str, list[dict[str, Any]]] = {}  # queue → messages not sent yet
        self._held_since: dict[str, float] = {}  # queue → when its first held one was stored
        self._behind: set[str] = set()  # queues that had jobs waiting at their last dispatch
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pending:  # answer what is left before closing
            self._flush()
        self.dispatch_held()
        self._mark()

    async def submit(self, submission: Submission) -> Stored:
        assert self._wake is not None, "the writer is not started"
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._pending.append((submission, future))
        self._wake.set()
        return await future

    def dispatch_held(self) -> None:
        """Send at once every message held for a busy agency (before a reset drops the
        queues, and at stop)."""
        self._dispatch(force=True)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            timeout = self._timeout()
            try:
                if timeout is None:
                    await self._wake.wait()
                else:
                    await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                self._dispatch()  # what was held long enough
                self._mark()
                continue
            self._wake.clear()
            await asyncio.sleep(0)  # let the requests already read queue up too
            while self._pending:
                self._flush()
                await asyncio.sleep(0)

    def _timeout(self) -> float | None:
        """How long to wait for requests before acting on its own (None: no limit)."""
        waits = [self.mark_after] if self._unmarked else []
        if self._held_since:
            waits.append(max(0.0, min(self._held_since.values()) + self.linger
                             - time.monotonic()))
        return min(waits) if waits else None

    def _flush(self) -> None:
        batch = self._pending[:self.batch_size]
        del self._pending[:self.batch_size]
        submissions = [s for s, _ in batch]
        marking, self._unmarked = self._unmarked, []
        try:
            results = store_batch(self.engine, submissions, marking)
        except Exception as exc:  # the requests get a 500-class answer; nothing was stored
            log.exception("storing %d messages failed", len(batch))
            self._unmarked[:0] = marking
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        now = time.monotonic()
        for s, result in zip(submissions, results, strict=True):
            if not result.replayed and result.conflict is None:
                self._held.setdefault(s.queue, []).append(s.job_item())
                self._held_since.setdefault(s.queue, now)
        self._dispatch()

    def _dispatch(self, force: bool = False) -> None:
        """Send the held messages of each queue whose agency keeps up, whose batch is full
        or that were held ``linger`` seconds (all of them with ``force``)."""
        now = time.monotonic()
        for queue_name in list(self._held):
            items = self._held[queue_name]
            if not (force or queue_name not in self._behind or len(items) >= self.batch_size
                    or now - self._held_since[queue_name] >= self.linger):
                continue
            del self._held[queue_name], self._held_since[queue_name]
            try:
                sent, waiting = send(self.redis, items, queue_name)
            except Exception:  # stored, not dispatched: the outbox sweep resends
                log.exception("dispatching %d messages failed; the sweep will retry",
                              len(items))
                self._behind.discard(queue_name)
                continue
            self._unmarked.append(sent)
            if waiting > 0:
                self._behind.add(queue_name)
            else:
                self._behind.discard(queue_name)

    def _mark(self) -> None:
        """Mark what was dispatched when no batch came to carry it."""
        marking, self._unmarked = self._unmarked, []
        if not marking:
            return
        try:
            with self.engine.begin() as conn:
                mark_dispatched(conn, marking)
        except Exception:  # unmarked: at worst the sweep dispatches them again
            log.exception("marking %d batches dispatched failed", len(marking))
