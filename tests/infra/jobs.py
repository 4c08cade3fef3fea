"""Jobs the scheduler tests run in a real worker: each notes the simulator time it ran at."""

from __future__ import annotations

import time
from datetime import timedelta

from infra.clock import SimClock
from infra.queue import connect_redis, enqueue
from infra.scheduler import schedule
from infra.settings import CommonSettings

LOG = "test:ran"


def note(name: str) -> None:
    redis = connect_redis(CommonSettings().redis_url)
    redis.rpush(LOG, f"{name}@{SimClock(redis).now().isoformat()}")


def note_and_follow(name: str, after_minutes: int) -> None:
    """Note, then schedule a follow-up ``after_minutes`` of simulator time later."""
    note(name)
    redis = connect_redis(CommonSettings().redis_url)
    due = SimClock(redis).now() + timedelta(minutes=after_minutes)
    schedule(redis, due, "tests.infra.jobs.note", f"{name}-follow-up", queue_name="sched")


def linger(name: str, seconds: float) -> None:
    """Note the start, take ``seconds``, then enqueue a ``note`` of ``name`` and note the end."""
    redis = connect_redis(CommonSettings().redis_url)
    redis.rpush(LOG, f"{name}:start")
    time.sleep(seconds)
    enqueue(redis, "sched", "tests.infra.jobs.note", f"{name}:follow-up")
    redis.rpush(LOG, f"{name}:end")
