"""Redis and rq helpers: one serializer, named queues, enqueue after commit, workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from redis import Redis
from redis.client import Pipeline
from rq import Queue, Retry, SimpleWorker

from infra.db import UnitOfWork


class JSONSerializer:
    """rq's job and result format: JSON, as rq's own ``JSONSerializer`` writes it (so jobs
    enqueued by either read the same), through orjson: several times faster on the large
    arguments of batch jobs (messages, receipts)."""

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)

    @staticmethod
    def loads(data: bytes | str, *args: Any, **kwargs: Any) -> Any:
        return orjson.loads(data)


SERIALIZER = JSONSerializer


def connect_redis(url: str) -> Redis:
    if not url:
        raise RuntimeError("REDIS_URL is not set (the launcher sets it to its embedded Redis)")
    return Redis.from_url(url)


def queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection, serializer=SERIALIZER, default_timeout=300)


def enqueue(connection: Redis, queue_name: str, func: str, *args: Any,
            job_id: str | None = None, retry: Retry | None = None,
            pipeline: Pipeline | None = None) -> str:
    """Enqueue ``func`` (a dotted path) with primitive args; returns the job id.

    With ``pipeline`` the job goes out when the caller executes it; without, in one round
    trip of its own (rq alone makes two).
    """
    pipe = connection.pipeline() if pipeline is None else pipeline
    job = queue(queue_name, connection).enqueue(
        func, *args, job_id=job_id, retry=retry or Retry(max=5, interval=[1, 2, 5, 10, 30]),
        result_ttl=60, failure_ttl=7 * 24 * 3600, pipeline=pipe,
        # the function, not rq's default of the call with the repr of every argument: for a
        # batch job's arguments that repr cost more than the rest of the enqueue
        description=func,
    )
    if pipeline is None:
        pipe.execute()
    return str(job.id)


def enqueue_batch(connection: Redis, queue_name: str, one: str, many: str, items: list[Any],
                  *, job_id: str | None = None, pipeline: Pipeline | None = None) -> str:
    """One job for ``items``: ``one(item)`` when there is one (with ``job_id``), else
    ``many(items)``, the job's batch form. ``pipeline`` as for ``enqueue``."""
    if len(items) == 1:
        return enqueue(connection, queue_name, one, items[0], job_id=job_id, pipeline=pipeline)
    return enqueue(connection, queue_name, many, items, pipeline=pipeline)


def enqueue_after_commit(uow: UnitOfWork, connection: Redis, queue_name: str, func: str,
                         *args: Any, job_id: str | None = None) -> None:
    """Enqueue once the unit of work has committed; nothing if it rolls back."""
    def hook() -> None:
        enqueue(connection, queue_name, func, *args, job_id=job_id)

    uow.after_commit(hook)


def run_worker(queue_names: Sequence[str], connection: Redis, *, burst: bool = False,
               name: str | None = None) -> None:
    """Work the queues in this process (no fork per job)."""
    worker = SimpleWorker([queue(n, connection) for n in queue_names], connection=connection,
                          serializer=SERIALIZER, name=name)
    worker.work(burst=burst, logging_level="WARNING", with_scheduler=True)


STASH_TTL_SECONDS = 7 * 24 * 3600
BATCH_STASH = "sw:batch:"  # + a token: a batch of messages dispatched to an agency
RECEIPTS_STASH = "sw:receipts:"  # + a token: receipts an agency hands to the gateway


def stash(connection: Redis | Pipeline, items: list[Any], key: str,
          expire: bool = True) -> str:
    """Keep a large job argument in Redis, uncompressed, and return its key.

    rq compresses every job's arguments; for batches of messages that costs more than
    the work itself, so the batch travels beside the job and the job carries its key.
    The job deletes it once done. With ``expire``, it goes after ``STASH_TTL_SECONDS``
    anyway (for what another copy can replace: the gateway's outbox sends its messages
    again); without, it stays until its job is done or dropped (``drop_stashes``).
    """
    connection.set(key, orjson.dumps(items), ex=STASH_TTL_SECONDS if expire else None)
    return key


def unstash(connection: Redis, key: str) -> list[Any] | None:
    """The items stashed under ``key`` (None once expired or deleted)."""
    raw = connection.get(key)
    return None if raw is None else list(orjson.loads(raw))


def drop_stashes(connection: Redis) -> int:
    """Delete every stash (``stash``), once no job that could read one waits or runs (a
    sandbox reset, after ``infra.scheduler.quiesce``). Returns how many."""
    keys = [key for prefix in (BATCH_STASH, RECEIPTS_STASH)
            for key in connection.scan_iter(match=prefix + "*", count=1000)]
    if keys:
        connection.delete(*keys)
    return len(keys)
