"""The simulator clock and its scheduler, with a real rq worker process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from infra import scheduler
from infra.clock import SimClock
from tests.infra.jobs import LOG

T0 = datetime(2025, 1, 31, 16, 0, tzinfo=UTC)


def _ran(redis: Redis) -> list[str]:
    return [item.decode() for item in redis.lrange(LOG, 0, -1)]


class TestClock:
    def test_real_time_by_default(self, backend: object) -> None:
        clock = SimClock(backend.redis())  # type: ignore[attr-defined]
        assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 1

    def test_frozen_clock_stays_put_and_set_moves_it(self, backend: object) -> None:
        clock = SimClock(backend.redis())  # type: ignore[attr-defined]
        clock.set(T0, frozen=True)
        assert clock.now() == T0
        clock.set(T0 + timedelta(days=1))
        assert clock.now() == T0 + timedelta(days=1)
        clock.reset()
        assert clock.now().year == datetime.now(UTC).year

    def test_a_running_clock_keeps_its_offset(self, backend: object) -> None:
        clock = SimClock(backend.redis())  # type: ignore[attr-defined]
        clock.set(T0, frozen=False)
        assert timedelta(0) <= clock.now() - T0 < timedelta(seconds=2)


class TestAdvance:
    def test_what_falls_due_runs_in_order_at_its_own_time(self, worker: Redis) -> None:
        clock = SimClock(worker)
        clock.set(T0, frozen=True)
        for hours, name in ((3, "third"), (1, "first"), (2, "second"), (30, "later")):
            scheduler.schedule(worker, T0 + timedelta(hours=hours), "tests.infra.jobs.note",
                               name, queue_name="sched")
        scheduler.advance(worker, clock, timedelta(hours=5), ["sched"])
        assert _ran(worker) == [f"{name}@{(T0 + timedelta(hours=h)).isoformat()}"
                                for h, name in ((1, "first"), (2, "second"), (3, "third"))]
        assert clock.now() == T0 + timedelta(hours=5)
        assert [e["args"] for e in scheduler.pending(worker)] == [["later"]]

    def test_a_job_scheduled_by_a_due_job_runs_within_the_same_advance(self,
                                                                      worker: Redis) -> None:
        clock = SimClock(worker)
        clock.set(T0, frozen=True)
        scheduler.schedule(worker, T0 + timedelta(minutes=10), "tests.infra.jobs.note_and_follow",
                           "a", 30, queue_name="sched")
        scheduler.schedule(worker, T0 + timedelta(minutes=20), "tests.infra.jobs.note", "b",
                           queue_name="sched")
        scheduler.advance(worker, clock, timedelta(hours=1), ["sched"])
        assert _ran(worker) == [f"a@{(T0 + timedelta(minutes=10)).isoformat()}",
                                f"b@{(T0 + timedelta(minutes=20)).isoformat()}",
                                f"a-follow-up@{(T0 + timedelta(minutes=40)).isoformat()}"]

    def test_nothing_runs_before_it_is_due(self, worker: Redis) -> None:
        clock = SimClock(worker)
        clock.set(T0, frozen=True)
        scheduler.schedule(worker, T0 + timedelta(days=2), "tests.infra.jobs.note", "x",
                           queue_name="sched")
        assert scheduler.run_due(worker, clock.now()) == []
        scheduler.advance(worker, clock, timedelta(days=1), ["sched"])
        assert _ran(worker) == []
        assert len(scheduler.pending(worker)) == 1
