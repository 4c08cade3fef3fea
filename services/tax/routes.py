"""The tax service's HTTP surface (internal: called by the gateway and customs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.tax import service
from services.tax.db import UowDep

router = APIRouter()


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all of the tax service's data."""
    return {"service": "tax", "deleted": service.reset(session=uow.session)}
