"""Customs' HTTP surface: the declaration view (tenant-scoped), the sandbox reset, health."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.customs.app import create_app
from tests.customs.builders import (
    AGENT,
    EBP,
    make_arrival,
    make_inventory,
    make_order,
    make_waybill,
)
from tests.customs.harness import Customs


@pytest.fixture
def client(customs: Customs) -> Iterator[TestClient]:
    with TestClient(create_app(customs.settings)) as test_client:
        yield test_client


class TestGetDeclaration:
    def test_the_owner_sees_status_and_timeline(self, customs: Customs,
                                                client: TestClient) -> None:
        customs.send(make_order(), make_waybill(), make_inventory(), make_arrival([1]))
        response = client.get("/declarations/INV00000001", params={"owner": AGENT})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["kind"], body["status"], body["statusName"]) == ("inventory", "800", "放行")
        assert body["invtNo"] == "51002025E000000001"
        assert [t["status"] for t in body["timeline"]] == ["2", "120", "399", "800"]
        assert set(body) >= {"kind", "guid", "keys", "status", "statusName", "preNo", "invtNo",
                             "timeline", "mismatches"}

    def test_another_enterprise_gets_a_404(self, customs: Customs, client: TestClient) -> None:
        customs.send(make_inventory())
        response = client.get("/declarations/INV00000001", params={"owner": EBP})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "declaration_not_found"

    def test_the_owner_is_required(self, client: TestClient) -> None:
        assert client.get("/declarations/INV00000001").status_code == 400


class TestReset:
    def test_reset_empties_customs(self, customs: Customs, client: TestClient) -> None:
        customs.send(make_inventory())
        body = client.post("/_sim/reset").json()
        assert body["reset"] is True and body["deleted"]["document"] == 1
        assert client.get("/declarations/INV00000001",
                          params={"owner": AGENT}).status_code == 404


class TestHealth:
    def test_health_answers(self, client: TestClient) -> None:
        body = client.get("/health").json()
        assert (body["service"], body["database"], body["redis"]) == ("customs", "ok", "ok")
