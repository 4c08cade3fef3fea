"""``/api/v1/inspections``: the inspection officer console, for trainers (admin token).

A pass-through to the inspection service (``InspectionClient``): the worklist of pending
inspections, one inspection, recording the officer's result with its reason (customs
hears it at once: 800, 700, 501-503, 599), the first-line entry of 1210 goods into a
bonded zone, and the reference data in force. Downstream problems pass through as they are.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request

from contracts.inspection import FirstLineEntry, OfficerResult
from gateway.clients import InspectionClient
from gateway.deps import AdminDep

router = APIRouter(prefix="/api/v1", tags=["inspection"], dependencies=[AdminDep])


def _inspection(request: Request) -> InspectionClient:
    client: InspectionClient = request.app.state.agencies["inspection"]
    return client


@router.get("/inspections")
async def list_inspections(request: Request,
                           state: Literal["pending", "final", "all"] = "pending",
                           subject: Literal["list", "first_line"] | None = None,
                           limit: int = Query(200, ge=1, le=1000)) -> Any:
    """The officer's worklist: pending inspections, newest first, with the rules that hit."""
    return await _inspection(request).inspections(state=state, subject=subject, limit=limit)


@router.get("/inspections/{decision_id}")
async def get_inspection(decision_id: int, request: Request) -> Any:
    """One inspection: the list, its lane and state, why, and the officer's result."""
    return await _inspection(request).inspection(decision_id)


@router.post("/inspections/{decision_id}/result")
async def record_result(decision_id: int, body: OfficerResult, request: Request) -> Any:
    """Record the officer's result with its reason; customs acts on it at once."""
    return await _inspection(request).record_result(decision_id, body.model_dump())


@router.post("/first-line-inspections", status_code=201)
async def first_line_inspection(body: FirstLineEntry, request: Request) -> Any:
    """Inspect 1210 goods entering the zone; a list of items all released here is not
    inspected again at second-line exit."""
    return await _inspection(request).first_line(body.model_dump(mode="json"))


@router.get("/inspection-reference")
async def reference(request: Request) -> Any:
    """The prohibited, quarantine and risk rules and the sampling rates in force."""
    return await _inspection(request).reference()
