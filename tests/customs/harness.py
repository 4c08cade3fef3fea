"""Drives customs the way the gateway does, and reads what customs handed back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from infra.clock import SimClock
from infra.queue import queue
from services.customs import tasks
from services.customs.config import Settings
from services.customs.db import resources
from services.customs.models import Document, ReceiptOutbox
from tests.customs.builders import dispatched, record_guid


@dataclass
class Customs:
    """Drives customs the way the gateway does and reads what it sent back."""

    redis: Any
    settings: Settings

    def send(self, *mirrors: dict[str, Any], **item: Any) -> list[str]:
        """Dispatch messages in one batch (one ``process_messages`` job)."""
        return tasks.process_messages([dispatched(m, **item) for m in mirrors])

    def process(self, *items: dict[str, Any]) -> list[str]:
        return tasks.process_messages(list(items))

    def clock(self, at: datetime) -> None:
        SimClock(self.redis).set(at, frozen=True)

    def ingest_jobs(self) -> list[tuple[list[str], list[dict[str, Any]]]]:
        """The args of every ``gateway.tasks.ingest`` job enqueued, in order."""
        jobs = queue("gateway", self.redis).jobs
        assert all(j.func_name == "gateway.tasks.ingest" for j in jobs)
        return [(list(j.args[0]), list(j.args[1])) for j in jobs]

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
