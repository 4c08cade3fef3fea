"""Jobs that fall due on the simulator clock.

An entry is a dotted function path with primitive arguments, due at a simulator time.
``run_due`` moves what is due onto its rq queue (each entry exactly once, even with
several pollers); ``advance`` moves the clock forward step by step so that whatever falls
due in between runs in order, each step waiting until the queues are idle.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq.registry import StartedJobRegistry

from infra.clock import SimClock, to_datetime
from infra.queue import enqueue, queue

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
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while time.monotonic() < deadline:
        busy = False
        for name in queue_names:
            q = queue(name, redis)
            if q.count or StartedJobRegistry(queue=q).count:
                busy = True
                break
        quiet_rounds = 0 if busy else quiet_rounds + 1
        if quiet_rounds >= 3:
            return True
        time.sleep(0.02)
    return False


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
