"""Inspection's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from infra.db import UtcDateTime
from services.inspection.db import InspectionTable


class RiskDecision(InspectionTable, table=True):
    """The inspection/quarantine decision on one declared list (rules.md §6).

    Customs asks once per list; ``request_guid`` (the list's guid) makes the question
    idempotent. ``outcome`` is one of: ``release``, ``document_review`` (document query,
    then release), ``physical_inspection`` (查验), ``quarantine_treatment`` (e.g.
    fumigation), ``detention``, ``return_abroad`` (退运), ``destruction`` (销毁),
    ``referral`` (to the anti-smuggling department), ``stop_sales`` (bonded stock).
    """

    __tablename__ = "risk_decision"
    __table_args__ = (UniqueConstraint("request_guid", name="uq_risk_decision_request_guid"),)

    id: int | None = Field(default=None, primary_key=True)
    request_guid: str = Field(max_length=36)
    invt_no: str | None = Field(default=None, max_length=18, index=True)
    cop_no: str = Field(max_length=20)
    ebc_code: str = Field(max_length=18, index=True)
    trade_mode: str = Field(max_length=4)  # 9610, 9710, 9810, 1210, 1239
    ie_flag: str = Field(max_length=1)  # I import, E export
    customs_code: str | None = Field(default=None, max_length=4)
    outcome: str = Field(max_length=24, index=True)
    risk_score: int = 0
    # Codes of the rules that hit (negative list, prohibited goods, random sampling, ...).
    hits: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="", max_length=1000)
    decided_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # Set when a physical inspection or quarantine treatment has been completed.
    completed_at: datetime | None = Field(default=None,
                                          sa_column=Column(UtcDateTime()))
