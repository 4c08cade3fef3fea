"""The tax service's HTTP surface (internal: called by the gateway and customs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from infra.clock import SimClock
from services.tax import service
from services.tax.db import SessionDep, UowDep, resources

router = APIRouter()


class GuaranteeChange(BaseModel):
    amount: Decimal = Field(ge=0, max_digits=17, decimal_places=2,
                            description="the guarantee lodged, in CNY")


@router.put("/guarantees/{assure_code}", tags=["guarantees"])
def set_guarantee(assure_code: str, change: GuaranteeChange, uow: UowDep) -> dict[str, Any]:
    """Lodge a withholding agent's revolving guarantee; issues the bills it now covers."""
    now = SimClock(resources.redis()).now()
    return service.set_guarantee(session=uow.session, settings=resources.config(), now=now,
                                 assure_code=assure_code, amount=change.amount)


@router.get("/guarantees/{assure_code}", tags=["guarantees"])
def get_guarantee(assure_code: str, session: SessionDep) -> dict[str, Any]:
    """A withholding agent's guarantee: lodged, available, bills held for want of it."""
    now = SimClock(resources.redis()).now()
    return service.guarantee(session=session, settings=resources.config(), now=now,
                             assure_code=assure_code)


@router.get("/tax-bills/{ref}", tags=["tax bills"])
def get_tax_bill(ref: str, session: SessionDep) -> dict[str, Any]:
    """A tax bill by taxNo or invtNo."""
    return service.find_bill(session=session, ref=ref)


@router.post("/_sim/reset", tags=["sandbox"])
def reset(uow: UowDep) -> dict[str, Any]:
    """Delete all of the tax service's data."""
    return {"service": "tax", "deleted": service.reset(session=uow.session)}
