"""POST /api/v1/messages: acceptance, storage before 202, dispatch, and every bad input."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest
from fastapi import routing as fastapi_routing
from lxml import etree

from contracts import examples as builders
from gateway import deps
from tests.gateway.conftest import Gateway

CEB = "{http://www.chinaport.gov.cn/ceb}"


def _ceb900_info(body: bytes) -> str:
    root = etree.fromstring(body)
    assert root.tag == f"{CEB}CEB900Message"
    return str(root.findtext(f"{CEB}MessageReturn/{CEB}returnInfo"))


class TestAccept:
    def test_xml_list_is_stored_then_dispatched(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        mirror = builders.inventory(1)
        response = gateway.post(key, mirror)
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["guid"] == mirror["guid"]
        assert response.headers["X-Conversation-ID"] == body["conversationId"]
        assert gateway.stored_count() == 1  # stored before the 202
        [item] = gateway.wait_dispatched(1)
        assert item["message_type"] == "CEB603Message"
        assert item["sender"] == builders.AGENT
        payload = orjson.loads(item["payload"])
        assert payload["Inventory"][0]["InventoryHead"]["copNo"] == "INV00000001"

    def test_json_mirror_is_accepted(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        response = gateway.post(key, builders.order(7), xml=False)
        assert response.status_code == 202, response.text
        assert gateway.stored_count() == 1

    def test_client_conversation_id_is_kept(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        response = gateway.post(key, builders.order(1), headers={"X-Conversation-ID": "conv-1"})
        assert response.headers["X-Conversation-ID"] == "conv-1"

    def test_same_message_twice_is_replayed_not_stored_again(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        body = builders.as_xml(builders.order(1))
        first = gateway.post(key, body)
        second = gateway.post(key, body)
        assert second.status_code == 202
        assert second.json()["replayed"] is True
        assert second.json()["messageId"] == first.json()["messageId"]
        assert gateway.stored_count() == 1
        assert len(gateway.wait_dispatched(1)) == 1

    def test_idempotency_key_replays_the_first_answer(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        body = builders.as_xml(builders.order(1))
        first = gateway.post(key, body, headers={"Idempotency-Key": "k1"})
        second = gateway.post(key, body, headers={"Idempotency-Key": "k1"})
        assert second.json()["messageId"] == first.json()["messageId"]
        assert gateway.stored_count() == 1

    def test_same_guid_different_body_is_a_conflict(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        first = builders.order(1)
        second = builders.order(2)
        second["guid"] = first["guid"]
        assert gateway.post(key, first).status_code == 202
        response = gateway.post(key, second)
        assert response.status_code == 409
        assert response.json()["code"] == "duplicate_message"
        assert gateway.stored_count() == 1


class TestAuth:
    def test_missing_key_is_401(self, gateway: Gateway) -> None:
        response = gateway.client.post("/api/v1/messages", content=b"<x/>",
                                       headers={"Content-Type": "application/xml"})
        assert response.status_code == 401
        assert response.json()["code"] == "missing_api_key"

    def test_wrong_key_is_401(self, gateway: Gateway) -> None:
        response = gateway.post("sw_not-a-key", builders.order(1))
        assert response.status_code == 401

    def test_copcode_of_another_enterprise_is_refused(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        mirror = builders.order(1)
        mirror["BaseTransfer"] = builders.transfer(builders.EBC)
        response = gateway.post(key, mirror)
        assert response.status_code == 403
        assert response.json()["errors"][0]["path"] == "CEB303Message/BaseTransfer/copCode"
        assert gateway.stored_count() == 0

    def test_role_that_may_not_send_the_message_is_refused(self, gateway: Gateway) -> None:
        key = gateway.register(builders.CARRIER)
        mirror = builders.order(1)
        mirror["BaseTransfer"] = builders.transfer(builders.CARRIER)
        response = gateway.post(key, mirror)
        assert response.status_code == 403
        assert response.json()["code"] == "role_not_allowed"




BAD_XML = {
    "not xml": (b"this is not xml", "not well-formed XML"),
    "wrong namespace": (b'<CEB603Message xmlns="urn:other" guid="x" version="1.0"/>',
                        "must be in namespace"),
    "unknown message type": (
        b'<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x"/>',
        "unknown message type"),
    "entity expansion": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<ceb:CEB603Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol2;'
        b"</ceb:CEB603Message>", "DTD or entity declaration is not allowed"),
}


def _replace(xml: bytes, element: str, new: str | None) -> bytes:
    root = etree.fromstring(xml)
    node = root.find(f".//{CEB}{element}")
    assert node is not None
    if new is None:
        node.getparent().remove(node)
    else:
        node.text = new
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


BAD_FIELDS = {
    "missing required field": ("orderNo", None, "InventoryHead/orderNo",
                               "required element is missing"),
    "over-long field": ("copNo", "C" * 31, "InventoryHead/copNo", "at most 30"),
    "wrong enum code": ("tradeMode", "1234", "InventoryHead/tradeMode", "not a trade mode"),
    "wrong currency code": ("fCurrency", "ABC", "InventoryHead/fCurrency", "not a currency"),
    "bad decimal": ("freight", "ten", "InventoryHead/freight", "decimal"),
}


class TestBadInput:
    @pytest.mark.parametrize("case", sorted(BAD_XML))
    def test_bad_document_gets_ceb900_and_nothing_is_stored(self, gateway: Gateway,
                                                            case: str) -> None:
        key = gateway.register(builders.AGENT)
        body, expected = BAD_XML[case]
        response = gateway.post(key, body)
        assert response.status_code == 400
        assert expected in _ceb900_info(response.content)
        assert gateway.stored_count() == 0
        assert gateway.dispatched_jobs() == []

    @pytest.mark.parametrize("case", sorted(BAD_FIELDS))
    def test_bad_field_is_named_with_its_path(self, gateway: Gateway, case: str) -> None:
        key = gateway.register(builders.AGENT)
        element, value, path, expected = BAD_FIELDS[case]
        body = _replace(builders.as_xml(builders.inventory(1)), element, value)
        response = gateway.post(key, body)
        assert response.status_code == 400
        info = _ceb900_info(response.content)
        assert f"CEB603Message/Inventory[1]/{path}" in info
        assert expected in info
        assert gateway.stored_count() == 0

    def test_every_error_is_listed_not_only_the_first(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        body = _replace(builders.as_xml(builders.inventory(1)), "tradeMode", "1234")
        body = _replace(body, "orderNo", None)
        body = _replace(body, "fCurrency", "ABC")
        info = _ceb900_info(gateway.post(key, body).content)
        for path in ("tradeMode", "orderNo", "fCurrency"):
            assert f"InventoryHead/{path}" in info

    def test_json_errors_are_problem_json_with_paths(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        mirror = builders.inventory(1)
        head = mirror["Inventory"][0]["InventoryHead"]
        head["tradeMode"] = "1234"
        del head["orderNo"]
        response = gateway.post(key, orjson.dumps(mirror), xml=False)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        paths = {e["path"] for e in response.json()["errors"]}
        assert {"CEB603Message/Inventory[1]/InventoryHead/tradeMode",
                "CEB603Message/Inventory[1]/InventoryHead/orderNo"} <= paths
        assert gateway.stored_count() == 0

    def test_oversized_body_is_413(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        body = b"<x>" + b"a" * (gateway.settings.max_body_bytes + 1) + b"</x>"
        response = gateway.post(key, body)
        assert response.status_code == 413
        assert gateway.stored_count() == 0

    def test_unsupported_content_type_is_415(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        response = gateway.client.post("/api/v1/messages", content=b"x", headers={
            "Authorization": f"Bearer {key}", "Content-Type": "text/plain"})
        assert response.status_code == 415

    def test_a_receipt_message_cannot_be_declared(self, gateway: Gateway) -> None:
        key = gateway.register(builders.AGENT)
        body = (b'<ceb:CEB604Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" '
                b'guid="9A1C0E6E-0000-4000-8000-000000000001" version="1.0"/>')
        response = gateway.post(key, body)
        assert response.status_code == 400
        assert "CEB604Message" in _ceb900_info(response.content)


class TestIntakePath:
    def test_intake_solves_no_fastapi_dependencies(self, gateway: Gateway,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        key = gateway.register(builders.AGENT)
        solved: list[str] = []
        original = fastapi_routing.solve_dependencies

        async def counted(*args: Any, **kwargs: Any) -> Any:
            solved.append("solved")
            return await original(*args, **kwargs)

        monkeypatch.setattr(fastapi_routing, "solve_dependencies", counted)
        assert gateway.post(key, builders.inventory(1)).status_code == 202
        assert solved == []
        assert gateway.client.get("/api/v1/messages").status_code == 405  # path known, not GET

    def test_intake_is_still_in_the_openapi_document(self, gateway: Gateway) -> None:
        paths = gateway.client.get("/openapi.json").json()["paths"]
        assert "post" in paths["/api/v1/messages"]

    def test_requests_missing_the_key_cache_together_look_it_up_once(
            self, gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
        key = gateway.register(builders.AGENT)
        lookups: list[str] = []
        original = deps._lookup

        def slow(api_key: str) -> Any:
            lookups.append(api_key)
            time.sleep(0.05)
            return original(api_key)

        monkeypatch.setattr(deps, "_lookup", slow)
        deps.key_cache.clear()
        mirrors = [builders.inventory(n) for n in range(1, 9)]
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda m: gateway.post(key, m).status_code, mirrors))
        assert statuses == [202] * 8
        assert lookups == [key]
        deps.key_cache.clear()
        assert gateway.post(key, builders.inventory(9)).status_code == 202
        assert lookups == [key, key]  # a lookup done is not reused: the cache takes over
