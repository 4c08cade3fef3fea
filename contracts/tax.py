"""Customs ↔ tax on retail imports: the questions and the answers (rq job payloads).

Customs, once a list passed its checks (399), enqueues ``services.tax.tasks.assess(request)``
on queue ``tax`` with a ``TaxRequest`` (as JSON); tax answers with
``services.customs.import_.tasks.tax_assessed(answer)`` on queue ``customs`` carrying a
``TaxAnswer``: the bill was issued (the withholding agent's guarantee covers it) or is held
(it does not). Tax answers again when a held bill is issued after the guarantee was raised.
What happens to the list afterwards reaches tax as a ``ListEvent`` through
``services.tax.tasks.list_event(event)``: released (tax falls due from day 31), cancelled,
a return applied for, the goods returned, or the return failed. Every job is idempotent:
``invtNo`` identifies the list, ``answerId`` an answer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ASK_QUEUE = "tax"
ASSESS = "services.tax.tasks.assess"  # one TaxRequest
ASSESS_MANY = "services.tax.tasks.assess_many"  # a list of them
LIST_EVENT = "services.tax.tasks.list_event"  # one ListEvent
LIST_EVENT_MANY = "services.tax.tasks.list_events"  # a list of them, in order
ANSWER_QUEUE = "customs"
ANSWER = "services.customs.import_.tasks.tax_assessed"  # one TaxAnswer
ANSWER_MANY = "services.customs.import_.tasks.tax_assessed_many"  # a list of them
# a run of these jobs written together goes out as one job of its "many" form
MANY = {ASSESS: ASSESS_MANY, ANSWER: ANSWER_MANY, LIST_EVENT: LIST_EVENT_MANY}

ListEventKind = Literal["released", "cancelled", "return_pending", "returned", "return_failed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TaxLine(_Model):
    """One line of the list as tax needs it: HS code, quantities, price."""

    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    qty1: Decimal | None = None  # the first legal quantity (net content: kg, g, L, ml ...)
    unit1: str | None = None
    totalPrice: Decimal


class TaxRequest(_Model):
    """A released-to-be import list: what the tax bill is made of and whom it goes to."""

    invtNo: str = Field(min_length=1, max_length=18)
    invtGuid: str = Field(min_length=1, max_length=36)
    orderNo: str
    logisticsNo: str | None = None
    tradeMode: str
    customsCode: str | None = None
    ebpCode: str | None = None
    ebcCode: str
    logisticsCode: str | None = None
    agentCode: str | None = None
    assureCode: str  # the withholding agent (代收代缴义务人) whose guarantee is used
    buyerIdNumber: str
    freight: Decimal = Decimal(0)
    insuredFee: Decimal = Decimal(0)
    # True: within the limits (duty 0, VAT and consumption tax at 70%); False: a single
    # indivisible item over the single-transaction limit, taxed in full (rules.md §3.1).
    inLimit: bool
    recipient: str  # the enterprise that declared the list: the tax bill goes there
    conversationId: str | None = None
    messageId: str | None = None
    lines: tuple[TaxLine, ...]
    askedAt: datetime


class TaxAnswer(_Model):
    """The tax bill of a list, issued or held for want of guarantee."""

    answerId: str = Field(min_length=1, max_length=36)
    invtNo: str
    taxNo: str
    state: Literal["issued", "held"]
    customsTax: Decimal
    valueAddedTax: Decimal
    consumptionTax: Decimal
    taxTotal: Decimal
    info: str  # why it is held, or what was issued
    answeredAt: datetime


class ListEvent(_Model):
    """What happened to a list tax has a bill for."""

    invtNo: str
    event: ListEventKind
    at: datetime
    # returned: gnum → quantity given back (the whole line when absent)
    returned: dict[int, Decimal] = {}
