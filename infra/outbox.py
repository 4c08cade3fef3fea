"""Outboxes: rows written in the unit of work that changes state, handed to rq after it.

Two kinds, both domain-free; each part keeps its rows in a table of its own:

- a **receipt outbox** holds receipts for the gateway's ``gateway.tasks.ingest`` (they go
  stashed beside a ``gateway.tasks.ingest_batch`` job: ``hand_over_receipts``). Its
  table has the columns ``id`` (the order rows go out in), ``receipt_id``, ``message_id``,
  ``recipient``, ``conversation_id``, ``message_type``, ``record_guid``, ``return_status``,
  ``payload``, ``created_at``, ``stored_at`` (real epoch seconds) and ``sent_at``;
- a **job outbox** holds rq jobs for another part: ``id``, ``queue``, ``func`` (dotted
  path), ``args`` (JSON list), ``due_at`` (a simulator time: the job is scheduled with
  ``infra.scheduler`` rather than enqueued; None: now), ``key`` (the schedule entry's key),
  ``stored_at`` and ``sent_at``.

Rows are written with the commit (``infra.db.add_row``) and handed over as written, not
read back (``write_job``; ``hand_over_receipts(..., written=)``). A row is marked sent once
enqueued; what stays unsent (a crash between the commit and the hand-over) is enqueued
again by a sweep, so receivers dedupe (the gateway by receipt_id, jobs by being idempotent).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from redis import Redis
from redis.client import Pipeline
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from infra.db import add_row, unit_of_work, written_rows
from infra.guids import new_token
from infra.queue import RECEIPTS_STASH, enqueue, enqueue_batch, stash
from infra.scheduler import schedule

GATEWAY_QUEUE = "gateway"
INGEST = "gateway.tasks.ingest"
INGEST_BATCH = "gateway.tasks.ingest_batch"  # ``INGEST``'s arguments stashed beside it
RESEND_AFTER_SECONDS = 10.0
_HOOKS = "infra.outbox.after_commit"
_LISTENING = "infra.outbox.after_commit.listening"


def on_commit(session: Session, hook: Callable[[], object]) -> None:
    """Run ``hook`` once ``session`` has committed its transaction (dropped if it never does).

    For code that holds a session but not its ``UnitOfWork``: the hooks run right after
    the database commit, in the order they were added. Releasing a savepoint is not that
    commit: the hooks wait for the transaction's own. A rollback drops them.
    """
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _run_hooks)
        event.listen(session, "after_rollback", _drop_hooks)
    session.info.setdefault(_HOOKS, []).append(hook)


def _drop_hooks(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's rollback keeps them
        session.info.pop(_HOOKS, None)
        session.info.pop(_HAND_OVER, None)


def _run_hooks(committed: Session) -> None:
    if committed.in_nested_transaction():  # a savepoint was released
        return
    for hook in committed.info.pop(_HOOKS, []):
        hook()


# ------------------------------------------------------------------ receipts


_INGESTED = ("receipt_id", "message_id", "recipient", "conversation_id", "message_type",
             "record_guid", "return_status", "payload")


def as_ingest(row: Any) -> dict[str, Any]:
    """One receipt row (a table object, or its values as ``add_row`` wrote them) as
    ``gateway.tasks.ingest`` takes it."""
    values = row if isinstance(row, Mapping) else {name: getattr(row, name)
                                                   for name in (*_INGESTED, "created_at")}
    return {**{name: values[name] for name in _INGESTED},
            "created_at": values["created_at"].isoformat()}


def hand_over_receipts(session: Session, redis: Redis, table: Any, rows: Sequence[Any],
                       message_ids: list[str], written: Sequence[Mapping[str, Any]] = (),
                       pipeline: Pipeline | None = None) -> None:
    """Enqueue one ingest job with ``rows`` and the ``written`` ones (``infra.db.
    written_rows``: the values the last commit wrote, with their ids, not read back), and
    the gateway messages now processed; then mark them all sent in ``session``. With
    ``pipeline``, the job goes out when the caller executes it (before ``session``
    commits).

    The receipts travel stashed beside the job (``infra.queue.stash``: rq would compress
    them, which for a batch's receipts cost more than the rest of the hand-over), in the
    same round trip; ``gateway.tasks.ingest_batch`` takes them and deletes the stash."""
    pipe = redis.pipeline() if pipeline is None else pipeline
    key = RECEIPTS_STASH + new_token()
    enqueue(redis, GATEWAY_QUEUE, INGEST_BATCH, key, pipeline=pipe)
    # no expiry: these receipts are marked sent, nothing would send them again
    stash(pipe, [message_ids, [as_ingest(r) for r in (*rows, *written)]], key, expire=False)
    if pipeline is None:
        pipe.execute()
    mark_sent(session, table, [r.receipt_id for r in rows] + [w["receipt_id"] for w in written],
              by="receipt_id")


# A part of a hand-over: given what a unit of work gathered for it, it adds its jobs to the
# pipeline and marks what they carry sent (``mark_sent``) with the session it is given,
# which it may read with; the marks are made once the pipeline went out.
Part = Callable[[list[Any], Session, Pipeline], object]
_HAND_OVER = "infra.outbox.hand_over"


def hand_over_after_commit(session: Session, redis: Redis, name: str, part: Part) -> list[Any]:
    """The list ``session``'s transaction gathers under ``name`` for ``part``; once it has
    committed, every part it gathered for gets its list: the parts add their jobs to one
    pipeline and mark their rows sent, the pipeline goes out in one Redis round trip,
    then the marks are made in one unit of work (a crash in between: the sweeps send them
    again). A rollback drops it all (``on_commit``)."""
    hand_over: _HandOver | None = session.info.get(_HAND_OVER)
    if hand_over is None:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        hand_over = session.info[_HAND_OVER] = _HandOver(engine, redis)
        on_commit(session, lambda: session.info.pop(_HAND_OVER).send())
    return hand_over.parts.setdefault(name, (part, []))[1]


class _HandOver:
    def __init__(self, engine: Engine, redis: Redis) -> None:
        self.engine, self.redis = engine, redis
        self.parts: dict[str, tuple[Part, list[Any]]] = {}

    def send(self) -> None:
        """The parts' jobs go out, then their marks are made in one unit of work. The jobs
        do not wait for the database: on SQLite the marks wait for its write lock, which
        the next unit of work may hold by then, and that unit's hand-over would go out
        first (a list's 399 before its 120)."""
        marks: list[tuple[Any, str, list[Any]]] = []
        with Session(self.engine) as reading:  # what the parts read; their marks wait
            reading.info[_MARKS] = marks
            pipe = self.redis.pipeline()
            for part, items in self.parts.values():
                part(items, reading, pipe)
            pipe.execute()
        if marks:
            with unit_of_work(self.engine) as marking:
                for table, by, keys in marks:
                    mark_sent(marking.session, table, keys, by)


_MARKS = "infra.outbox.marks"  # session.info: a hand-over's marks, made once its jobs went out


def mark_sent(session: Session, table: Any, keys: Sequence[Any], by: str = "id") -> None:
    """Mark the rows of ``table`` whose ``by`` column is one of ``keys`` sent now (given
    a hand-over's session: once its jobs went out)."""
    if not keys:
        return
    marks = session.info.get(_MARKS)
    if marks is not None:
        marks.append((table, by, list(keys)))
        return
    # Core, not the ORM's bulk UPDATE (which looks for the rows among the session's
    # objects first): rows loaded in ``session`` keep the sent_at they were read with
    session.connection().execute(update(table).where(
        col(getattr(table, by)).in_(keys)).values(sent_at=time.time()))


def unsent(session: Session, table: Any, *, older_than: float | None = None,
           limit: int = 1000) -> list[Any]:
    """Rows not sent yet (written more than ``older_than`` seconds ago), oldest first."""
    query = select(table).where(col(table.sent_at).is_(None))
    if older_than is not None:
        query = query.where(col(table.stored_at) < time.time() - older_than)
    return list(session.exec(query.order_by(col(table.id)).limit(limit)).all())


def resend_receipts(engine: Engine, redis: Redis, table: Any, *,
                    older_than: float = RESEND_AFTER_SECONDS) -> int:
    """Enqueue again the receipts still unsent ``older_than`` seconds after they were written."""
    with unit_of_work(engine) as uow:
        rows = unsent(uow.session, table, older_than=older_than)
        if rows:
            hand_over_receipts(uow.session, redis, table, rows, [])
    return len(rows)


# ------------------------------------------------------------------ jobs


def write_job(session: Session, redis: Redis, table: Any, queue: str, func: str,
              *args: Any, due_at: datetime | None = None, key: str | None = None,
              many: Mapping[str, str] | None = None) -> None:
    """Write the job ``func(*args)`` for ``queue`` into the job outbox ``table`` with the
    session's commit (``infra.db.add_row``); once committed, the commit's jobs go out as
    written, not read back, with the rest of its hand-over (``hand_over_after_commit``),
    at ``due_at`` on the simulator clock when given.

    ``many`` maps a job to its batch form (the same job, taking a list of what it takes):
    a run of such jobs, one after the other on the same queue, goes out as one job."""
    def send(_items: list[Any], marking: Session, pipe: Pipeline) -> None:
        rows = [SimpleNamespace(**row) for row in written_rows(session, table)]
        _enqueue_jobs(marking, redis, table, rows, many or {}, pipe)

    hand_over_after_commit(session, redis, f"jobs:{_table_name(table)}", send)
    row = {"queue": queue, "func": func, "args": list(args), "due_at": due_at, "key": key,
           "stored_at": time.time(), "sent_at": None}
    add_row(session, table, lambda: row, with_id=True)  # marked sent by id


def _table_name(table: Any) -> str:
    return str(getattr(table, "__tablename__", None) or table.name)


def resend_jobs(engine: Engine, redis: Redis, table: Any, *,
                older_than: float = RESEND_AFTER_SECONDS,
                many: Mapping[str, str] | None = None) -> int:
    """Enqueue again the jobs still unsent ``older_than`` seconds after they were written."""
    with unit_of_work(engine) as uow:
        rows = unsent(uow.session, table, older_than=older_than)
        _enqueue_jobs(uow.session, redis, table, rows, many or {})
    return len(rows)


def _enqueue_jobs(session: Session, redis: Redis, table: Any, rows: list[Any],
                  many: Mapping[str, str], pipeline: Pipeline | None = None) -> None:
    """Enqueue (schedule) the jobs of ``rows`` and mark them sent; in one round trip of
    their own, or with ``pipeline`` when the caller executes it (before the marks commit)."""
    run: list[Any] = []  # consecutive rows of one job that has a batch form
    pipe = redis.pipeline() if pipeline is None else pipeline

    def send_run() -> None:
        if run:
            enqueue_batch(redis, run[0].queue, run[0].func, many[run[0].func],
                          [r.args[0] for r in run], pipeline=pipe)
        run.clear()

    for row in rows:
        if row.due_at is None and row.func in many and len(row.args) == 1:
            if run and (run[0].queue, run[0].func) != (row.queue, row.func):
                send_run()
            run.append(row)
            continue
        send_run()
        if row.due_at is not None:
            schedule(pipe, row.due_at, row.func, *row.args, queue_name=row.queue, key=row.key)
        else:
            enqueue(redis, row.queue, row.func, *row.args, pipeline=pipe)
    send_run()
    if pipeline is None:
        pipe.execute()
    mark_sent(session, table, [r.id for r in rows])
