"""``POST /api/v1/enterprises`` (admin): register an enterprise, get its API key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from gateway import enterprises
from gateway.deps import AdminDep, ClockDep, SessionDep, UowDep
from gateway.enterprises import EnterpriseCreate, EnterpriseCreated

router = APIRouter(prefix="/api/v1", tags=["enterprises"])


@router.post("/enterprises", status_code=201, dependencies=[AdminDep])
def register_enterprise(data: EnterpriseCreate, uow: UowDep,
                        clock: ClockDep) -> EnterpriseCreated:
    """Register an enterprise (customs code, name, roles, callback); answers its API key."""
    return enterprises.register(session=uow.session, data=data, now=clock.now())


@router.get("/enterprises", dependencies=[AdminDep])
def list_enterprises(session: SessionDep, codes: str = Query(
        description="comma-separated customs codes")) -> dict[str, Any]:
    """The registered enterprises among ``codes`` and their roles (agencies check the
    parties of a declaration with it)."""
    wanted = {c.strip() for c in codes.split(",") if c.strip()}
    return {"enterprises": enterprises.registered(session=session, codes=wanted)}
