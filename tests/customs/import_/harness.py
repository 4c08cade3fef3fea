"""Plays the tax service for customs' import tests, and reads import documents back.

``TaxDesk`` takes customs' questions off the ``tax`` queue and answers them through
``services.customs.import_.tasks.tax_assessed``: by default the bill is issued at once
(9.1% of the dutiable value); a test that wants the guarantee to fall short sets
``state = "held"``, or ``auto = False`` to answer itself. The list events customs tells
tax (released, cancelled, returns) are kept in ``events``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from contracts import examples_import as ei
from contracts.tax import (
    ASSESS,
    ASSESS_MANY,
    LIST_EVENT,
    LIST_EVENT_MANY,
    ListEvent,
    TaxAnswer,
    TaxRequest,
)
from infra.clock import SimClock
from infra.queue import queue
from services.customs import service
from services.customs.db import resources
from services.customs.import_ import quota, tasks
from services.customs.import_ import service as import_service
from services.customs.import_.models import BookItem, ImportClearance, scaled, unscaled
from services.customs.models import Document
from tests.customs.harness import Customs


def record_guid(mirror: dict[str, Any]) -> str:
    """The guid of a message's first record (CEB711 holds one Delivery, not a list)."""
    node = next(k for k in mirror if k not in ("messageType", "guid", "version",
                                               "BaseTransfer", "Signature"))
    record = mirror[node][0] if isinstance(mirror[node], list) else mirror[node]
    head = next((v for k, v in record.items() if k.endswith("Head")), record)
    return str(head["guid"])


def answer_for(request: TaxRequest, *, state: str = "issued",
               total: Decimal | None = None) -> TaxAnswer:
    dutiable = sum((line.totalPrice for line in request.lines), Decimal(0)) + \
        request.freight + request.insuredFee
    tax = total if total is not None else (dutiable * Decimal("0.091")).quantize(Decimal("0.01"))
    return TaxAnswer(answerId=str(uuid.uuid4()), invtNo=request.invtNo,
                     taxNo=f"TAX{request.invtNo}", state=state,  # type: ignore[arg-type]
                     customsTax=Decimal(0), valueAddedTax=tax, consumptionTax=Decimal(0),
                     taxTotal=tax, info="guarantee short" if state == "held" else "issued",
                     answeredAt=datetime(2025, 3, 1, 2, 0, tzinfo=UTC))


@dataclass
class TaxDesk:
    redis: Any
    auto: bool = True
    state: str = "issued"
    asked: list[TaxRequest] = field(default_factory=list)
    events: list[ListEvent] = field(default_factory=list)

    def take(self) -> list[TaxRequest]:
        """The questions customs enqueued since the last call (events are noted)."""
        out = []
        for job in queue("tax", self.redis).jobs:
            if job.func_name == ASSESS:
                out.append(TaxRequest.model_validate(job.args[0]))
            elif job.func_name == ASSESS_MANY:
                out.extend(TaxRequest.model_validate(a) for a in job.args[0])
            elif job.func_name == LIST_EVENT_MANY:
                self.events.extend(ListEvent.model_validate(e) for e in job.args[0])
            else:
                assert job.func_name == LIST_EVENT
                self.events.append(ListEvent.model_validate(job.args[0]))
            job.delete()
        self.asked.extend(out)
        return out

    def answer(self, answer: TaxAnswer) -> str:
        return tasks.tax_assessed(answer.model_dump(mode="json"))

    def answer_all(self) -> None:
        for request in self.take():
            self.answer(answer_for(request, state=self.state))

    def event_kinds(self) -> list[str]:
        self.take()
        return [e.event for e in self.events]


@dataclass
class Imports:
    """Customs (``tests.customs.harness.Customs``) with tax played by ``TaxDesk``."""

    customs: Customs
    tax: TaxDesk

    def send(self, *mirrors: dict[str, Any]) -> list[str]:
        outcomes = self.customs.send(*mirrors)
        self.settle()
        return outcomes

    def settle(self) -> None:
        """Let tax and inspection answer what customs asked, until nothing is left."""
        for _ in range(5):
            if self.tax.auto:
                self.tax.answer_all()
            if self.customs.inspection.auto:
                self.customs.inspection.answer_all()

    def receipts(self, mirror: dict[str, Any]) -> list[dict[str, Any]]:
        """The receipts about ``mirror``'s (first) record, in order."""
        guid = record_guid(mirror)
        return [r for r in self.customs.receipts() if r["record_guid"] == guid]

    def statuses(self, mirror: dict[str, Any]) -> list[str]:
        return [r["return_status"] for r in self.receipts(mirror)]

    def last(self, mirror: dict[str, Any]) -> dict[str, Any]:
        """The record of the latest receipt about ``mirror``."""
        payload = self.receipts(mirror)[-1]["payload"]
        node = next(k for k in payload if k not in ("messageType", "guid", "version"))
        return dict(payload[node][0])

    def last_info(self, mirror: dict[str, Any]) -> str:
        return str(self.last(mirror)["returnInfo"])

    def clearance(self, invt_no: str) -> ImportClearance:
        with Session(resources.engine()) as session:
            row = session.exec(select(ImportClearance).where(
                ImportClearance.invt_no == invt_no)).one()
            return row

    def balance(self, ems_no: str, item: str) -> Decimal:
        with Session(resources.engine()) as session:
            row = session.exec(select(BookItem).where(BookItem.ems_no == ems_no,
                                                      BookItem.item_record_no == item)).one()
            return unscaled(row.balance)

    def document(self, mirror: dict[str, Any]) -> Document:
        return self.customs.document(mirror)


# ------------------------------------------------------------------ helpers of the import tests

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def stock(qty: str = "1000") -> None:
    """A first-line entry of face cream into the example account book."""
    with Session(resources.engine()) as session:
        import_service.first_line_entry(session=session, ems_no=ei.EMS_NO, owner=ei.WAREHOUSE,
                                        admin=False, entry=ei.entry(qty), now=NOW)
        session.commit()


def view(ref: str, owner: str = ei.AGENT) -> dict[str, Any]:
    with Session(resources.engine()) as session:
        return service.find_declaration(session=session, ref=ref, owner=owner)


def released(imports: Imports, n: int = 1, mode: str = "1210") -> dict[str, Any]:
    """List ``n`` declared with its documents and released; its mirror."""
    flow = ei.import_flow(n, mode)
    imports.send(*flow)
    assert imports.statuses(flow[3]) == ["2", "120", "399", "800"], imports.last_info(flow[3])
    return flow[3]


def awaiting_tax(imports: Imports, n: int = 1) -> dict[str, Any]:
    """List ``n`` (1210) declared with its documents and approved, its tax not answered
    (tax no longer answers by itself); its mirror."""
    imports.tax.auto = False
    flow = ei.import_flow(n)
    imports.send(*flow)
    assert imports.statuses(flow[3]) == ["2", "120", "399"], imports.last_info(flow[3])
    return flow[3]


def invt_no(imports: Imports, mirror: dict[str, Any]) -> str:
    number = imports.document(mirror).invt_no
    assert number is not None
    return number


def use_quota(buyer: str, year: int, amount: str) -> None:
    with Session(resources.engine()) as session:
        assert quota.reserve(session, buyer_id=buyer, year=year, item=quota.CNY,
                             amount=scaled(Decimal(amount)), limit=scaled(Decimal(26000)))
        session.commit()


def usage(buyer: str) -> dict[str, Any]:
    with Session(resources.engine()) as session:
        return import_service.buyer_usage(session=session, buyer_id=buyer,
                                          now=SimClock(resources.redis()).now(),
                                          settings=resources.config())
