"""The officer console through the gateway: admin only, a pass-through to inspection.

The gateway's inspection client is pointed at the inspection app in-process (ASGI), on
the test's backend, so what passes through is what the service really answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.clients import InspectionClient
from infra.clock import SimClock
from infra.db import unit_of_work
from services.inspection import service as inspection_service
from services.inspection.app import create_app as create_inspection
from services.inspection.config import Settings as InspectionSettings
from services.inspection.db import resources as inspection_resources
from tests.gateway.conftest import ADMIN, Gateway
from tests.inspection.conftest import question

APPLES = {"gnum": 1, "gcode": "0808100000", "gname": "新鲜苹果", "qty": "5", "country": "502"}
AS_ADMIN = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def console(gateway: Gateway, backend: Any) -> Iterator[Gateway]:
    """The gateway, its inspection client talking to the inspection app in-process."""
    inspection_resources.configure(InspectionSettings(**backend.settings_kwargs(),
                                                      random_selection=False))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_inspection()))
    gateway.client.app.state.agencies["inspection"] = InspectionClient(  # type: ignore[attr-defined]
        "inspection", "http://inspection", http)
    yield gateway
    gateway.client.portal.call(http.aclose)  # type: ignore[union-attr]
    inspection_resources.close()


def held() -> dict[str, Any]:
    """A list held for quarantine treatment, as customs' question left it."""
    redis = inspection_resources.redis()
    with unit_of_work(inspection_resources.engine()) as uow:
        row = inspection_service.assess(uow=uow, redis=redis,
                                        settings=inspection_resources.config(),
                                        request=question(items=[APPLES]),
                                        now=SimClock(redis).now())
    return inspection_service.view(row)  # as committed


class TestAdminOnly:
    @pytest.mark.parametrize(("method", "path"), [
        ("GET", "/api/v1/inspections"), ("GET", "/api/v1/inspections/1"),
        ("POST", "/api/v1/inspections/1/result"), ("POST", "/api/v1/first-line-inspections"),
        ("GET", "/api/v1/inspection-reference"),
    ])
    def test_an_enterprise_key_is_not_enough(self, console: Gateway, method: str,
                                             path: str) -> None:
        key = console.register("AGENT00001", ["agent"])
        response = console.client.request(method, path,
                                          headers={"Authorization": f"Bearer {key}"})
        assert (response.status_code, response.json()["code"]) == (403, "admin_only")


class TestConsole:
    def test_the_worklist_and_one_inspection(self, console: Gateway) -> None:
        waiting = held()
        body = console.client.get("/api/v1/inspections", headers=AS_ADMIN).json()
        assert [i["id"] for i in body["inspections"]] == [waiting["id"]]
        one = console.client.get(f"/api/v1/inspections/{waiting['id']}", headers=AS_ADMIN)
        assert one.json()["lane"] == "quarantine_treatment"

    def test_a_trainer_records_the_result(self, console: Gateway) -> None:
        waiting = held()
        response = console.client.post(
            f"/api/v1/inspections/{waiting['id']}/result", headers=AS_ADMIN,
            json={"outcome": "release", "reason": "fumigated", "officer": "trainer"})
        assert response.status_code == 200, response.text
        assert (response.json()["state"], response.json()["outcome"]) == ("final", "release")

    def test_the_services_problems_pass_through(self, console: Gateway) -> None:
        waiting = held()
        refused = console.client.post(
            f"/api/v1/inspections/{waiting['id']}/result", headers=AS_ADMIN,
            json={"outcome": "detained_legal", "reason": "x"})
        assert (refused.status_code, refused.json()["code"]) == (422, "result_not_allowed")
        missing = console.client.get("/api/v1/inspections/999", headers=AS_ADMIN)
        assert (missing.status_code, missing.json()["code"]) == (404, "risk_decision_not_found")

    def test_a_bad_result_is_refused_at_the_gateway(self, console: Gateway) -> None:
        response = console.client.post("/api/v1/inspections/1/result", headers=AS_ADMIN,
                                       json={"outcome": "shrug", "reason": "x"})
        assert (response.status_code, response.json()["code"]) == (400, "invalid_request")

    def test_first_line_entry(self, console: Gateway) -> None:
        response = console.client.post("/api/v1/first-line-inspections", headers=AS_ADMIN,
                                       json={"emsNo": "T5100W000001", "itemRecordNo": "R001",
                                             "gcode": "6109100021", "gname": "T恤"})
        assert response.status_code == 201, response.text
        assert response.json()["identity"] == "T5100W000001/R001"

    def test_the_reference_data(self, console: Gateway) -> None:
        body = console.client.get("/api/v1/inspection-reference", headers=AS_ADMIN).json()
        assert {r["code"] for r in body["prohibited"]} >= {"P-MEAT", "P-BIRDS-NEST"}


class TestInspectionDown:
    def test_an_unreachable_inspection_is_a_502(self, gateway: Gateway) -> None:
        http = httpx.AsyncClient(timeout=2)
        gateway.client.app.state.agencies["inspection"] = InspectionClient(  # type: ignore[attr-defined]
            "inspection", "http://127.0.0.1:9", http)
        response = gateway.client.get("/api/v1/inspections", headers=AS_ADMIN)
        gateway.client.portal.call(http.aclose)  # type: ignore[union-attr]
        assert (response.status_code, response.json()["code"]) == (502,
                                                                    "inspection_unreachable")
