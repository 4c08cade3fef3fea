"""Payments' HTTP surface (internal: called by the gateway and customs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.payments import service
from services.payments.db import UowDep

router = APIRouter()


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all of payments' data."""
    return {"service": "payments", "deleted": service.reset(session=uow.session)}
