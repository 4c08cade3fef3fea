"""Customs' import HTTP surface (internal: the gateway passes calls through).

The 1210 account books: a first-line entry (一线进区) adds stock, the book shows its
balances and movements; and a buyer's yearly usage of the 26,000 CNY limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from infra.clock import SimClock
from services.customs.db import UowDep, resources
from services.customs.import_ import service

router = APIRouter(prefix="/import", tags=["import"])


class EntryItem(BaseModel):
    itemRecordNo: str = Field(min_length=1, max_length=30)
    gcode: str = Field(min_length=10, max_length=10)
    gname: str = Field(min_length=1, max_length=250)
    unit: str = Field(min_length=3, max_length=3)
    qty: str = Field(pattern=r"^\d{1,14}(\.\d{1,5})?$", description="quantity entering")


class FirstLineEntry(BaseModel):
    entryNo: str = Field(min_length=1, max_length=60, description="the entry's own number "
                         "(e.g. the bonded reconciliation list 核注清单): makes it idempotent")
    customsCode: str | None = Field(default=None, min_length=4, max_length=4)
    items: list[EntryItem] = Field(min_length=1, max_length=1000)


@router.post("/account-books/{ems_no}/entries", status_code=201)
def first_line_entry(ems_no: str, entry: FirstLineEntry, uow: UowDep,
                     owner: str = Query(description="customs code of the warehouse enterprise"),
                     admin: bool = Query(False, description="called by the sandbox admin"),
                     ) -> dict[str, Any]:
    """一线进区: goods enter the bonded zone into account book ``ems_no``."""
    now = SimClock(resources.redis()).now()
    return service.first_line_entry(session=uow.session, ems_no=ems_no, owner=owner,
                                    admin=admin, entry=entry.model_dump(), now=now)


@router.get("/account-books/{ems_no}")
def account_book(ems_no: str, uow: UowDep,
                 owner: str = Query(description="customs code of the asking enterprise"),
                 admin: bool = Query(False)) -> dict[str, Any]:
    """The account book's items, balances and latest movements."""
    return service.account_book(session=uow.session, ems_no=ems_no, owner=owner, admin=admin)


@router.get("/buyers/{buyer_id}/usage")
def buyer_usage(buyer_id: str, uow: UowDep) -> dict[str, Any]:
    """What the buyer used of this calendar year's 26,000 CNY (simulator clock)."""
    now = SimClock(resources.redis()).now()
    return service.buyer_usage(session=uow.session, buyer_id=buyer_id, now=now,
                               settings=resources.config())
