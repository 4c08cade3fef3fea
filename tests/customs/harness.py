"""Drives customs the way the gateway does, and reads what customs handed back.

Inspection is played by ``Inspection``: after every ``send`` it answers each question
customs asked (by default: release at once, as the real service does for an unremarkable
list); a test that wants another answer sets ``customs.inspection.auto = False`` and answers
with ``customs.inspection.answer(result(...))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from contracts.inspection import ASSESS, ASSESS_MANY, InspectionRequest, InspectionResult
from infra.clock import SimClock
from infra.queue import queue
from services.customs import service, tasks
from services.customs.config import Settings
from services.customs.db import resources
from services.customs.models import Document, ReceiptOutbox
from tests import handed
from tests.customs.builders import dispatched, record_guid


def result(request: InspectionRequest, *, seq: int = 1, lane: str = "release",
           state: str = "final", outcome: str | None = "release", **extra: Any,
           ) -> InspectionResult:
    """An answer of inspection about ``request`` (released at once unless told otherwise)."""
    values: dict[str, Any] = {
        "token": request.token, "identity": request.identity, "decisionId": 1, "seq": seq,
        "lane": lane, "state": state, "outcome": outcome if state == "final" else None,
        "riskLevel": "low", "reasonEn": f"rule for {lane}", "reasonZh": f"{lane}规则",
        "hits": [{"rule": "TEST", "field": "identity", "value": request.identity,
                  "en": f"rule for {lane}", "zh": f"{lane}规则"}],
        "decidedAt": datetime(2025, 3, 1, 2, 0, tzinfo=UTC)}
    return InspectionResult.model_validate({**values, **extra})


def release_at_once(request: InspectionRequest) -> list[InspectionResult]:
    return [result(request)]


@dataclass
class Inspection:
    """Plays the inspection service: takes customs' questions off the ``inspection`` queue
    and answers them through ``services.customs.tasks.apply_inspection``."""

    redis: Any
    auto: bool = True  # answer every question right after each send
    decide: Callable[[InspectionRequest], list[InspectionResult]] = release_at_once
    asked: list[InspectionRequest] = field(default_factory=list)

    def questions(self) -> list[InspectionRequest]:
        """The questions customs enqueued since the last call (taken off the queue)."""
        out = []
        for job in queue("inspection", self.redis).jobs:
            assert job.func_name in (ASSESS, ASSESS_MANY)
            asked = job.args[0] if job.func_name == ASSESS_MANY else [job.args[0]]
            out.extend(InspectionRequest.model_validate(a) for a in asked)
            job.delete()  # answered here: the real service would have run it
        self.asked.extend(out)
        return out

    def answer(self, *results: InspectionResult) -> list[str]:
        return [tasks.apply_inspection(r.model_dump(mode="json")) for r in results]

    def answer_all(self) -> None:
        for request in self.questions():
            self.answer(*self.decide(request))


@dataclass
class Customs:
    """Drives customs the way the gateway does and reads what it sent back."""

    redis: Any
    settings: Settings
    inspection: Inspection = field(init=False)

    def __post_init__(self) -> None:
        self.inspection = Inspection(self.redis)

    def send(self, *mirrors: dict[str, Any], **item: Any) -> list[str]:
        """Dispatch messages in one batch (one ``process_messages`` job)."""
        return self.process(*(dispatched(m, **item) for m in mirrors))

    def process(self, *items: dict[str, Any]) -> list[str]:
        outcomes = tasks.process_messages(list(items))
        if self.inspection.auto:
            self.inspection.answer_all()
        return outcomes

    def clock(self, at: datetime) -> None:
        SimClock(self.redis).set(at, frozen=True)

    def ingest_jobs(self) -> list[tuple[list[str], list[dict[str, Any]]]]:
        """The args of every ``gateway.tasks.ingest`` job enqueued, in order."""
        return handed.ingest_jobs(self.redis)

    def receipts(self, mirror: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every receipt handed to the gateway (about ``mirror``'s record, if given)."""
        out = [r for _, receipts in self.ingest_jobs() for r in receipts]
        if mirror is not None:
            out = [r for r in out if r["record_guid"] == record_guid(mirror)]
        return out

    def statuses(self, mirror: dict[str, Any]) -> list[str]:
        return [r["return_status"] for r in self.receipts(mirror)]

    def infos(self, mirror: dict[str, Any]) -> list[str]:
        return [_record(r)["returnInfo"] for r in self.receipts(mirror)]

    def last(self, mirror: dict[str, Any]) -> dict[str, Any]:
        """The record of the latest receipt about ``mirror``."""
        return _record(self.receipts(mirror)[-1])

    def document(self, mirror: dict[str, Any]) -> Document:
        with Session(resources.engine()) as session:
            doc = session.exec(select(Document).where(Document.guid == record_guid(mirror))
                               .order_by(col(Document.id).desc())).first()
            assert doc is not None
            return doc

    def outbox(self) -> list[ReceiptOutbox]:
        with Session(resources.engine()) as session:
            return list(session.exec(select(ReceiptOutbox).order_by(col(ReceiptOutbox.id))))


def _record(receipt: dict[str, Any]) -> dict[str, Any]:
    payload = receipt["payload"]
    node = next(k for k in payload if k not in ("messageType", "guid", "version"))
    records = payload[node]
    assert len(records) == 1, "one record per receipt message"
    return dict(records[0])


def find(ref: str, owner: str) -> dict[str, Any]:
    with Session(resources.engine()) as session:
        return service.find_declaration(session=session, ref=ref, owner=owner)


def locking() -> bool:
    """Whether customs takes locks on its database (PostgreSQL): a batch then takes the
    locks of its keys before it looks anything up."""
    return resources.engine().dialect.name == "postgresql"
