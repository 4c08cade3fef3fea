"""Customs and inspection (services/customs/risk.py): ask, record answers, receipts, the gate.

Inspection is played by the harness (``customs.inspection``); the real service's decisions
are tested in ``tests/inspection``, both together in ``tests/e2e/test_inspection.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from contracts.inspection import InspectionRequest
from infra.queue import queue
from services.customs import risk, service, tasks
from services.customs.db import resources
from services.customs.models import Document, InspectionCheck
from tests.customs.builders import (
    AGENT,
    make_arrival,
    make_departure,
    make_inventory,
    make_order,
    make_waybill,
)
from tests.customs.harness import Customs, result


def approved(customs: Customs, n: int = 1, **inventory: Any) -> tuple[dict[str, Any],
                                                                       InspectionRequest]:
    """List ``n`` matched (399), inspection not answering yet; the list and its question."""
    customs.inspection.auto = False
    lst = make_inventory(n, **inventory)
    customs.send(make_order(n), make_waybill(n), lst)
    [question] = customs.inspection.questions()
    return lst, question


def inspection_view(ref: str) -> dict[str, Any] | None:
    with Session(resources.engine()) as session:
        view: dict[str, Any] | None = service.find_declaration(
            session=session, ref=ref, owner=AGENT)["inspection"]
        return view


def check() -> InspectionCheck:
    with Session(resources.engine()) as session:
        row = session.exec(select(InspectionCheck)).one()
        return row


class TestAsk:
    def test_an_approved_list_asks_once_with_its_identity_and_goods(self,
                                                                    customs: Customs) -> None:
        lst, question = approved(customs)
        assert customs.statuses(lst) == ["2", "120", "399"]
        invt_no = customs.last(lst)["invtNo"]
        assert (question.identity, question.invtNo, question.copNo) == (
            invt_no, invt_no, "INV00000001")
        assert (question.tradeMode, question.ieFlag, question.trafMode, question.sender) == (
            "9610", "E", "5", AGENT)
        assert question.flow == "inventory:E"
        [item] = question.items
        assert (item.gcode, item.gname, str(item.qty), item.country) == (
            "6109100021", "T恤", "2", "502")
        assert customs.inspection.questions() == []  # asked once

    def test_a_list_still_waiting_for_its_order_asks_nothing(self, customs: Customs) -> None:
        customs.inspection.auto = False
        customs.send(make_inventory())
        assert customs.inspection.questions() == []

    def test_an_import_record_gives_its_consignee_account_book_and_items(self) -> None:
        record = {"InventoryHead": {
            "guid": "G", "tradeMode": "1210", "ieFlag": "I", "customsCode": "5100",
            "emsNo": "T5100W000001", "buyerName": "张三", "consigneeAddress": "成都",
            "trafMode": "Y", "country": "142"},
            "InventoryList": [{"gnum": 1, "itemRecordNo": "R001", "gcode": "1901101000",
                               "gname": "婴儿奶粉", "qty": "2", "country": "309"}]}
        doc = Document(id=7, kind="inventory", guid="G", sender="AGENT00001", party_code="A",
                       no="C1", status="399", app_status="2", record=record,
                       invt_no="51002025I000000001", declared_at=datetime.now(UTC),
                       updated_at=datetime.now(UTC))
        request = risk.request_for(doc, token="t", flow=risk.flow_of(doc),
                                   at=datetime(2025, 3, 1, tzinfo=UTC))
        assert (request.flow, request.ieFlag, request.emsNo, request.consignee) == (
            "inventory:I", "I", "T5100W000001", "张三")
        assert request.items[0].itemRecordNo == "R001"
        assert request.identity == "51002025I000000001"


class TestReleaseAllowed:
    def test_an_unanswered_list_is_not_released_when_its_parcel_arrives(
            self, customs: Customs) -> None:
        lst, _ = approved(customs)
        customs.send(make_arrival([1]))
        assert customs.statuses(lst) == ["2", "120", "399"]
        view = inspection_view("INV00000001")
        assert view is not None and (view["state"], view["releaseAllowed"]) == ("asked", False)

    def test_a_release_after_arrival_releases_at_once_with_the_reason(
            self, customs: Customs) -> None:
        lst, question = approved(customs)
        customs.send(make_arrival([1]))
        assert customs.inspection.answer(result(question)) == ["cleared"]
        assert customs.statuses(lst) == ["2", "120", "399", "800"]
        info = customs.last(lst)["returnInfo"]
        assert info.startswith("放行：运抵单[ARR0001] arrived；检验检疫 inspection：")
        assert "release规则" in info and "rule for release" in info

    def test_a_release_before_arrival_waits_for_the_parcel(self, customs: Customs) -> None:
        lst, question = approved(customs)
        jobs = len(customs.ingest_jobs())
        customs.inspection.answer(result(question))
        assert customs.statuses(lst) == ["2", "120", "399"]
        assert len(customs.ingest_jobs()) == jobs  # nothing to hand the gateway
        customs.send(make_arrival([1]))
        assert customs.statuses(lst) == ["2", "120", "399", "800"]

    def test_a_document_never_asked_about_is_not_allowed(self, customs: Customs) -> None:
        customs.send(make_inventory())
        with Session(resources.engine()) as session:
            doc = session.exec(select(Document)).one()
            assert risk.release_allowed(doc) is False
            assert risk.clearance_note(doc) == ""


class TestApply:
    def test_physical_inspection_holds_then_release_gives_500_800(self,
                                                                  customs: Customs) -> None:
        lst, question = approved(customs)
        held = result(question, lane="physical_inspection", state="pending",
                      reasonZh="随机布控查验", reasonEn="selected at random")
        assert customs.inspection.answer(held) == ["held: physical_inspection"]
        customs.send(make_arrival([1]))
        assert customs.statuses(lst) == ["2", "120", "399", "500"]
        assert customs.last(lst)["returnInfo"] == (
            "查验 physical inspection：随机布控查验 / selected at random")
        customs.inspection.answer(result(question, seq=2, lane="physical_inspection",
                                         resolutionEn="officer T: released: fine",
                                         resolutionZh="关员T：放行：无异常", officer="officer:T"))
        assert customs.statuses(lst) == ["2", "120", "399", "500", "800"]
        assert "关员T：放行：无异常 / officer T: released: fine" in customs.last(lst)[
            "returnInfo"]

    def test_prohibited_goods_are_examined_and_returned(self, customs: Customs) -> None:
        lst, question = approved(customs)
        customs.inspection.answer(result(
            question, lane="physical_inspection", outcome="return_abroad",
            reasonZh="锂电池不得出境", reasonEn="lithium batteries may not leave"))
        customs.send(make_arrival([1]))
        customs.send(make_departure([1]))
        assert customs.statuses(lst) == ["2", "120", "399", "500", "700"]
        assert customs.last(lst)["returnInfo"] == (
            "退运 returned：锂电池不得出境 / lithium batteries may not leave")
        assert customs.document(lst).status == "700"

    @pytest.mark.parametrize(("outcome", "status"), [
        ("return_abroad", "700"), ("destruction", "599"), ("detained_clearance", "501"),
        ("detained_anti_smuggling", "502"), ("detained_legal", "503"),
        ("detained_other", "599"),
    ])
    def test_each_refusal_has_its_receipt(self, customs: Customs, outcome: str,
                                          status: str) -> None:
        lst, question = approved(customs)
        customs.inspection.answer(result(question, lane="physical_inspection",
                                         outcome=outcome))
        assert customs.statuses(lst)[-2:] == ["500", status]

    def test_a_refusal_after_a_documents_check_needs_no_500(self, customs: Customs) -> None:
        lst, question = approved(customs)
        customs.inspection.answer(result(question, lane="document_review",
                                         outcome="detained_legal"))
        assert customs.statuses(lst) == ["2", "120", "399", "503"]

    def test_a_documents_check_is_on_the_timeline_without_a_receipt(
            self, customs: Customs) -> None:
        lst, question = approved(customs)
        customs.inspection.answer(result(question, lane="document_review", state="pending"))
        customs.send(make_arrival([1]))
        assert customs.statuses(lst) == ["2", "120", "399"]
        with Session(resources.engine()) as session:
            timeline = service.find_declaration(session=session, ref="INV00000001",
                                                owner=AGENT)["timeline"]
        assert (timeline[-1]["status"], timeline[-1]["actor"]) == ("399", "inspection")
        assert timeline[-1]["info"].startswith("单证审核 documents check：")
        customs.inspection.answer(result(question, seq=2, lane="document_review"))
        assert customs.statuses(lst) == ["2", "120", "399", "800"]

    def test_the_same_answer_twice_changes_nothing(self, customs: Customs) -> None:
        lst, question = approved(customs)
        held = result(question, lane="quarantine_treatment", state="pending")
        assert customs.inspection.answer(held, held) == ["held: quarantine_treatment",
                                                         "already applied"]
        assert customs.statuses(lst) == ["2", "120", "399", "500"]

    def test_a_late_answer_does_not_undo_a_newer_one(self, customs: Customs) -> None:
        lst, question = approved(customs)
        customs.send(make_arrival([1]))
        newer = result(question, seq=2, lane="physical_inspection")
        older = result(question, seq=1, lane="physical_inspection", state="pending")
        assert customs.inspection.answer(newer, older) == [
            "cleared", "stale answer 1 (applied 2)"]
        assert customs.statuses(lst) == ["2", "120", "399", "500", "800"]

    def test_an_answer_to_a_question_nobody_asked_is_ignored(self, customs: Customs) -> None:
        _, question = approved(customs)
        stray = result(question).model_copy(update={"token": "0" * 32})
        assert customs.inspection.answer(stray) == ["unknown question"]

    def test_the_declaration_view_shows_the_decision_and_its_reasons(
            self, customs: Customs) -> None:
        _, question = approved(customs)
        customs.inspection.answer(result(
            question, lane="quarantine_treatment", state="pending", riskLevel="high",
            decisionId=42, reasonEn="plants are fumigated", reasonZh="植物熏蒸"))
        view = inspection_view("INV00000001")
        assert view is not None
        assert (view["state"], view["lane"], view["outcome"], view["releaseAllowed"]) == (
            "pending", "quarantine_treatment", None, False)
        assert view["reason"] == {"en": "plants are fumigated", "zh": "植物熏蒸"}
        assert (view["decisionId"], view["riskLevel"]) == (42, "high")
        assert view["hits"][0]["rule"] == "TEST"


class TestResend:
    def _age(self, **values: Any) -> None:
        with Session(resources.engine()) as session:
            session.exec(update(InspectionCheck).values(**values))  # type: ignore[call-overload]
            session.commit()

    def test_a_question_never_handed_over_goes_out_with_the_sweep(self,
                                                                  customs: Customs) -> None:
        approved(customs)
        self._age(sent_at=None, stored_at=time.time() - 3)
        tasks.resend_outbox()
        [again] = customs.inspection.questions()
        assert again.identity == check().identity

    def test_an_unanswered_question_is_asked_again_unless_still_queued(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        customs.send(make_order(), make_waybill(), make_inventory())  # the job stays queued
        self._age(sent_at=time.time() - 31)
        tasks.resend_outbox()
        assert queue("inspection", customs.redis).count == 1
        assert len(customs.inspection.questions()) == 1  # taken off: now lost
        tasks.resend_outbox()
        [again] = customs.inspection.questions()
        assert again.token == check().token

    def test_a_question_a_dying_worker_took_off_the_queue_is_asked_again(
            self, customs: Customs) -> None:
        customs.inspection.auto = False
        customs.send(make_order(), make_waybill(), make_inventory())
        q = queue("inspection", customs.redis)
        [job] = q.jobs
        q.remove(job)  # popped, never run: its status stays "queued"
        self._age(sent_at=time.time() - 31)
        tasks.resend_outbox()
        assert [j.id for j in q.jobs] == [job.id]

    def test_a_held_list_is_asked_again_to_heal_a_lost_answer(self, customs: Customs) -> None:
        _, question = approved(customs)
        customs.inspection.answer(result(question, lane="physical_inspection",
                                         state="pending"))
        self._age(sent_at=time.time() - 31)
        tasks.resend_outbox()
        assert len(customs.inspection.questions()) == 1

    def test_a_decided_list_is_not_asked_again(self, customs: Customs) -> None:
        _, question = approved(customs)
        customs.inspection.answer(result(question))
        self._age(sent_at=time.time() - 31)
        tasks.resend_outbox()
        assert customs.inspection.questions() == []
