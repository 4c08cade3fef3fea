"""Inspection's HTTP surface: the officer console, first-line entry, the reference data."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from services.inspection.app import create_app
from tests.inspection.conftest import Inspection, question

APPLES = {"gnum": 1, "gcode": "0808100000", "gname": "新鲜苹果", "qty": "5", "country": "502"}


@pytest.fixture
def client(inspection: Inspection) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:  # on the settings the fixture configured
        yield test_client


class TestListInspections:
    def test_the_worklist_shows_what_waits_and_why(self, inspection: Inspection,
                                                   client: TestClient) -> None:
        inspection.assess(question(1))
        held = inspection.assess(question(2, items=[APPLES]))
        body = client.get("/inspections").json()
        [row] = body["inspections"]
        assert (row["id"], row["lane"], row["state"]) == (held["id"], "quarantine_treatment",
                                                          "pending")
        assert row["reason"]["zh"].startswith("植物及植物产品须经检疫")
        assert row["allowedResults"] == ["destruction", "release", "return_abroad"]
        assert row["items"][0]["gname"] == "新鲜苹果"
        everything = client.get("/inspections", params={"state": "all"}).json()
        assert len(everything["inspections"]) == 2

    def test_one_inspection(self, inspection: Inspection, client: TestClient) -> None:
        view = inspection.assess(question())
        assert client.get(f"/inspections/{view['id']}").json()["identity"] == view["identity"]
        missing = client.get("/inspections/999")
        assert (missing.status_code, missing.json()["code"]) == (404, "risk_decision_not_found")


class TestRecordResult:
    def test_an_officer_records_a_result_with_a_reason(self, inspection: Inspection,
                                                       client: TestClient) -> None:
        held = inspection.assess(question(items=[APPLES]))
        response = client.post(f"/inspections/{held['id']}/result", json={
            "outcome": "release", "reason": "熏蒸完毕", "officer": "Wang"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["state"], body["outcome"], body["resolvedBy"]) == (
            "final", "release", "officer:Wang")
        assert body["resolution"]["zh"] == "关员Wang：放行：熏蒸完毕"
        assert inspection.answers()[-1].seq == 2

    @pytest.mark.parametrize(("body", "status", "code"), [
        ({"outcome": "detained_legal", "reason": "x"}, 422, "result_not_allowed"),
        ({"outcome": "release"}, 400, "invalid_request"),
        ({"outcome": "release", "reason": "x", "extra": 1}, 400, "invalid_request"),
    ])
    def test_a_result_that_cannot_be_recorded(self, inspection: Inspection,
                                              client: TestClient, body: dict[str, object],
                                              status: int, code: str) -> None:
        held = inspection.assess(question(items=[APPLES]))
        response = client.post(f"/inspections/{held['id']}/result", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code)

    def test_a_decided_inspection_is_a_conflict(self, inspection: Inspection,
                                                client: TestClient) -> None:
        decided = inspection.assess(question())
        response = client.post(f"/inspections/{decided['id']}/result",
                               json={"outcome": "release", "reason": "x"})
        assert (response.status_code, response.json()["code"]) == (409,
                                                                    "inspection_not_pending")


class TestFirstLine:
    def test_goods_entering_the_zone_are_decided(self, client: TestClient) -> None:
        response = client.post("/first-line-inspections", json={
            "emsNo": "T5100W000001", "itemRecordNo": "R001", "gcode": "0402210000",
            "gname": "全脂奶粉", "country": "609"})
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["subject"], body["identity"], body["lane"]) == (
            "first_line", "T5100W000001/R001", "quarantine_treatment")

    def test_a_bad_entry_names_its_fields(self, client: TestClient) -> None:
        response = client.post("/first-line-inspections", json={
            "emsNo": "T5100W000001", "itemRecordNo": "R001", "gcode": "milk", "gname": "x"})
        assert response.status_code == 400
        assert [e["path"] for e in response.json()["errors"]] == ["body/gcode"]


class TestReference:
    def test_the_rules_and_rates_in_force(self, inspection: Inspection,
                                          client: TestClient) -> None:
        inspection.with_settings(seed="class-a")
        body = client.get("/reference").json()
        meat = next(r for r in body["prohibited"] if r["code"] == "P-MEAT")
        assert (meat["channels"], meat["outcome"]) == (["import_direct"], "return_abroad")
        assert body["seed"] == "class-a" and body["randomSelection"] is False
        assert Decimal(body["samplingRates"]["export_b2c.low"]) == Decimal("0.03")
