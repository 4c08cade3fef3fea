"""Retail imports end to end through the HTTP API: 9610 direct purchase and 1210 bonded.

The order (CEB311), payment (CEB411) and waybill (CEB511) meet the import list (CEB621);
customs asks tax for the bill (CEB816 to the enterprise) and inspection for its decision,
then releases (800). The faults: documents that disagree, goods off the positive list, a
buyer over the year's limit, a list over the account book, a guarantee too small; then
cancel, return within and after 30 days, and the tax falling due on day 31.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from contracts import examples_import as ei
from launcher.testing import Topology
from tests.e2e.conftest import Window, record_guid, reference_dir

LIST_RELEASED = ["2", "120", "399", "800"]
WAIT = 60.0  # seconds: the tax service and inspection answer before release


@pytest.fixture
def window(topo: Topology) -> Iterator[Window]:
    win = Window(topo)
    win.reset()
    win.register_flow_parties()
    win.register(ei.WAREHOUSE, ["warehouse"])
    clock = win.admin("POST", "/_sim/clock", json={"at": "2025-03-01T02:00:00Z",
                                                   "freeze": True})
    assert clock.status_code == 200, clock.text
    yield win
    win.http.close()


def auth(window: Window, code: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {window.keys[code]}"}


def stock(window: Window, qty: str = "1000", entry_no: str = "HZQD2924000001") -> Any:
    response = window.http.post(f"/api/v1/account-books/{ei.EMS_NO}/entries",
                                json=ei.entry(qty, entry_no), headers=auth(window, ei.WAREHOUSE))
    assert response.status_code == 201, response.text
    return response.json()


def send_all(window: Window, *mirrors: dict[str, Any], xml: bool = True) -> None:
    for mirror in mirrors:
        response = window.send(mirror, xml=xml)
        assert response.status_code == 202, response.text


def status(window: Window, ref: str, code: str = ei.AGENT) -> dict[str, Any]:
    response = window.http.get(f"/api/v1/declarations/{ref}", headers=auth(window, code))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def tax_messages(window: Window, code: str, kind: str = "CEB816Message",
                 wanted: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The CEB816/818 messages ``code`` received (waits for ``wanted`` of them)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    window.cursors.pop(code, None)
    while time.monotonic() < deadline:
        found += [r["message"] for r in window.receipts(code) if r["messageType"] == kind]
        if len(found) >= wanted:
            break
        time.sleep(0.1)
    return found


def advance(window: Window, duration: str) -> None:
    response = window.admin("POST", "/_sim/clock", json={"advance": duration})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("xml", [True, False], ids=["xml", "json"])
def test_9610_direct_purchase_clears_with_its_tax_bill(window: Window, xml: bool) -> None:
    flow = ei.import_flow(1, "9610")
    send_all(window, *flow, xml=xml)
    guid = record_guid(flow[3])
    assert window.wait_statuses(ei.AGENT, guid, LIST_RELEASED, WAIT) == LIST_RELEASED
    for mirror, code in zip(flow[:3], (ei.EBP, ei.PAYER, ei.CARRIER), strict=True):
        assert window.wait_statuses(code, record_guid(mirror), ["2", "120"]) == ["2", "120"]
    bills = tax_messages(window, ei.AGENT)
    assert len(bills) == 1, f"the agent got {len(bills)} CEB816; tax's bill: " + \
        window.http.get("/api/v1/tax-bills/29242025I000000001", headers=auth(window, ei.AGENT)).text
    head = bills[0]["Tax"][0]["TaxHeadRd"]
    assert (head["invtNo"], head["valueAddedTax"], head["status"]) == (
        "29242025I000000001", "18.93", "1")  # (198 + 10) × 13% × 70%
    view = status(window, guid)
    assert view["invtNo"] == "29242025I000000001" and view["status"] == "800"
    assert view["clearance"]["tax"]["taxNo"] == "TAX29242025I000000001"
    send_all(window, ei.signed(1), xml=xml)  # delivered: the list closes
    assert window.wait_statuses(ei.AGENT, guid, ["899"]) == ["899"]


@pytest.mark.parametrize("xml", [True, False], ids=["xml", "json"])
def test_1210_bonded_import_draws_the_account_book_down(window: Window, xml: bool) -> None:
    stock(window, "10")
    flow = ei.import_flow(1)
    send_all(window, *flow, xml=xml)
    assert window.wait_statuses(ei.AGENT, record_guid(flow[3]), LIST_RELEASED,
                                WAIT) == LIST_RELEASED
    assert len(tax_messages(window, ei.EBC)) == 1  # the guarantor gets the bill too
    book = window.http.get(f"/api/v1/account-books/{ei.EMS_NO}",
                           headers=auth(window, ei.WAREHOUSE)).json()
    assert book["items"][0]["balance"] == "8"
    assert [e["reason"] for e in book["entries"]] == ["release", "first_line"]


def test_every_import_message_validates_against_the_official_xsd(window: Window) -> None:
    xsd = reference_dir() / "xsd" / "ceb-import-202205.xsd"
    if not xsd.exists():
        pytest.skip("official XSD not present")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    stock(window, "2")
    first, second = ei.import_flow(1), ei.import_flow(2, "9610")
    send_all(window, *first, *second)
    for flow in (first, second):
        assert window.wait_statuses(ei.AGENT, record_guid(flow[3]), LIST_RELEASED,
                                    WAIT)[-1] == "800"
    refused = ei.import_flow(3)  # over the balance: a 100
    send_all(window, *refused, ei.cancel(9, "29242025I000000999"))
    assert window.wait_statuses(ei.AGENT, record_guid(refused[3]), ["2", "120", "100"])
    count = 0
    for code in (ei.EBP, ei.PAYER, ei.CARRIER, ei.AGENT, ei.EBC):
        for message in window.receipts_xml(code):
            schema.assertValid(etree.ElementTree(message))
            count += 1
    assert count >= 20  # the documents' receipts, the lists', the tax bills, the refusal


def test_a_three_document_mismatch_names_every_field(window: Window) -> None:
    order, _payment, waybill, lst = ei.import_flow(1, "9610")
    payment = ei.payment(1, amount="100", payerIdNumber="330101000000000002")
    send_all(window, order, payment, waybill, lst)
    guid = record_guid(lst)
    assert window.wait_statuses(ei.AGENT, guid, ["2", "120", "100"]) == ["2", "120", "100"]
    expected = [
        "CEB411 PaymentHead.amountPaid 100 ≠ CEB311 OrderHead.acturalPaid 226.93",
        "CEB411 PaymentHead.payerIdNumber 330101000000000002 ≠ CEB311 OrderHead.buyerIdNumber "
        "110101000000000001"]
    assert status(window, guid)["mismatches"] == expected
    window.cursors.pop(ei.AGENT, None)
    receipt = [r for r in window.receipts(ei.AGENT) if r["recordGuid"] == guid][-1]
    assert receipt["message"]["InventoryReturn"][0]["returnInfo"] == \
        "海关退单：" + "; ".join(expected)


def test_an_unregistered_party_is_a_mismatch(window: Window) -> None:
    _order, payment, waybill, _list = ei.import_flow(1, "9610")
    lst = ei.inventory(1, mode="9610", ebcCode="UNKNOWN001", assureCode="UNKNOWN001")
    send_all(window, ei.order(1, mode="9610", ebcCode="UNKNOWN001"), payment, waybill, lst)
    assert window.wait_statuses(ei.AGENT, record_guid(lst), ["2", "120", "100"])[-1] == "100"
    assert status(window, record_guid(lst))["mismatches"] == [
        "CEB621 InventoryHead.ebcCode UNKNOWN001 is not registered as ebc"]


def test_goods_off_the_positive_list_are_refused(window: Window) -> None:
    cigarettes = ei.line(gcode="2402200000", gname="卷烟", itemName="卷烟")
    lst = ei.inventory(1, mode="9610", items=[cigarettes])
    send_all(window, lst)
    guid = record_guid(lst)
    assert window.wait_statuses(ei.AGENT, guid, ["2", "100"]) == ["2", "100"]
    assert "24022000 is not on the positive list" in status(window, guid)["mismatches"][0]


def test_a_buyer_over_26000_in_december_is_refused_as_general_trade(window: Window) -> None:
    window.admin("POST", "/_sim/clock", json={"at": "2025-12-20T02:00:00Z", "freeze": True})
    bag = ei.line(gcode="4202210000", gname="手提包", itemName="手提包", qty="1", unit="011",
                  qty1="1", unit1="011", price="25000", totalPrice="25000")
    big = ei.order(1, mode="9610", items=[bag], freight="0")
    paid = big["Order"][0]["OrderHead"]["acturalPaid"]
    first = ei.inventory(1, mode="9610", items=[bag], freight="0")
    send_all(window, big, ei.payment(1, amount=paid), ei.waybill(1, mode="9610"), first)
    assert window.wait_statuses(ei.AGENT, record_guid(first), LIST_RELEASED, WAIT)[-1] == "800"
    (bill,) = tax_messages(window, ei.AGENT)
    assert bill["Tax"][0]["TaxHeadRd"]["customsTax"] == "2500.00"  # a single item: full duty
    creams = [ei.line(price="550", totalPrice="1100")]  # 25,000 + 1,110 > 26,000
    order = ei.order(2, mode="9610", items=creams, buyerIdNumber=ei.buyer_id(1))
    second = [order, ei.payment(2, amount=order["Order"][0]["OrderHead"]["acturalPaid"],
                                payerIdNumber=ei.buyer_id(1)),
              ei.waybill(2, mode="9610"),
              ei.inventory(2, mode="9610", items=creams, buyerIdNumber=ei.buyer_id(1))]
    send_all(window, *second)
    guid = record_guid(second[3])
    assert window.wait_statuses(ei.AGENT, guid, ["2", "-621018"]) == ["2", "-621018"]
    assert "25000 already this year + 1110 > 26000 CNY" in status(window, guid)["mismatches"][0]
    usage = window.admin("GET", f"/api/v1/buyers/{ei.buyer_id(1)}/usage").json()
    assert (usage["used"], usage["remaining"]) == ("25000", "1000")


def test_a_list_over_the_account_book_is_refused(window: Window) -> None:
    stock(window, "1")
    flow = ei.import_flow(1)
    send_all(window, *flow)
    guid = record_guid(flow[3])
    assert window.wait_statuses(ei.AGENT, guid, ["2", "120", "100"]) == ["2", "120", "100"]
    assert "库存不足 over the balance" in status(window, guid)["mismatches"][0]


def test_only_a_warehouse_or_the_admin_enters_goods(window: Window) -> None:
    response = window.http.post(f"/api/v1/account-books/{ei.EMS_NO}/entries",
                                json=ei.entry(), headers=auth(window, ei.EBP))
    assert response.status_code == 403
    response = window.admin("POST", f"/api/v1/account-books/{ei.EMS_NO}/entries",
                            json={**ei.entry("5"), "ownerCode": ei.WAREHOUSE})
    assert response.status_code == 201 and response.json()["ownerCode"] == ei.WAREHOUSE


def test_a_guarantee_too_small_holds_the_list_until_raised(window: Window) -> None:
    stock(window)
    assert window.admin("PUT", f"/api/v1/guarantees/{ei.EBC}",
                        json={"amount": "10"}).status_code == 200
    flow = ei.import_flow(1)
    send_all(window, *flow)
    guid = record_guid(flow[3])
    assert window.wait_statuses(ei.AGENT, guid, ["2", "120", "399"]) == ["2", "120", "399"]
    assert window.wait_statuses(ei.AGENT, guid, ["800"], timeout=2) == []
    tax = status(window, guid)["clearance"]["tax"]
    assert tax["state"] == "held" and "担保额度不足" in tax["info"]
    raised = window.admin("PUT", f"/api/v1/guarantees/{ei.EBC}", json={"amount": "100"})
    assert raised.json()["available"] == "81.98"
    assert window.wait_statuses(ei.AGENT, guid, ["800"]) == ["800"]


def test_a_cancel_before_release_withdraws_the_list(window: Window) -> None:
    stock(window, "5")
    window.admin("PUT", f"/api/v1/guarantees/{ei.EBC}", json={"amount": "0"})
    flow = ei.import_flow(1)
    send_all(window, *flow)
    guid = record_guid(flow[3])
    assert window.wait_statuses(ei.AGENT, guid, ["2", "120", "399"])[-1] == "399"
    cancel = ei.cancel(1, "29242025I000000001")
    send_all(window, cancel)
    got = window.wait_statuses(ei.AGENT, record_guid(cancel), ["2", "120", "399"])
    assert got == ["2", "120", "399"]
    assert status(window, guid)["deleted"] is True
    book = window.http.get(f"/api/v1/account-books/{ei.EMS_NO}",
                           headers=auth(window, ei.WAREHOUSE)).json()
    assert book["items"][0]["balance"] == "5"


def test_a_return_on_day_30_cancels_the_tax_and_one_on_day_31_is_refused(
        window: Window) -> None:
    stock(window, "5")
    flows = [ei.import_flow(1), ei.import_flow(2)]
    send_all(window, *flows[0], *flows[1])
    for flow in flows:
        assert window.wait_statuses(ei.AGENT, record_guid(flow[3]), LIST_RELEASED,
                                    WAIT)[-1] == "800"
    advance(window, "P30D")
    refund = ei.refund(1, "29242025I000000001")
    send_all(window, refund)
    assert window.wait_statuses(ei.AGENT, record_guid(refund), ["2", "120"]) == ["2", "120"]
    send_all(window, ei.delivery([1]))  # the goods are back in the zone
    assert window.wait_statuses(ei.AGENT, record_guid(refund), ["399"]) == ["399"]
    statuses = tax_messages(window, ei.AGENT, "CEB818Message")
    assert statuses[0]["Tax"][0]["TaxHeadStatus"]["status"] == "3"  # cancelled
    advance(window, "P1D")  # day 31: the other list's tax falls due, its return is too late
    late = ei.refund(2, "29242025I000000002")
    send_all(window, late)
    assert window.wait_statuses(ei.AGENT, record_guid(late), ["2", "100"]) == ["2", "100"]
    statuses = tax_messages(window, ei.AGENT, "CEB818Message", wanted=2)
    assert [s["Tax"][0]["TaxHeadStatus"]["status"] for s in statuses] == ["3", "2"]
    assert Decimal(status(window, record_guid(flows[0][3]))["clearance"][
        "countedTowardYear"]) == 0


def test_a_prohibited_item_on_a_9610_import_is_returned(window: Window) -> None:
    """Bird's nest is on the positive list but may not come in by 9610 direct purchase:
    inspection examines it and customs returns it abroad (700); nothing is released."""
    nest = ei.line(itemName="燕窝", gname="燕窝", gcode="0410001000",
                   gmodel="50g/盒|edible bird's nest", unit="140", qty="1", qty1="0.05",
                   price="198", totalPrice="198")
    flow = [ei.order(7, mode="9610", items=[nest]),
            ei.payment(7, amount=ei.amounts([nest], "10")["acturalPaid"]),
            ei.waybill(7, mode="9610"), ei.inventory(7, mode="9610", items=[nest])]
    send_all(window, *flow)
    guid = record_guid(flow[3])
    expected = ["2", "120", "399", "500", "700"]
    assert window.wait_statuses(ei.AGENT, guid, expected, WAIT) == expected
    assert window.wait_statuses(ei.AGENT, guid, ["800"], timeout=2) == []
    view = status(window, guid)
    assert (view["status"], view["inspection"]["outcome"]) == ("700", "return_abroad")
    assert "P-BIRDS-NEST" in str(view["inspection"])
