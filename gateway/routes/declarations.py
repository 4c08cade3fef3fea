"""``GET /api/v1/declarations/{ref}``: one document's consolidated status and timeline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from gateway.deps import CurrentEnterprise

router = APIRouter(prefix="/api/v1", tags=["declarations"])


@router.get("/declarations/{ref}")
async def get_declaration(ref: str, request: Request, caller: CurrentEnterprise) -> Any:
    """Find by guid, copNo, preNo, invtNo, orderNo or logisticsNo among your documents."""
    customs = request.app.state.agencies["customs"]
    return await customs.declaration(ref, caller.code)
