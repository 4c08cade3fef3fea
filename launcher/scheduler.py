"""The scheduler process: jobs due on the simulator clock, and the periodic sweeps.

Every ``SCHEDULER_POLL_INTERVAL`` seconds it moves what fell due on the simulator clock
onto its rq queue (``infra.scheduler.run_due``); every ``SWEEP_INTERVAL`` seconds of real
time it enqueues the outbox sweeps of ``launcher.topology.SWEEPS``. Several schedulers
may run: ``run_due`` hands each entry out once, and a sweep still queued is not queued
again.
"""

from __future__ import annotations

import importlib
import logging
import signal
import time
from types import FrameType

from redis import Redis, RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from infra.clock import SimClock
from infra.queue import SERIALIZER, connect_redis, queue
from infra.scheduler import run_due
from launcher import topology

log = logging.getLogger("singlewindow.scheduler")

_PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def available(func: str) -> bool:
    """Whether the dotted path ``func`` resolves (a part not written yet is skipped)."""
    module, _, name = func.rpartition(".")
    try:
        return callable(getattr(importlib.import_module(module), name, None))
    except ImportError as exc:
        log.warning("sweep %s is not available (%s); it is not enqueued", func, exc)
        return False


def enqueue_sweep(redis: Redis, queue_name: str, func: str) -> bool:
    """Enqueue ``func`` on ``queue_name`` unless its previous run is still pending."""
    job_id = "sweep-" + func.replace(".", "_")
    try:
        status = Job.fetch(job_id, connection=redis, serializer=SERIALIZER).get_status()
    except NoSuchJobError:
        status = None
    if status in _PENDING:
        return False
    queue(queue_name, redis).enqueue(func, job_id=job_id, result_ttl=60,
                                     failure_ttl=24 * 3600, job_timeout=120)
    return True


def tick(redis: Redis, sweeps: list[tuple[str, str]], *, sweep_now: bool) -> None:
    """One round: what is due on the simulator clock, then the sweeps if it is time."""
    run_due(redis, SimClock(redis).now())
    if sweep_now:
        for queue_name, func in sweeps:
            enqueue_sweep(redis, queue_name, func)


def run(redis_url: str, *, poll: float = topology.SCHEDULER_POLL_INTERVAL,
        sweep_every: float = topology.SWEEP_INTERVAL) -> None:
    """Poll until SIGTERM or SIGINT."""
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    redis = connect_redis(redis_url)
    sweeps = [(q, f) for q, f in topology.SWEEPS if available(f)]
    log.warning("scheduler polling every %.1fs; sweeps every %.0fs: %s", poll, sweep_every,
                ", ".join(f for _q, f in sweeps) or "none")
    next_sweep = 0.0
    while not stopping:
        now = time.monotonic()
        try:
            tick(redis, sweeps, sweep_now=now >= next_sweep)
            if now >= next_sweep:
                next_sweep = now + sweep_every
        except RedisError as exc:  # Redis restarting: try again next round
            log.warning("scheduler round failed: %s", exc)
        time.sleep(poll)
    redis.close()
