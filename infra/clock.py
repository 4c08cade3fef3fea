"""The simulator clock: one clock for every part, kept in Redis.

By default it follows real time. A sandbox call can freeze it, set it, or move it
forward; every rule with a date reads it (``SimClock.now``), so a trainer can show a
month in a minute and tests never sleep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from sqlmodel import Session

from infra.caches import unit_cache

CLOCK_KEY = "sw:clock"


@dataclass(frozen=True)
class ClockState:
    frozen: bool
    offset_seconds: float
    frozen_at: float | None

    def epoch(self, real: float | None = None) -> float:
        if self.frozen and self.frozen_at is not None:
            return self.frozen_at
        return (time.time() if real is None else real) + self.offset_seconds


_NOW = "infra.clock.now"  # unit cache: the time of the unit of work (``SimClock.now_of``)


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class SimClock:
    """Reads and moves the shared clock.

    With ``cache_seconds`` the state read from Redis is kept that long in this process
    (the hot intake path); changes made through this object are seen at once.
    """

    def __init__(self, redis: Redis, cache_seconds: float = 0.0) -> None:
        self.redis = redis
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, ClockState] | None = None

    def state(self) -> ClockState:
        if self.cache_seconds:
            cached = self._cached
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            state = self._read()
            self._cached = (time.monotonic() + self.cache_seconds, state)
            return state
        return self._read()

    def _read(self) -> ClockState:
        raw = self.redis.hgetall(CLOCK_KEY)
        values = {k.decode() if isinstance(k, bytes) else k:
                  v.decode() if isinstance(v, bytes) else v for k, v in raw.items()}
        frozen_at = values.get("frozen_at") or None
        return ClockState(
            frozen=values.get("frozen") == "1",
            offset_seconds=float(values.get("offset") or 0.0),
            frozen_at=float(frozen_at) if frozen_at else None,
        )

    def now(self) -> datetime:
        return to_datetime(self.state().epoch())

    def now_of(self, session: Session) -> datetime:
        """The time of ``session``'s unit of work: read the first time it is asked, and
        kept to the end of its transaction. A batch asks once it holds its locks, so that
        units waiting for each other's keys read the clock in the order they commit, and
        their receipts tell the time in that order."""
        kept = unit_cache(session, _NOW)
        if "now" not in kept:
            kept["now"] = self.now()
        return kept["now"]

    def set(self, at: datetime, *, frozen: bool | None = None) -> datetime:
        """Put the clock at ``at``; ``frozen`` True stops it there, False lets it run on."""
        self._cached = None
        state = self.state()
        keep_frozen = state.frozen if frozen is None else frozen
        epoch = at.timestamp()
        if keep_frozen:
            self.redis.hset(CLOCK_KEY, mapping={"frozen": "1", "frozen_at": repr(epoch),
                                                "offset": "0"})
        else:
            self.redis.hset(CLOCK_KEY, mapping={"frozen": "0", "frozen_at": "",
                                                "offset": repr(epoch - time.time())})
        self._cached = None
        return at

    def freeze(self) -> datetime:
        return self.set(self.now(), frozen=True)

    def resume(self) -> datetime:
        return self.set(self.now(), frozen=False)

    def reset(self) -> None:
        """Back to real time."""
        self.redis.delete(CLOCK_KEY)
        self._cached = None
