"""Jobs that fall due on the simulator clock.

An entry is a dotted function path with primitive arguments, due at a simulator time.
``run_due`` moves what is due onto its rq queue (each entry exactly once, even with
several pollers); ``advance`` moves the clock forward step by step so that whatever falls
due in between runs in order, each step waiting until the queues are idle. ``quiesce``
(the sandbox reset) drops whatever waits on the queues and waits out what runs.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import psutil
from redis import Redis
from redis.client import Pipeline
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.worker import Worker

from infra.clock import SimClock, to_datetime
from infra.queue import drop_stashes, enqueue, queue

SCHEDULE_KEY = "sw:schedule"

_POP_DUE = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 200)
for _, item in ipairs(items) do redis.call('ZREM', KEYS[1], item) end
return items
"""


def schedule(redis: Redis | Pipeline, due_at: datetime, func: str, *args: Any,
             queue_name: str, key: str | None = None) -> str:
    """Run ``func(*args)`` on ``queue_name`` when the simulator clock reaches ``due_at``
    (with a pipeline: once the caller executes it)."""
    entry_id = key or uuid.uuid4().hex
    member = json.dumps({"id": entry_id, "func": func, "args": list(args),
                         "queue": queue_name}, sort_keys=True)
    redis.zadd(SCHEDULE_KEY, {member: due_at.timestamp()})
    return entry_id


def next_due(redis: Redis) -> float | None:
    first = redis.zrange(SCHEDULE_KEY, 0, 0, withscores=True)
    return float(first[0][1]) if first else None


def pending(redis: Redis) -> list[dict[str, Any]]:
    """Every scheduled entry, earliest first, with its due time."""
    out = []
    members: list[tuple[bytes, float]] = redis.zrange(SCHEDULE_KEY, 0, -1,
                                                      withscores=True)  # type: ignore[assignment]
    for member, score in members:
        entry = json.loads(member)
        entry["due_at"] = to_datetime(float(score)).isoformat()
        out.append(entry)
    return out


def run_due(redis: Redis, now: datetime) -> list[str]:
    """Enqueue every entry due at ``now``; returns the queue names touched."""
    members = redis.eval(_POP_DUE, 1, SCHEDULE_KEY, repr(now.timestamp()))
    touched = []
    for member in members:
        entry = json.loads(member)
        enqueue(redis, entry["queue"], entry["func"], *entry["args"])
        touched.append(entry["queue"])
    return touched


def wait_idle(redis: Redis, queue_names: Sequence[str], timeout: float = 60.0) -> bool:
    """Wait until the queues are empty and no job of theirs is running."""
    def queued() -> int:
        return sum(queue(name, redis).count for name in queue_names)

    return _until_quiet(redis, queue_names, timeout, queued, poll=0.02)[0]


def drop_waiting(redis: Redis, queue_names: Sequence[str]) -> int:
    """Drop every job that waits to run on the queues: queued, waiting for an rq retry, or
    due on the simulator clock (the whole schedule). Returns how many were dropped."""
    dropped = int(redis.zcard(SCHEDULE_KEY))
    redis.delete(SCHEDULE_KEY)
    for name in queue_names:
        q = queue(name, redis)
        dropped += q.count
        q.empty()
        retries = ScheduledJobRegistry(queue=q)
        for job_id in retries.get_job_ids():
            retries.remove(job_id, delete_job=True)
            dropped += 1
    return dropped


def running(redis: Redis, queue_names: Sequence[str]) -> list[str]:
    """The jobs of the queues a live worker runs now."""
    return [job_id for name in queue_names
            for job_id in StartedJobRegistry(queue=queue(name, redis)).get_job_ids()
            if _worker_alive(redis, job_id)]


def _worker_alive(redis: Redis, job_id: str) -> bool:
    """Whether the worker running ``job_id`` still lives: rq keeps the job of a worker that
    died running it among the started ones for the job's whole timeout. A worker on another
    host is taken at its word."""
    name = _text(redis.hget(Job.redis_job_namespace_prefix + job_id, "worker_name"))
    if not name:
        return True  # being started
    host, pid = (_text(v) for v in redis.hmget(Worker.redis_worker_namespace_prefix + name,
                                               "hostname", "pid"))
    if host is None and pid is None:
        return False  # the worker's key expired
    if host is not None and host != socket.gethostname():
        return True
    return pid is not None and psutil.pid_exists(int(pid))


def quiesce(redis: Redis, queue_names: Sequence[str], timeout: float) -> list[str]:
    """Drop what waits on the queues (``drop_waiting``) and wait until no job of theirs
    runs: a job that ends may enqueue more, which is dropped in turn. Once quiet, the
    stashes of the dropped jobs go too (``infra.queue.drop_stashes``). Returns the jobs
    still running at the deadline (none: the queues are quiet)."""
    quiet, still_running = _until_quiet(redis, queue_names, timeout,
                                        lambda: drop_waiting(redis, queue_names))
    if quiet:  # a job still running may yet read its stash
        drop_stashes(redis)
    return still_running


def _until_quiet(redis: Redis, queue_names: Sequence[str], timeout: float,
                 waiting: Callable[[], int], poll: float = 0.05, rounds: int = 3
                 ) -> tuple[bool, list[str]]:
    """Poll until nothing ``waiting`` counts waits and no live worker runs a job of the
    queues, for ``rounds`` polls in a row (a worker that has just taken a job shows it
    started a moment later). Whether that came before ``timeout``, and the jobs still
    running then."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        jobs, waits = running(redis, queue_names), waiting()
        quiet = 0 if waits or jobs else quiet + 1
        if quiet >= rounds:
            return True, []
        if time.monotonic() >= deadline:
            return False, jobs
        time.sleep(poll)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def advance(redis: Redis, clock: SimClock, delta: timedelta, queue_names: Sequence[str],
            step_timeout: float = 60.0) -> datetime:
    """Move the clock forward by ``delta``, running what falls due in order."""
    target = clock.now() + delta
    while True:
        due = next_due(redis)
        if due is None or due > target.timestamp():
            break
        step = max(to_datetime(due), clock.now())
        clock.set(step)
        run_due(redis, step)
        wait_idle(redis, queue_names, step_timeout)
    clock.set(target)
    run_due(redis, target)
    wait_idle(redis, queue_names, step_timeout)
    return target
