"""Inspection's HTTP surface (internal: called by the gateway and customs).

The officer console: the worklist of pending inspections, one inspection, recording a
result with its reason; the first-line entry of 1210 goods; the reference data in force.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from contracts.inspection import FirstLineEntry, OfficerResult
from infra.clock import SimClock
from services.inspection import service
from services.inspection.db import RedisDep, SessionDep, SettingsDep, UowDep

router = APIRouter()


@router.get("/inspections", tags=["officer"])
def list_inspections(session: SessionDep,
                     state: Literal["pending", "final", "all"] = "pending",
                     subject: Literal["list", "first_line"] | None = None,
                     limit: int = Query(200, ge=1, le=1000)) -> dict[str, Any]:
    """The officer's worklist: pending inspections, newest first (``state=all``: every one)."""
    rows = service.inspections(session=session, state=None if state == "all" else state,
                               subject=subject, limit=limit)
    return {"inspections": [service.view(r) for r in rows]}


@router.get("/inspections/{decision_id}", tags=["officer"])
def get_inspection(decision_id: int, session: SessionDep) -> dict[str, Any]:
    """One inspection: lane, state, the rules that hit, the officer's result."""
    return service.view(service.get(session=session, decision_id=decision_id))


@router.post("/inspections/{decision_id}/result", tags=["officer"])
def record_result(decision_id: int, body: OfficerResult, uow: UowDep, redis: RedisDep,
                  settings: SettingsDep) -> dict[str, Any]:
    """Record what the officer found, with the reason; customs hears it at once."""
    row = service.record_result(uow=uow, redis=redis, settings=settings,
                                decision_id=decision_id, outcome=body.outcome,
                                reason=body.reason, officer=body.officer,
                                now=SimClock(redis).now())
    return service.view(row)


@router.post("/first-line-inspections", tags=["first line"], status_code=201)
def first_line_inspection(body: FirstLineEntry, uow: UowDep, redis: RedisDep,
                          settings: SettingsDep) -> dict[str, Any]:
    """1210 goods entering the zone: decide once per emsNo + itemRecordNo."""
    row = service.first_line(uow=uow, redis=redis, settings=settings, entry=body,
                             now=SimClock(redis).now())
    return service.view(row)


@router.get("/reference", tags=["reference"])
def reference_data(settings: SettingsDep) -> dict[str, Any]:
    """The prohibited, quarantine and risk rules and the sampling rates in force."""
    return service.reference_data(settings=settings)


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all of inspection's data."""
    return {"service": "inspection", "deleted": service.reset(session=uow.session)}
