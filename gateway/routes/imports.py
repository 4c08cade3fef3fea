"""Retail imports at the single window: 1210 account books, guarantees, tax bills, quotas.

Pass-throughs to customs (``/import/...``) and tax: a first-line entry (一线进区) puts goods
into a bonded warehouse's account book (the admin, or the warehouse enterprise for its own
book); the withholding agents' tax guarantees (the admin lodges them); a tax bill (the
enterprises it concerns); a buyer's yearly usage of the 26,000 CNY limit (the admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from gateway.clients import CustomsClient, TaxClient
from gateway.deps import AdminDep, AdminOrEnterprise, CurrentEnterprise
from infra.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1", tags=["imports"])


@dataclass(frozen=True)
class Actor:
    """Who calls: the sandbox admin, or an enterprise (its code and roles)."""

    admin: bool
    code: str
    roles: frozenset[str] = frozenset()


def actor(caller: AdminOrEnterprise) -> Actor:
    if caller is None:
        return Actor(admin=True, code="admin")
    return Actor(admin=False, code=caller.code, roles=caller.roles)


ActorDep = Annotated[Actor, Depends(actor)]


def _customs(request: Request) -> CustomsClient:
    client: CustomsClient = request.app.state.agencies["customs"]
    return client


def _tax(request: Request) -> TaxClient:
    client: TaxClient = request.app.state.agencies["tax"]
    return client


class EntryItem(BaseModel):
    itemRecordNo: str = Field(min_length=1, max_length=30, description="备案料号")
    gcode: str = Field(min_length=10, max_length=10)
    gname: str = Field(min_length=1, max_length=250)
    unit: str = Field(min_length=3, max_length=3)
    qty: Decimal = Field(gt=0, max_digits=19, decimal_places=5)


class FirstLineEntry(BaseModel):
    entryNo: str = Field(min_length=1, max_length=60,
                         description="the entry's own number: the same number twice is one entry")
    customsCode: str | None = Field(default=None, min_length=4, max_length=4)
    ownerCode: str | None = Field(default=None, min_length=1, max_length=18,
                                  description="admin only: the warehouse enterprise of a new book")
    items: list[EntryItem] = Field(min_length=1, max_length=1000)


@router.post("/account-books/{ems_no}/entries", status_code=201)
async def first_line_entry(ems_no: str, body: FirstLineEntry, request: Request,
                           who: ActorDep) -> Any:
    """一线进区: goods enter the bonded zone into account book ``ems_no`` (created by its
    first entry, owned by the warehouse enterprise)."""
    if not who.admin and "warehouse" not in who.roles:
        raise Forbidden("a first-line entry is made by a bonded warehouse enterprise "
                        "(role warehouse) or the admin", code="role_not_allowed")
    owner = (body.ownerCode or who.code) if who.admin else who.code
    payload = body.model_dump(mode="json", exclude={"ownerCode"})
    payload["items"] = [{**i, "qty": str(i["qty"])} for i in payload["items"]]
    return await _customs(request).first_line_entry(ems_no, payload, owner=owner,
                                                    admin=who.admin)


@router.get("/account-books/{ems_no}")
async def account_book(ems_no: str, request: Request, who: ActorDep) -> Any:
    """An account book's items, balances and latest movements (its owner or the admin)."""
    return await _customs(request).account_book(ems_no, owner=who.code, admin=who.admin)


class GuaranteeChange(BaseModel):
    amount: Decimal = Field(ge=0, max_digits=17, decimal_places=2, description="CNY")


@router.put("/guarantees/{assure_code}", dependencies=[AdminDep])
async def set_guarantee(assure_code: str, body: GuaranteeChange, request: Request) -> Any:
    """Lodge a withholding agent's tax guarantee; lists held for want of it are released."""
    return await _tax(request).set_guarantee(assure_code, str(body.amount))


@router.get("/guarantees/{assure_code}")
async def get_guarantee(assure_code: str, request: Request, who: ActorDep) -> Any:
    """A withholding agent's guarantee (its own, or any for the admin)."""
    if not who.admin and who.code != assure_code:
        raise NotFound(f"no guarantee {assure_code!r} of enterprise {who.code!r}",
                       code="guarantee_not_found")
    return await _tax(request).guarantee(assure_code)


@router.get("/tax-bills/{ref}")
async def tax_bill(ref: str, request: Request, caller: CurrentEnterprise) -> Any:
    """A tax bill by taxNo or invtNo, for the enterprises it names."""
    bill: dict[str, Any] = await _tax(request).tax_bill(ref)
    if caller.code not in bill.get("parties", []):
        raise NotFound(f"no tax bill {ref!r} of enterprise {caller.code!r}",
                       code="tax_bill_not_found")
    return bill


@router.get("/buyers/{buyer_id}/usage", dependencies=[AdminDep])
async def buyer_usage(buyer_id: str, request: Request) -> Any:
    """What a buyer used of this calendar year's 26,000 CNY limit (simulator clock)."""
    return await _customs(request).buyer_usage(buyer_id)
