"""Customs' HTTP surface: a declaration's status and timeline, and the sandbox reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from services.customs import service
from services.customs.db import SessionDep, UowDep

router = APIRouter()


@router.get("/declarations/{ref}", tags=["declarations"])
def get_declaration(ref: str, session: SessionDep,
                    owner: str = Query(description="customs code of the asking enterprise"),
                    ) -> dict[str, Any]:
    """One of the owner's documents by guid, copNo, preNo, invtNo, orderNo or logisticsNo."""
    return service.find_declaration(session=session, ref=ref, owner=owner)


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all customs data."""
    return {"reset": True, "deleted": service.reset(session=uow.session)}
