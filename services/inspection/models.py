"""Inspection's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from infra.db import UtcDateTime, new_dict, new_list
from services.inspection.db import InspectionTable


class RiskDecision(InspectionTable, table=True):
    """The inspection/quarantine decision on one list, or on one item entering a bonded zone.

    ``subject`` is ``list`` (customs asked about a declared list; ``identity`` its invtNo)
    or ``first_line`` (1210 goods entering the zone; ``identity`` is ``emsNo/itemRecordNo``).
    One decision per subject and identity: asking again answers with the decision made.

    ``lane`` is what inspection does first (``release``, ``document_review``,
    ``physical_inspection`` 查验, ``quarantine_treatment``); ``state`` is ``pending`` until
    an officer (or the automatic one) records the result, then ``final`` with ``outcome``
    (``release``, ``return_abroad`` 退运, ``destruction`` 销毁, ``detained_*`` 扣留).
    ``seq`` counts the changes: each one is an answer to customs.
    """

    __tablename__ = "risk_decision"
    __table_args__ = (UniqueConstraint("subject", "identity", name="uq_risk_decision_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(default="list", max_length=12)
    identity: str = Field(max_length=80)
    token: str | None = Field(default=None, max_length=36)  # customs' handle of the question
    request_guid: str | None = Field(default=None, max_length=36)
    invt_no: str | None = Field(default=None, max_length=20, index=True)
    cop_no: str | None = Field(default=None, max_length=30)
    sender: str | None = Field(default=None, max_length=18, index=True)
    trade_mode: str = Field(max_length=4)  # 9610, 9710, 9810, 1210, 1239
    ie_flag: str = Field(max_length=1)  # I import, E export
    channel: str = Field(max_length=16)
    customs_code: str | None = Field(default=None, max_length=4)
    ems_no: str | None = Field(default=None, max_length=30)
    item_record_no: str | None = Field(default=None, max_length=30)
    lane: str = Field(max_length=24)
    state: str = Field(max_length=8, index=True)  # pending | final
    outcome: str | None = Field(default=None, max_length=24, index=True)
    risk_level: str = Field(default="low", max_length=8)
    # The rules that hit: [{rule, field, value, en, zh}].
    hits: list[dict[str, Any]] = Field(default_factory=new_list,
                                       sa_column=Column(JSON, nullable=False))
    reason_en: str = Field(default="", max_length=2000)
    reason_zh: str = Field(default="", max_length=2000)
    request: dict[str, Any] = Field(default_factory=new_dict,
                                    sa_column=Column(JSON, nullable=False))
    seq: int = 1
    decided_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # When the automatic officer resolves it, if nobody does before (simulator clock).
    due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    resolved_by: str | None = Field(default=None, max_length=60)
    resolution_en: str | None = Field(default=None, max_length=1000)
    resolution_zh: str | None = Field(default=None, max_length=1000)

