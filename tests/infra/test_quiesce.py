"""Quieting the queues before a sandbox reset: what waits is dropped, what runs waited out.

Without it, a job that was running when the parts emptied their data ends after them and
writes into the new sandbox, and what it enqueues runs there too.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from redis import Redis

from infra import scheduler
from infra.queue import BATCH_STASH, RECEIPTS_STASH, enqueue, queue, stash
from tests.conftest import Backend
from tests.infra.conftest import kill_worker, start_worker
from tests.infra.jobs import LOG

LINGER = "tests.infra.jobs.linger"


def _ran(redis: Redis) -> list[str]:
    return [item.decode() for item in redis.lrange(LOG, 0, -1)]


def _started(redis: Redis, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while f"{name}:start" not in _ran(redis):
        assert time.monotonic() < deadline, f"{name} never started"
        time.sleep(0.02)


def test_what_waits_is_dropped(backend: Backend) -> None:
    redis = backend.redis()
    sched = queue("sched", redis)
    enqueue(redis, "sched", "tests.infra.jobs.note", "queued")
    sched.enqueue_in(timedelta(minutes=5), "tests.infra.jobs.note", "retried later")
    scheduler.schedule(redis, datetime(2025, 1, 1, tzinfo=UTC), "tests.infra.jobs.note",
                       "due on the clock", queue_name="sched")
    assert scheduler.quiesce(redis, ["sched"], timeout=5) == []
    assert (sched.count, sched.scheduled_job_registry.count, scheduler.pending(redis)) == (
        0, 0, [])


def test_once_quiet_the_stashes_of_the_dropped_jobs_go_too(backend: Backend) -> None:
    redis = backend.redis()
    for key in (BATCH_STASH + "dropped", RECEIPTS_STASH + "dropped"):
        stash(redis, [{"n": 1}], key)
        enqueue(redis, "sched", "tests.infra.jobs.note", key)
    redis.set("sw:clock:kept", b"1")  # not a stash
    assert scheduler.quiesce(redis, ["sched"], timeout=5) == []
    assert redis.keys("sw:batch:*") == redis.keys("sw:receipts:*") == []
    assert redis.exists("sw:clock:kept")


def test_a_running_job_is_waited_out_and_what_it_enqueues_dropped(worker: Redis) -> None:
    enqueue(worker, "sched", LINGER, "slow", 1.0)
    _started(worker, "slow")
    assert scheduler.quiesce(worker, ["sched"], timeout=30) == []
    quiet = _ran(worker)
    assert quiet[:2] == ["slow:start", "slow:end"]  # over when the quiet came
    time.sleep(0.5)  # the worker is free: a follow-up left queued would run now
    assert _ran(worker) == quiet and queue("sched", worker).count == 0


def test_the_deadline_gives_what_still_runs(worker: Redis) -> None:
    enqueue(worker, "sched", LINGER, "slower", 3.0)
    _started(worker, "slower")
    stash(worker, [{"n": 1}], BATCH_STASH + "in use")
    still = scheduler.quiesce(worker, ["sched"], timeout=0.2)
    assert len(still) == 1 and _ran(worker) == ["slower:start"]
    assert worker.exists(BATCH_STASH + "in use")  # the running job may yet read it


def test_a_job_whose_worker_died_holds_nothing_up(backend: Backend) -> None:
    redis = backend.redis()
    proc = start_worker(backend)
    try:
        enqueue(redis, "sched", LINGER, "orphan", 60.0)
        _started(redis, "orphan")
        assert len(scheduler.running(redis, ["sched"])) == 1
        kill_worker(proc)
        # rq keeps the orphan among the started jobs for its whole timeout
        assert len(queue("sched", redis).started_job_registry.get_job_ids()) == 1
        assert scheduler.wait_idle(redis, ["sched"], timeout=10)  # (advancing the clock)
        assert scheduler.quiesce(redis, ["sched"], timeout=10) == []
    finally:
        kill_worker(proc)  # (again: the scheduler rq forked, if the test stopped early)
