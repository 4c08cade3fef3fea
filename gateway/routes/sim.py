"""``/_sim``: the sandbox — health of every part, the clock, reset, the schedule."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator

from gateway.db import GatewayTable, resources
from gateway.deps import AdminDep, ClockDep, RedisDep, SettingsDep, key_cache
from gateway.models import Enterprise
from infra import scheduler
from infra.clock import SimClock
from infra.db import delete_all_rows, unit_of_work
from infra.errors import UpstreamError

router = APIRouter(prefix="/_sim", tags=["sandbox"])
QUEUES = ("gateway", "customs", "inspection", "tax", "payments")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of days/hours/minutes/seconds, e.g. ``P30D``, ``PT1H30M``."""
    match = _DURATION.match(text)
    if not match or text in ("P", "PT"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P1D or PT2H")
    days, hours, minutes, seconds = match.groups()
    return timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                     seconds=float(seconds or 0))


class ClockChange(BaseModel):
    """One change of the clock: set it, freeze/resume it, go back to real time, or advance."""

    at: datetime | None = Field(None, description="put the clock at this instant")
    freeze: bool | None = Field(None, description="true stops the clock, false lets it run")
    realTime: bool = Field(False, description="back to the real clock")
    advance: str | None = Field(None, description="ISO 8601 duration, e.g. P30D or PT1H")
    advanceSeconds: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> ClockChange:
        if self.advance is not None:
            parse_duration(self.advance)
        if self.at is not None and self.at.tzinfo is None:
            self.at = self.at.replace(tzinfo=UTC)
        return self

    def delta(self) -> timedelta | None:
        if self.advance is not None:
            return parse_duration(self.advance)
        if self.advanceSeconds is not None:
            return timedelta(seconds=self.advanceSeconds)
        return None


def _clock_view(clock: SimClock) -> dict[str, Any]:
    state = clock.state()
    return {"now": clock.now().isoformat(), "frozen": state.frozen,
            "offsetSeconds": state.offset_seconds}


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """The gateway and every agency, with their database and Redis."""
    clients = request.app.state.agencies
    results = await asyncio.gather(*(c.health() for c in clients.values()))
    parts = {"gateway": {"status": "ok"}, **dict(zip(clients, results, strict=True))}
    status = "ok" if all(p.get("status") == "ok" for p in parts.values()) else "degraded"
    return {"status": status, "parts": parts}


@router.get("/clock")
def get_clock(clock: ClockDep) -> dict[str, Any]:
    """The simulator's time, whether it is frozen, and its offset from real time."""
    return _clock_view(clock)


@router.post("/clock", dependencies=[AdminDep])
def change_clock(change: ClockChange, clock: ClockDep, redis: RedisDep) -> dict[str, Any]:
    """Set, freeze, resume or advance the clock; advancing runs what falls due, in order."""
    if change.realTime:
        clock.reset()
    if change.at is not None:
        clock.set(change.at, frozen=change.freeze)
    elif change.freeze is True:
        clock.freeze()
    elif change.freeze is False:
        clock.resume()
    delta = change.delta()
    if delta is not None:
        scheduler.advance(redis, clock, delta, QUEUES)
    return _clock_view(clock)


@router.get("/schedule", dependencies=[AdminDep])
def get_schedule(redis: RedisDep) -> dict[str, Any]:
    """What is due on the simulator clock, earliest first."""
    return {"entries": scheduler.pending(redis)}


@router.post("/reset", dependencies=[AdminDep])
async def reset(request: Request, redis: RedisDep, settings: SettingsDep,
                enterprises: bool = False) -> dict[str, Any]:
    """Empty the sandbox: messages, receipts, every agency's data, the schedule, the clock.

    Nothing of before crosses it: the queues are quieted first (what waits is dropped, what
    runs is waited out), so that no job ends after the agencies emptied their data and
    writes into the new sandbox. An agency that could not empty its data fails the reset
    (502, the agency named): a reset that did not happen is never answered as done.
    """
    request.app.state.writer.dispatch_held()  # into the queues, which the quiet drops
    still_running = await run_in_threadpool(scheduler.quiesce, redis, QUEUES,
                                            settings.reset_quiet_seconds)
    SimClock(redis).reset()
    await run_in_threadpool(_empty_gateway, enterprises)
    clients = request.app.state.agencies
    done = await asyncio.gather(*(c.reset(settings.reset_timeout_seconds)
                                  for c in clients.values()), return_exceptions=True)
    agencies = {name: "ok" if not isinstance(result, Exception) else str(result)
                for name, result in zip(clients, done, strict=True)}
    failed = {name: outcome for name, outcome in agencies.items() if outcome != "ok"}
    if failed:
        raise UpstreamError("the sandbox was not reset: " + "; ".join(
            f"{name}: {outcome}" for name, outcome in failed.items()),
            code="reset_failed", agencies=agencies)
    return {"reset": True, "enterprises": enterprises, "agencies": agencies,
            "stillRunning": still_running}


def _empty_gateway(enterprises: bool) -> None:
    """Every table of the gateway emptied (the enterprises' only when asked)."""
    with unit_of_work(resources.engine()) as uow:
        kept = Enterprise.__table__.name  # type: ignore[attr-defined]
        delete_all_rows(uow.session, GatewayTable.metadata, keep=() if enterprises else (kept,))
    key_cache.clear()
