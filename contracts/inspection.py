"""Customs ↔ inspection: the question about a list and the answers (rq job payloads).

Customs enqueues ``services.inspection.tasks.assess(request)`` on queue ``inspection``
with an ``InspectionRequest`` (as JSON); inspection answers, once per change of its
decision, with ``services.customs.tasks.apply_inspection(result)`` on queue ``customs``
carrying an ``InspectionResult``. ``token`` is customs' handle of the question (echoed in
every answer); ``seq`` grows with every answer about the same list, so an answer that comes
twice or late is recognised.

Lanes and outcomes (rules.md §6.3): ``release``; ``document_review`` (documents checked,
then release); ``physical_inspection`` (查验); ``quarantine_treatment`` (e.g. fumigation);
``return_abroad`` (退运); ``destruction`` (销毁); ``detained_*`` (扣留, 501/502/503/599).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ASK_QUEUE = "inspection"
ASSESS = "services.inspection.tasks.assess"  # one InspectionRequest
ASSESS_MANY = "services.inspection.tasks.assess_many"  # a list of them, from one batch
ANSWER_QUEUE = "customs"
APPLY = "services.customs.tasks.apply_inspection"  # one InspectionResult
APPLY_MANY = "services.customs.tasks.apply_inspections"  # a list of them

Lane = Literal["release", "document_review", "physical_inspection", "quarantine_treatment"]
Outcome = Literal["release", "return_abroad", "destruction", "detained_clearance",
                  "detained_anti_smuggling", "detained_legal", "detained_other"]
LANES: tuple[str, ...] = ("release", "document_review", "physical_inspection",
                          "quarantine_treatment")
OUTCOMES: tuple[str, ...] = ("release", "return_abroad", "destruction", "detained_clearance",
                             "detained_anti_smuggling", "detained_legal", "detained_other")
# Lanes that hold the goods for an examination: the list gets a 500 (查验) receipt.
HOLDING_LANES = frozenset({"physical_inspection", "quarantine_treatment"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RequestItem(_Model):
    """One line of the list, as inspection needs it."""

    gnum: int
    gcode: str
    gname: str
    itemName: str | None = None
    gmodel: str | None = None
    qty: Decimal | None = None
    unit: str | None = None
    country: str | None = None  # export: destination; import: origin
    itemRecordNo: str | None = None  # 1210: the account-book item


class InspectionRequest(_Model):
    """What customs tells inspection about one list it approved."""

    token: str = Field(min_length=1, max_length=36)
    identity: str = Field(min_length=1, max_length=60)  # the list's invtNo: seeds sampling
    kind: str
    flow: str
    guid: str
    copNo: str | None = None
    invtNo: str | None = None
    preNo: str | None = None
    tradeMode: str
    ieFlag: Literal["I", "E"]
    customsCode: str | None = None
    portCode: str | None = None
    sender: str
    ebcCode: str | None = None
    ebpCode: str | None = None
    agentCode: str | None = None
    trafMode: str | None = None
    wrapType: str | None = None
    note: str | None = None
    country: str | None = None  # head: export destination / import shipping country
    emsNo: str | None = None
    consignee: str | None = None  # import: buyer name
    consigneeAddress: str | None = None
    items: tuple[RequestItem, ...]
    askedAt: datetime


class Hit(_Model):
    """One rule that fired: which, on which field and value, and why (English and Chinese)."""

    rule: str
    field: str
    value: str
    en: str
    zh: str


class InspectionResult(_Model):
    """Inspection's decision on one list, as it stands after its ``seq``-th change."""

    token: str
    identity: str
    decisionId: int
    seq: int = Field(ge=1)
    lane: Lane
    state: Literal["pending", "final"]
    outcome: Outcome | None = None  # set when final
    riskLevel: str = "low"
    hits: tuple[Hit, ...] = ()
    reasonEn: str
    reasonZh: str
    resolutionEn: str | None = None  # what the officer (or the automatic one) found
    resolutionZh: str | None = None
    officer: str | None = None
    decidedAt: datetime

    @property
    def release_allowed(self) -> bool:
        return self.state == "final" and self.outcome == "release"


# ------------------------------------------------------------------ the officer console API


class OfficerResult(BaseModel):
    """What an officer found (查验结果), with the reason, as a trainer records it."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["release", "physical_inspection", "return_abroad", "destruction",
                     "detained_clearance", "detained_anti_smuggling", "detained_legal",
                     "detained_other"] = Field(
        description="release; physical_inspection (only after a documents check); or a "
                    "refusal: return_abroad, destruction, detained_*")
    reason: str = Field(min_length=1, max_length=500)
    officer: str = Field("trainer", min_length=1, max_length=40)


class FirstLineEntry(BaseModel):
    """1210 goods entering the bonded zone (一线进区): one account-book item."""

    model_config = ConfigDict(extra="forbid")

    emsNo: str = Field(min_length=1, max_length=30, description="账册编号")
    itemRecordNo: str = Field(min_length=1, max_length=30, description="账册备案料号")
    gcode: str = Field(pattern=r"^\d{4,10}$", description="HS code")
    gname: str = Field(min_length=1, max_length=250)
    itemName: str | None = Field(None, max_length=250)
    qty: Decimal | None = None
    unit: str | None = Field(None, max_length=3)
    country: str | None = Field(None, max_length=3, description="origin")
    tradeMode: str = Field("1210", pattern=r"^(1210|1239)$")
    wrapType: str | None = Field(None, max_length=1)
    note: str | None = Field(None, max_length=1000,
                             description="e.g. 'IPPC' when wooden packaging is marked")
    sender: str | None = Field(None, max_length=18, description="the zone enterprise")
