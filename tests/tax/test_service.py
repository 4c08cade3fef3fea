"""The tax service's import side, through its jobs, on SQLite and PostgreSQL.

Customs' questions go in as the rq jobs customs enqueues (``services.tax.tasks``); what
comes out is read from the queues: CEB816/818 in ``gateway.tasks.ingest`` jobs, answers in
``services.customs.import_.tasks.tax_assessed`` jobs, and the schedule of what falls due.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, select

from contracts.ceb import parse_json, to_xml
from contracts.tax import ANSWER, ANSWER_MANY, ListEvent, TaxAnswer, TaxLine, TaxRequest
from infra import scheduler
from infra.clock import SimClock
from infra.db import BatchFailed
from infra.queue import queue
from services.tax import service, tasks
from services.tax.config import Settings
from services.tax.db import resources
from services.tax.models import TaxJobOutbox, TaxReceiptOutbox
from tests.customs.import_.xsd import assert_valid
from tests.handed import ingest_jobs
from tests.sql import reads_of, statements
from tests.workers import meanwhile

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
AGENT, EBC = "AGENT00001", "SELLER0001"


@pytest.fixture
def tax(backend: Any) -> Iterator[Any]:
    resources.configure(Settings(**backend.settings_kwargs()))
    SimClock(resources.redis()).set(NOW, frozen=True)
    yield resources.redis()
    resources.close()


def request(invt: str = "29242025I000000001", *, total: str = "198", qty: str = "2",
            assure: str = EBC, in_limit: bool = True) -> dict[str, Any]:
    line = TaxLine(gnum=1, gcode="3304990099", gname="保湿面霜", qty=Decimal(qty), unit="142",
                   qty1=Decimal("0.1"), unit1="035", totalPrice=Decimal(total))
    return TaxRequest(invtNo=invt, invtGuid=f"GUID-{invt}", orderNo="IO00000001",
                      logisticsNo="IL00000001", tradeMode="1210", customsCode="2924",
                      ebpCode="PLATFORM01", ebcCode=EBC, logisticsCode="CARRIER001",
                      agentCode=AGENT, assureCode=assure, buyerIdNumber="110101000000000001",
                      inLimit=in_limit, recipient=AGENT, conversationId="conv-1",
                      messageId="msg-1", lines=(line,), askedAt=NOW).model_dump(mode="json")


def event(kind: str, at: datetime = NOW, invt: str = "29242025I000000001",
          **extra: Any) -> dict[str, Any]:
    return ListEvent(invtNo=invt, event=kind, at=at, **extra).model_dump(mode="json")  # type: ignore[arg-type]


def sent(redis: Any) -> list[dict[str, Any]]:
    """Every CEB816/818 handed to the gateway, in order."""
    return [r for _, receipts in ingest_jobs(redis) for r in receipts]


def answers(redis: Any) -> list[TaxAnswer]:
    jobs = queue("customs", redis).jobs
    assert all(job.func_name in (ANSWER, ANSWER_MANY) for job in jobs)
    return [TaxAnswer.model_validate(a) for job in jobs
            for a in (job.args[0] if job.func_name == ANSWER_MANY else [job.args[0]])]


def set_guarantee(amount: str, code: str = EBC) -> dict[str, Any]:
    with Session(resources.engine()) as session:
        out = service.set_guarantee(session=session, settings=resources.config(), now=NOW,
                                    assure_code=code, amount=Decimal(amount))
        session.commit()
    return out


def bill(ref: str = "29242025I000000001") -> dict[str, Any]:
    with Session(resources.engine()) as session:
        return service.find_bill(session=session, ref=ref)


class TestAssess:
    def test_a_bill_is_issued_to_the_enterprise_and_customs_is_answered(self,
                                                                        tax: Any) -> None:
        assert tasks.assess(request()) == "issued"
        (answer,) = answers(tax)
        assert (answer.state, answer.taxNo, answer.taxTotal) == (
            "issued", "TAX29242025I000000001", Decimal("18.02"))
        receipt, copy = sent(tax)  # to the declaring agent, and to the guarantor (the ebc)
        assert (receipt["recipient"], copy["recipient"]) == (AGENT, EBC)
        assert receipt["message_type"] == "CEB816Message"
        assert receipt["recipient"] == AGENT and receipt["conversation_id"] == "conv-1"
        head = receipt["payload"]["Tax"][0]["TaxHeadRd"]
        assert (head["valueAddedTax"], head["status"], head["assureCode"]) == (
            "18.02", "1", EBC)
        assert_valid(to_xml(parse_json(receipt["payload"])))

    def test_a_batch_of_requests_is_answered_in_one_job_and_billed_in_one(
            self, tax: Any) -> None:
        invts = ["29242025I000000001", "29242025I000000002", "29242025I000000003"]
        assert tasks.assess_many([request(i, assure=AGENT) for i in invts]) == ["issued"] * 3
        [job] = queue("customs", tax).jobs
        assert job.func_name == ANSWER_MANY
        assert [a.invtNo for a in answers(tax)] == invts
        assert len(queue("gateway", tax).jobs) == 1
        assert [r["payload"]["Tax"][0]["TaxHeadRd"]["invtNo"] for r in sent(tax)] == invts

    def test_the_declarer_and_the_guarantor_each_get_the_bill_in_a_message_of_its_own(
            self, tax: Any) -> None:
        tasks.assess(request())
        first, second = sent(tax)
        assert {first["recipient"], second["recipient"]} == {AGENT, EBC}
        assert first["payload"]["guid"] != second["payload"]["guid"]
        assert first["payload"]["Tax"] == second["payload"]["Tax"]

    def test_what_tax_writes_is_handed_over_without_reading_it_back(self, tax: Any) -> None:
        with statements(resources.engine()) as seen:
            tasks.assess_many([request("29242025I000000001"), request("29242025I000000002")])
        assert reads_of(seen, "tax_receipt_outbox") == reads_of(seen, "tax_job_outbox") == []
        assert len(sent(tax)) == 4 and len(answers(tax)) == 2
        with Session(resources.engine()) as session:
            for table in (TaxReceiptOutbox, TaxJobOutbox):
                assert None not in session.exec(select(table.sent_at)).all()

    def test_a_batch_looks_its_bills_up_in_one_query_and_reads_no_line_back(
            self, tax: Any) -> None:
        invts = ["29242025I000000001", "29242025I000000002", "29242025I000000003"]
        tasks.assess(request(invts[0]))
        with statements(resources.engine()) as seen:
            assert tasks.assess_many([request(i) for i in invts]) == [
                "already assessed: issued", "issued", "issued"]
        assert len(reads_of(seen, "tax_bill ")) == 1
        assert reads_of(seen, "tax_bill_line") == []
        assert [r["payload"]["Tax"][0]["TaxListRd"][0]["valueAddedTax"]
                for r in sent(tax)] == ["18.02"] * 6
        with statements(resources.engine()) as seen:
            assert tasks.list_events([event("released", invt=i) for i in invts]) == [
                "due from 2025-03-31T16:00:00+00:00"] * 3
        assert len(reads_of(seen, "tax_bill ")) == 1

    def test_a_request_without_its_list_fails_alone(self, tax: Any) -> None:
        broken = {k: v for k, v in request("29242025I000000002").items() if k != "invtNo"}
        with pytest.raises(BatchFailed) as failed:
            tasks.assess_many([request("29242025I000000001"), broken])
        assert failed.value.args[0] == ["issued", "failed: ValidationError"]
        assert [a.invtNo for a in answers(tax)] == ["29242025I000000001"]

    def test_the_same_list_twice_in_a_batch_is_one_bill(self, tax: Any) -> None:
        assert tasks.assess_many([request(), request()]) == [
            "issued", "already assessed: issued"]
        assert [a.taxNo for a in answers(tax)] == ["TAX29242025I000000001"] * 2
        assert bill()["lines"][0]["valueAddedTax"] == "18.02"

    def test_one_bill_when_the_declarer_is_the_guarantor(self, tax: Any) -> None:
        tasks.assess(request(assure=AGENT))
        assert [r["recipient"] for r in sent(tax)] == [AGENT]

    def test_asked_twice_it_is_one_bill_answered_twice(self, tax: Any) -> None:
        tasks.assess(request())
        assert tasks.assess(request()) == "already assessed: issued"
        assert [a.taxNo for a in answers(tax)] == ["TAX29242025I000000001"] * 2
        assert len(sent(tax)) == 2  # the agent's and the guarantor's, once

    def test_the_guarantee_is_reduced_by_the_bill(self, tax: Any) -> None:
        set_guarantee("100")
        tasks.assess(request())
        with Session(resources.engine()) as session:
            view = service.guarantee(session=session, settings=resources.config(), now=NOW,
                                     assure_code=EBC)
        assert (view["amount"], view["available"]) == ("100.00", "81.98")


class TestGuaranteeTooSmall:
    def test_the_bill_is_held_and_customs_told_why(self, tax: Any) -> None:
        set_guarantee("10")
        assert tasks.assess(request()) == "held"
        (answer,) = answers(tax)
        assert answer.state == "held"
        assert answer.info == ("担保额度不足 the guarantee of withholding agent SELLER0001 does "
                               "not cover the tax: 18.02 CNY needed, 10.00 CNY available; raise "
                               "the guarantee to release the list")
        assert sent(tax) == []

    def test_in_a_batch_a_held_bill_is_told_what_the_bills_before_it_left(
            self, tax: Any) -> None:
        set_guarantee("30")
        big, small, big_again = (request("29242025I000000001", total="2000"),
                                 request("29242025I000000002"),
                                 request("29242025I000000003", total="2000"))
        assert tasks.assess_many([big, small, big_again]) == ["held", "issued", "held"]
        first, _, last = (a.info for a in answers(tax))
        assert "30.00 CNY available" in first and "11.98 CNY available" in last
        assert set_guarantee("30")["available"] == "11.98"

    def test_raising_the_guarantee_issues_the_held_bills(self, tax: Any) -> None:
        set_guarantee("10")
        tasks.assess(request())
        view = set_guarantee("1000")
        assert view["heldBills"] == [] and view["available"] == "981.98"
        assert [a.state for a in answers(tax)] == ["held", "issued"]
        assert [r["message_type"] for r in sent(tax)] == ["CEB816Message"] * 2


class TestFallingDue:
    def test_release_schedules_day_31_and_the_end_of_day_45(self, tax: Any) -> None:
        tasks.assess(request())
        tasks.list_event(event("released"))
        due = {e["func"]: e["due_at"] for e in scheduler.pending(tax)}
        assert due == {"services.tax.tasks.fall_due": "2025-03-31T16:00:00+00:00",
                       "services.tax.tasks.pay": "2025-04-15T16:00:00+00:00"}

    def test_day_31_summarises_the_bill_and_day_45_pays_it(self, tax: Any) -> None:
        set_guarantee("100")
        tasks.assess(request())
        tasks.list_event(event("released"))
        bill_id = next(e["args"][0] for e in scheduler.pending(tax))
        assert tasks.fall_due(bill_id) == "due"
        status = sent(tax)[-1]
        assert status["message_type"] == "CEB818Message"
        head = status["payload"]["Tax"][0]["TaxHeadStatus"]
        assert head["status"] == "2" and head["entDutyNo"].startswith("2924")
        assert_valid(to_xml(parse_json(status["payload"])))
        assert tasks.pay(bill_id) == "paid"
        assert set_guarantee("100")["available"] == "100.00"  # restored on payment

    def test_a_batch_of_events_is_followed_in_order_in_one_job(self, tax: Any) -> None:
        tasks.assess(request())
        assert tasks.list_events([event("released"), event("return_pending"),
                                  event("return_failed")]) == [
            "due from 2025-03-31T16:00:00+00:00", "return pending", "return failed: tax stands"]
        assert tasks.list_events([event("returned", returned={1: Decimal(2)}),
                                  event("released", invt="29242025I000000999")]) == [
            "cancelled", "no bill"]

    def test_a_pending_return_holds_the_due_date(self, tax: Any) -> None:
        tasks.assess(request())
        tasks.list_event(event("released"))
        tasks.list_event(event("return_pending"))
        bill_id = next(e["args"][0] for e in scheduler.pending(tax))
        assert tasks.fall_due(bill_id) == "nothing to do"

    def test_a_failed_return_after_day_31_falls_due_at_once(self, tax: Any) -> None:
        tasks.assess(request())
        tasks.list_event(event("released"))
        tasks.list_event(event("return_pending"))
        SimClock(tax).set(NOW + timedelta(days=40), frozen=True)
        tasks.list_event(event("return_failed"))
        assert bill()["status"] == "2"


class TestReturnsAndCancels:
    def test_a_whole_return_cancels_the_bill_and_restores_the_guarantee(self,
                                                                       tax: Any) -> None:
        set_guarantee("100")
        tasks.assess(request())
        tasks.list_event(event("released"))
        assert tasks.list_event(event("returned", returned={1: Decimal(2)})) == "cancelled"
        status = sent(tax)[-1]["payload"]["Tax"][0]["TaxHeadStatus"]
        assert status["status"] == "3"
        assert set_guarantee("100")["available"] == "100.00"

    def test_a_partial_return_reissues_the_bill_reduced(self, tax: Any) -> None:
        set_guarantee("100")
        tasks.assess(request())
        assert tasks.list_event(event("returned", returned={1: Decimal(1)})) == "reduced"
        head = sent(tax)[-1]["payload"]["Tax"][0]["TaxHeadRd"]
        assert head["valueAddedTax"] == "9.01"
        assert set_guarantee("100")["available"] == "90.99"

    def test_a_cancel_before_release_cancels_the_bill(self, tax: Any) -> None:
        tasks.assess(request())
        assert tasks.list_event(event("cancelled")) == "cancelled"
        assert bill()["status"] == "3" and bill()["state"] == "cancelled"

    def test_the_bill_shows_its_parties_lines_and_window(self, tax: Any) -> None:
        tasks.assess(request())
        tasks.list_event(event("released"))
        shown = bill("TAX29242025I000000001")
        assert shown["parties"] == [AGENT, "PLATFORM01", EBC]
        assert shown["lines"][0]["valueAddedTax"] == "18.02"
        assert shown["dueFrom"] == "2025-03-31T16:00:00+00:00"


class TestTwoWorkers:
    def test_a_batch_that_waited_for_the_guarantee_tells_the_time_after_it(
            self, tax: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """A batch issues a bill against the agent's guarantee and the clock moves on before
        it commits; meanwhile another worker takes a batch about the same agent. That batch
        waits for the first (on PostgreSQL for the guarantee, on SQLite for the database)
        and only then reads the clock: its bill tells the time after the first's."""
        set_guarantee("50000")  # lodged (a guarantee lodged by its first bill is not locked)
        # once the first batch has taken the guarantee, the other worker takes the second
        other = meanwhile(monkeypatch, service, "_reserve", tasks.assess,
                          request("29242025I000000002"))
        reserve = service._reserve

        def then_an_hour_passes(*args: Any) -> bool:
            outcome = reserve(*args)
            SimClock(tax).set(NOW + timedelta(hours=1), frozen=True)
            return outcome

        monkeypatch.setattr(service, "_reserve", then_an_hour_passes)
        tasks.assess(request("29242025I000000001"))
        other[0].join(timeout=30)
        assert not other[0].is_alive()
        at = {r["payload"]["Tax"][0]["TaxHeadRd"]["invtNo"]: r["created_at"] for r in sent(tax)}
        assert at == {"29242025I000000001": NOW.isoformat(),
                      "29242025I000000002": (NOW + timedelta(hours=1)).isoformat()}

    def test_a_batch_locks_only_the_guarantees_it_changes(self, tax: Any) -> None:
        """What a batch waits for: a request's guarantor, and the guarantor of a bill an event
        gives back; a release only sets due dates."""
        tasks.assess(request("29242025I000000001", assure=AGENT))
        with Session(resources.engine()) as session:
            bills = service.prefetch(session, ["29242025I000000001", "29242025I000000009"])
            assert service.guarantors([
                request("29242025I000000002"), event("released"), event("return_pending"),
                event("cancelled"), event("returned"), event("return_failed"),
                event("cancelled", invt="29242025I000000009")], bills) == [
                EBC, AGENT, AGENT, AGENT, None]
