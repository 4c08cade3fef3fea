"""Inspection's use cases on SQLite and PostgreSQL: deciding, answering customs, officers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from services.inspection import domain, service
from services.inspection.db import resources
from services.inspection.errors import DecisionNotFound, InspectionNotPending, ResultNotAllowed
from tests.inspection.conftest import NOW, TSHIRT, Inspection, import_question, question

MEAT = {"gnum": 1, "gcode": "1602500090", "gname": "澳洲牛肉干", "qty": "1", "country": "601"}
APPLES = {"gnum": 1, "gcode": "0808100000", "gname": "新鲜苹果 fresh apples", "qty": "5",
          "country": "502"}
MILK_POWDER = {"gnum": 1, "gcode": "0402210000", "gname": "全脂奶粉", "qty": "2",
               "country": "609", "itemRecordNo": "R001"}


class TestAssess:
    def test_an_unremarkable_export_list_is_released_with_its_reason(
            self, inspection: Inspection) -> None:
        ask = question()
        view = inspection.assess(ask)
        assert (view["lane"], view["state"], view["outcome"], view["channel"]) == (
            "release", "final", "release", "export_b2c")
        [answer] = inspection.answers()
        assert (answer.token, answer.identity, answer.seq) == (ask["token"], ask["identity"], 1)
        assert answer.release_allowed
        assert answer.reasonEn.startswith("no rule holds the goods; not selected at random")
        assert answer.reasonZh.startswith("未命中禁限及检疫规则")
        assert inspection.schedule() == []

    def test_an_import_list_with_meat_is_examined_and_returned_abroad(
            self, inspection: Inspection) -> None:
        view = inspection.assess(import_question(items=[MEAT]))
        assert (view["channel"], view["lane"], view["state"], view["outcome"]) == (
            "import_direct", "physical_inspection", "final", "return_abroad")
        assert [h["rule"] for h in view["hits"]] == ["P-MEAT"]
        assert view["resolvedBy"] == "rules"
        [answer] = inspection.answers()
        assert (answer.state, answer.outcome, answer.release_allowed) == (
            "final", "return_abroad", False)
        assert "[P-MEAT] InventoryList[gnum=1].gcode=1602500090" in answer.reasonEn

    def test_the_same_meat_on_an_export_list_is_quarantined_not_returned(
            self, inspection: Inspection) -> None:
        view = inspection.assess(question(items=[MEAT]))
        assert (view["lane"], view["state"]) == ("quarantine_treatment", "pending")
        assert [h["rule"] for h in view["hits"]] == ["Q-ANIMAL", "Q-FOOD"]

    def test_asked_twice_it_answers_the_same_decision_again(self,
                                                            inspection: Inspection) -> None:
        ask = question()
        first = inspection.assess(ask)
        again = inspection.assess(ask)
        assert first["id"] == again["id"]
        one, two = inspection.answers()
        assert one == two

    def test_quarantine_waits_and_the_automatic_officer_is_scheduled(
            self, inspection: Inspection) -> None:
        view = inspection.assess(question(items=[APPLES]))
        assert (view["lane"], view["state"], view["outcome"]) == (
            "quarantine_treatment", "pending", None)
        assert view["dueAt"] == (NOW + timedelta(hours=24)).isoformat()
        [entry] = inspection.schedule()
        assert (entry["func"], entry["args"], entry["queue"]) == (
            "services.inspection.tasks.auto_resolve", [view["id"], 1], "inspection")
        assert entry["due_at"] == (NOW + timedelta(hours=24)).isoformat()
        [answer] = inspection.answers()
        assert (answer.lane, answer.state) == ("quarantine_treatment", "pending")

    def test_without_the_automatic_officer_nothing_is_scheduled(
            self, inspection: Inspection) -> None:
        inspection.with_settings(auto_officer=False)
        view = inspection.assess(question(items=[APPLES]))
        assert (view["state"], view["dueAt"]) == ("pending", None)
        assert inspection.schedule() == []

    def test_random_selection_is_the_seeded_draw_of_the_list(self,
                                                             inspection: Inspection) -> None:
        settings = inspection.with_settings(
            random_selection=True, seed="class-2025",
            sampling_rates={**inspection.settings.sampling_rates, "export_b2c.low":
                            Decimal("0.5")},
            document_rates={**inspection.settings.document_rates, "export_b2c": Decimal(0)})
        lanes = [inspection.assess(question(n))["lane"] for n in range(1, 21)]
        expected = [domain.select(settings.seed, f"51002025E{n:09d}", Decimal("0.5"),
                                  Decimal(0)) for n in range(1, 21)]
        assert lanes == expected
        assert set(lanes) == {"release", "physical_inspection"}

    def test_a_1210_list_whose_items_passed_the_first_line_is_not_inspected_again(
            self, inspection: Inspection) -> None:
        entry = inspection.first_line(gcode="0402210000", gname="全脂奶粉")
        assert (entry["lane"], entry["state"]) == ("quarantine_treatment", "pending")
        inspection.result(entry["id"], "release", "fumigated and sound")
        bonded = import_question(items=[MILK_POWDER], tradeMode="1210",
                                 emsNo="T5100W000001")
        view = inspection.assess(bonded)
        assert (view["channel"], view["lane"], view["outcome"]) == (
            "import_bonded", "release", "release")
        assert [h["rule"] for h in view["hits"]] == ["FIRST-LINE"]

    def test_a_1210_list_with_an_item_not_seen_at_first_line_is_assessed(
            self, inspection: Inspection) -> None:
        inspection.first_line(gcode="6109100021", gname="T恤")  # R001 released
        other = dict(MILK_POWDER, gnum=2, itemRecordNo="R002")
        view = inspection.assess(import_question(
            items=[dict(TSHIRT, itemRecordNo="R001"), other], tradeMode="1210",
            emsNo="T5100W000001"))
        assert "FIRST-LINE" not in [h["rule"] for h in view["hits"]]
        assert view["riskLevel"] == "high"  # R-ANIMAL-PLANT on the milk powder


class TestFirstLine:
    def test_an_item_entering_the_zone_is_decided_once(self, inspection: Inspection) -> None:
        first = inspection.first_line()
        again = inspection.first_line(gname="something else")
        assert first["id"] == again["id"]
        assert (first["subject"], first["identity"], first["channel"], first["lane"]) == (
            "first_line", "T5100W000001/R001", "first_line", "release")
        assert inspection.answers() == []  # nothing for customs

    def test_used_goods_are_refused_at_the_first_line(self, inspection: Inspection) -> None:
        view = inspection.first_line(gcode="6309000000", gname="二手衣物")
        assert (view["state"], view["outcome"]) == ("final", "return_abroad")
        assert view["hits"][0]["field"] == "FirstLineEntry[gnum=1].gcode"

    def test_wooden_packaging_without_ippc_is_fumigated(self, inspection: Inspection) -> None:
        view = inspection.first_line(wrapType="1")
        assert (view["lane"], view["hits"][0]["rule"]) == ("quarantine_treatment",
                                                           "Q-WOOD-PACKAGING")


class TestRecordResult:
    def held(self, inspection: Inspection) -> dict[str, object]:
        inspection.with_settings(random_selection=True, sampling_rates={
            **inspection.settings.sampling_rates, "export_b2c.low": Decimal(1)})
        view = inspection.assess(question())
        assert (view["lane"], view["state"]) == ("physical_inspection", "pending")
        return view

    def test_an_officer_releases_and_customs_hears_it(self, inspection: Inspection) -> None:
        held = self.held(inspection)
        view = inspection.result(held["id"], "release", "nothing found", officer="Li")
        assert (view["state"], view["outcome"], view["resolvedBy"], view["seq"]) == (
            "final", "release", "officer:Li", 2)
        assert view["resolution"] == {"en": "officer Li: released: nothing found",
                                      "zh": "关员Li：放行：nothing found"}
        first, second = inspection.answers()
        assert (first.seq, first.state, second.seq, second.state) == (1, "pending", 2, "final")
        assert second.release_allowed and second.officer == "officer:Li"

    def test_an_officer_finding_refuses_the_goods(self, inspection: Inspection) -> None:
        held = self.held(inspection)
        view = inspection.result(held["id"], "detained_anti_smuggling", "undeclared ivory")
        assert (view["state"], view["outcome"]) == ("final", "detained_anti_smuggling")
        assert inspection.answers()[-1].outcome == "detained_anti_smuggling"

    def test_a_decided_inspection_cannot_be_decided_again(self,
                                                          inspection: Inspection) -> None:
        view = inspection.assess(question())
        with pytest.raises(InspectionNotPending):
            inspection.result(view["id"], "return_abroad")

    def test_a_result_the_lane_does_not_have_is_refused(self, inspection: Inspection) -> None:
        view = inspection.assess(question(items=[APPLES]))
        with pytest.raises(ResultNotAllowed) as caught:
            inspection.result(view["id"], "detained_legal")
        assert caught.value.errors[0]["path"] == "outcome"

    def test_an_unknown_inspection(self, inspection: Inspection) -> None:
        with pytest.raises(DecisionNotFound):
            inspection.result(999, "release")

    def test_a_documents_check_can_send_the_goods_to_be_examined(
            self, inspection: Inspection) -> None:
        inspection.with_settings(random_selection=True, document_rates={
            **inspection.settings.document_rates, "export_b2c": Decimal(1)})
        checked = inspection.assess(question())
        assert checked["lane"] == "document_review"
        view = inspection.result(checked["id"], "physical_inspection", "invoice looks forged")
        assert (view["lane"], view["state"], view["seq"]) == ("physical_inspection",
                                                               "pending", 2)
        assert view["dueAt"] == (NOW + timedelta(hours=2)).isoformat()
        assert [e["args"] for e in inspection.schedule()] == [[checked["id"], 1],
                                                             [checked["id"], 2]]
        assert inspection.answers()[-1].lane == "physical_inspection"


class TestAutoResolve:
    def test_the_automatic_officer_releases_what_nobody_decided(
            self, inspection: Inspection) -> None:
        view = inspection.assess(question(items=[APPLES]))
        assert inspection.auto_resolve(view["id"], 1) == "release"
        with Session(resources.engine()) as session:
            after = service.view(service.get(session=session, decision_id=view["id"]))
        assert (after["state"], after["outcome"], after["resolvedBy"]) == (
            "final", "release", "auto-officer")
        assert after["resolution"]["en"] == (
            "automatic officer after P1D: quarantine treatment done (fumigation), goods sound")
        assert inspection.answers()[-1].release_allowed

    def test_it_does_nothing_once_an_officer_decided(self, inspection: Inspection) -> None:
        view = inspection.assess(question(items=[APPLES]))
        inspection.result(view["id"], "destruction", "pests found")
        assert inspection.auto_resolve(view["id"], 1) == "obsolete"
        assert inspection.answers()[-1].outcome == "destruction"

    def test_it_does_nothing_for_an_inspection_that_moved_on(self,
                                                             inspection: Inspection) -> None:
        inspection.with_settings(random_selection=True, document_rates={
            **inspection.settings.document_rates, "export_b2c": Decimal(1)})
        view = inspection.assess(question())
        inspection.result(view["id"], "physical_inspection", "escalated")
        assert inspection.auto_resolve(view["id"], 1) == "obsolete"
        assert inspection.auto_resolve(view["id"], 2) == "release"


class TestInspections:
    def test_the_worklist_is_the_pending_ones_newest_first(self,
                                                           inspection: Inspection) -> None:
        inspection.assess(question(1))
        a = inspection.assess(question(2, items=[APPLES]))
        b = inspection.first_line(gcode="0808100000", gname="apples")
        with Session(resources.engine()) as session:
            pending = service.inspections(session=session)
            final = service.inspections(session=session, state="final")
            lists = service.inspections(session=session, state=None, subject="list")
        assert [r.id for r in pending] == [b["id"], a["id"]]
        assert [r.identity for r in final] == ["51002025E000000001"]
        assert len(lists) == 2
