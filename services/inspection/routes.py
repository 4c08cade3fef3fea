"""Inspection's HTTP surface (internal: called by the gateway and customs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.inspection import service
from services.inspection.db import UowDep

router = APIRouter()


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all of inspection's data."""
    return {"service": "inspection", "deleted": service.reset(session=uow.session)}
