"""The documents a list is matched against: orders (CEB303), payment receipts (CEB403 收款单)
and waybills (CEB505). Each one customs accepts may complete lists that wait for it."""

from __future__ import annotations

from typing import Any

from services.customs import documents, facts, inventory, matching
from services.customs.documents import Work
from services.customs.domain import APPROVED, STORED
from services.customs.models import Document


def declare_order(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB303 record: 2, then 120 (or 100 with the reasons), then waiting lists."""
    doc = documents.declare(work, kind="order", record=record)
    if doc is None:
        return
    problems = matching.order_problems(facts.order(record), work.settings.amount_tolerance_ratio)
    if problems:
        documents.reject(work, doc, problems)
        return
    _accept(work, doc, STORED, "海关入库")


def declare_receipt(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB403 record: 2, then 120, then waiting lists."""
    doc = documents.declare(work, kind="receipt", record=record)
    if doc is not None:
        _accept(work, doc, STORED, "海关入库")


def declare_waybill(*, work: Work, record: dict[str, Any]) -> None:
    """One CEB505 record: 2, then 399, then waiting lists."""
    doc = documents.declare(work, kind="waybill", record=record)
    if doc is not None:
        _accept(work, doc, APPROVED, "海关审结")


def _accept(work: Work, doc: Document, status: str, info: str) -> None:
    documents.move(work, doc, status, info)
    inventory.match_waiting(work=work, by=doc)
