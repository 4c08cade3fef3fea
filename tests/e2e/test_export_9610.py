"""A 9610 B2C export clears end to end through the HTTP API, in XML and in JSON."""

from __future__ import annotations

import pytest
from lxml import etree

from contracts import examples
from tests.e2e.conftest import Window, record_guid, reference_dir

FLOW_STATUSES = {  # document → its receipts' returnStatus sequence
    "order": ["2", "120"],
    "receipt": ["2", "120"],
    "waybill": ["2", "399"],
    "inventory": ["2", "120", "399", "800", "899"],
    "arrival": ["2", "399"],
    "departure": ["2", "399"],
}


@pytest.mark.parametrize("xml", [True, False], ids=["xml", "json"])
def test_9610_export_clears_with_every_receipt_in_order(window: Window, xml: bool) -> None:
    docs = {"order": examples.order(1), "receipt": examples.receipt(1),
            "waybill": examples.waybill(1), "inventory": examples.inventory(1)}
    for mirror in docs.values():
        response = window.send(mirror, xml=xml)
        assert response.status_code == 202, response.text
        assert response.headers["X-Conversation-ID"]
    inventory_guid = record_guid(docs["inventory"])
    assert window.wait_statuses(examples.AGENT, inventory_guid, ["2", "120", "399"]) == [
        "2", "120", "399"]
    docs["arrival"] = examples.arrival([1])
    assert window.send(docs["arrival"], xml=xml).status_code == 202
    assert window.wait_statuses(examples.AGENT, inventory_guid, ["800"]) == ["800"]
    docs["departure"] = examples.departure([1])
    assert window.send(docs["departure"], xml=xml).status_code == 202
    assert window.wait_statuses(examples.AGENT, inventory_guid, ["899"]) == ["899"]

    window.rewind()  # read everything again, per enterprise, in order
    for name, mirror in docs.items():
        sender = examples.sender_of(mirror)
        got = window.wait_statuses(sender, record_guid(mirror), FLOW_STATUSES[name])
        assert got == FLOW_STATUSES[name], name

    status = window.http.get(f"/api/v1/declarations/{inventory_guid}", headers={
        "Authorization": f"Bearer {window.keys[examples.AGENT]}"}).json()
    assert status["status"] == "899"
    assert [step["status"] for step in status["timeline"]][-1] == "899"
    other = window.http.get(f"/api/v1/declarations/{inventory_guid}", headers={
        "Authorization": f"Bearer {window.keys[examples.EBP]}"})
    assert other.status_code == 404


def test_every_emitted_receipt_validates_against_the_official_xsd(window: Window) -> None:
    xsd = reference_dir() / "xsd" / "ceb-export-202205.xsd"
    if not xsd.exists():
        pytest.skip("official XSD not present")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    flow = examples.export_flow(2)
    for mirror in flow:
        assert window.send(mirror).status_code == 202
    guid = record_guid(flow[3])
    assert window.wait_statuses(examples.AGENT, guid, ["2", "120", "399"])[-1] == "399"
    for mirror in (examples.arrival([2], bill="BILL0002"),
                   examples.departure([2], bill="BILL0002")):
        assert window.send(mirror).status_code == 202
    assert window.wait_statuses(examples.AGENT, guid, ["800", "899"]) == ["800", "899"]
    count = 0
    for code in examples.ROLES:
        for message in window.receipts_xml(code):
            schema.assertValid(etree.ElementTree(message))
            count += 1
    assert count >= 5 * 2 + 3  # every document's receipts (the payer's included)


def test_a_list_that_arrives_before_its_order_waits_and_then_matches(window: Window) -> None:
    inventory, order, waybill = examples.inventory(3), examples.order(3), examples.waybill(3)
    assert window.send(inventory).status_code == 202
    guid = record_guid(inventory)
    assert window.wait_statuses(examples.AGENT, guid, ["2", "120"]) == ["2", "120"]
    assert window.send(waybill).status_code == 202
    assert window.send(order).status_code == 202
    assert window.wait_statuses(examples.AGENT, guid, ["399"]) == ["399"]


def test_before_2024_12_15_the_list_needs_the_payment_receipt(window: Window) -> None:
    response = window.admin("POST", "/_sim/clock", json={"at": "2024-06-01T02:00:00Z",
                                                         "freeze": True})
    assert response.json()["now"].startswith("2024-06-01")
    order, waybill, inventory = examples.order(4), examples.waybill(4), examples.inventory(4)
    for mirror in (order, waybill, inventory):
        assert window.send(mirror).status_code == 202
    guid = record_guid(inventory)
    assert window.wait_statuses(examples.AGENT, guid, ["2", "120"]) == ["2", "120"]
    assert window.wait_statuses(examples.AGENT, guid, ["399"], timeout=2) == []  # waits
    assert window.send(examples.receipt(4)).status_code == 202
    assert window.wait_statuses(examples.AGENT, guid, ["399"]) == ["399"]
