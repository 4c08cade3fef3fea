"""Customs' import HTTP surface: account books (first-line entry, view) and buyers' usage."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from contracts import examples_import as ei
from services.customs.app import create_app
from tests.customs.harness import Customs

BOOK = f"/import/account-books/{ei.EMS_NO}"


@pytest.fixture
def client(customs: Customs) -> Iterator[TestClient]:
    with TestClient(create_app(customs.settings)) as test_client:
        yield test_client


def enter(client: TestClient, owner: str = ei.WAREHOUSE, admin: bool = False,
          **body: object) -> httpx.Response:
    return client.post(f"{BOOK}/entries", json={**ei.entry("10"), **body},
                       params={"owner": owner, "admin": admin})


class TestFirstLineEntry:
    def test_the_first_entry_opens_the_book_of_its_warehouse(self, client: TestClient) -> None:
        response = enter(client)
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["ownerCode"], body["items"][0]["balance"]) == (ei.WAREHOUSE, "10")

    def test_another_enterprise_cannot_enter_goods_into_the_book(self,
                                                                 client: TestClient) -> None:
        enter(client)
        response = enter(client, owner="OTHERWH001", entryNo="E2")
        assert response.status_code == 403
        assert response.json()["code"] == "account_book_not_yours"

    def test_an_item_recorded_differently_is_a_conflict(self, client: TestClient) -> None:
        enter(client)
        item = {**ei.entry()["items"][0], "gcode": "6109100021"}
        response = enter(client, entryNo="E2", items=[item])
        assert response.status_code == 409

    def test_a_bad_quantity_is_a_400_naming_the_field(self, client: TestClient) -> None:
        item = {**ei.entry()["items"][0], "qty": "-1"}
        response = enter(client, items=[item])
        assert response.status_code == 400
        assert response.json()["errors"][0]["path"].endswith("qty")


class TestAccountBook:
    def test_the_owner_sees_balances_and_movements(self, client: TestClient) -> None:
        enter(client)
        body = client.get(BOOK, params={"owner": ei.WAREHOUSE}).json()
        assert body["items"][0]["itemRecordNo"] == ei.ITEM_RECORD_NO
        assert body["entries"][0]["reason"] == "first_line"

    def test_another_enterprise_gets_a_404(self, client: TestClient) -> None:
        enter(client)
        response = client.get(BOOK, params={"owner": ei.AGENT})
        assert response.status_code == 404
        assert response.json()["code"] == "account_book_not_found"


class TestBuyerUsage:
    def test_a_new_buyer_has_the_whole_year(self, client: TestClient) -> None:
        body = client.get(f"/import/buyers/{ei.buyer_id(1)}/usage").json()
        assert body == {"buyerIdNumber": ei.buyer_id(1), "year": 2025, "used": "0",
                        "limit": "26000", "remaining": "26000"}
