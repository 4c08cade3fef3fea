"""Customs processing 9610 export messages end to end, on SQLite and PostgreSQL.

Messages go in through ``services.customs.tasks.process_messages`` as the gateway dispatches
them; what comes out is read from the ``gateway.tasks.ingest`` jobs customs enqueued.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import update
from sqlmodel import Session

from contracts.ceb import parse_json, to_xml
from infra.errors import NotFound
from services.customs import service, tasks
from services.customs.db import resources
from services.customs.models import ReceiptOutbox
from tests.customs.builders import (
    AGENT,
    CARRIER,
    EBC,
    EBP,
    PAYER,
    dispatched,
    guid,
    inventory_line,
    make_arrival,
    make_departure,
    make_inventory,
    make_order,
    make_receipt,
    make_waybill,
    record_guid,
)
from tests.customs.harness import Customs, find

XSD = Path(__file__).resolve().parents[3] / "shared" / "reference" / "xsd" / \
    "ceb-export-202205.xsd"
BEFORE_167 = datetime(2024, 12, 14, 4, 0, tzinfo=UTC)  # 12:00 in Beijing, 2024-12-14
FROM_167 = datetime(2024, 12, 14, 16, 0, tzinfo=UTC)  # 00:00 in Beijing, 2024-12-15


def released(customs: Customs, n: int = 1) -> dict[str, dict[str, Any]]:
    """Parcel ``n`` declared, matched and arrived (800); its mirrors by name."""
    docs = {"order": make_order(n), "waybill": make_waybill(n), "inventory": make_inventory(n),
            "arrival": make_arrival([n], cop_no=f"ARR{n:04d}")}
    customs.send(*docs.values())
    assert customs.statuses(docs["inventory"])[-1] == "800"
    return docs


class TestFullFlow:
    def test_order_waybill_list_arrival_departure_reach_899(self, customs: Customs) -> None:
        order, waybill, inventory = make_order(), make_waybill(), make_inventory()
        arrival, departure = make_arrival([1]), make_departure([1])
        customs.send(order)
        customs.send(waybill)
        customs.send(inventory)
        customs.send(arrival)
        customs.send(departure)
        assert customs.statuses(order) == ["2", "120"]
        assert customs.statuses(waybill) == ["2", "399"]
        assert customs.statuses(inventory) == ["2", "120", "399", "800", "899"]
        assert customs.statuses(arrival) == ["2", "399"]
        assert customs.statuses(departure) == ["2", "399"]
        types = {r["record_guid"]: r["message_type"] for r in customs.receipts()}
        assert [types[record_guid(m)] for m in (order, waybill, inventory, arrival, departure)] \
            == ["CEB304Message", "CEB506Message", "CEB604Message", "CEB508Message",
                "CEB510Message"]

    def test_return_times_follow_each_other(self, customs: Customs) -> None:
        inventory = make_inventory()
        customs.send(make_order(), make_waybill(), inventory)
        customs.send(make_arrival([1]))
        times = [r["payload"]["InventoryReturn"][0]["returnTime"]
                 for r in customs.receipts(inventory)]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[0] == "20250301100000000"  # the frozen simulator clock, Beijing time

    def test_receipts_echo_the_record_guid_and_go_to_the_sender(self,
                                                                  customs: Customs) -> None:
        order = make_order()
        customs.send(order)
        receipt = customs.receipts(order)[0]
        assert receipt["recipient"] == EBP
        assert receipt["payload"]["OrderReturn"][0]["guid"] == record_guid(order)
        assert receipt["payload"]["guid"] != record_guid(order)


class TestReceiptsAgainstTheXsd:
    def test_every_receipt_of_a_busy_day_is_valid(self, customs: Customs) -> None:
        if not XSD.exists():
            pytest.skip(f"no XSD at {XSD}")
        customs.clock(BEFORE_167)
        customs.send(make_order(), make_receipt(), make_waybill(), make_inventory(),
                     make_arrival([1]))
        customs.send(make_order(), make_inventory(2, billNo=None), make_waybill(2, ebcCode=EBC),
                     make_arrival([], billNo=None, cop_no="ARR2"))
        # inspection answers between batches: the departures come once the lists are released
        customs.send(make_departure([1]), make_departure([2], cop_no="DEP2"))
        customs.send(make_order(1, appType="2", appStatus="1"), make_inventory(3, appStatus="1"))
        receipts = customs.receipts()
        assert {r["return_status"] for r in receipts} >= {"1", "2", "100", "120", "399", "800",
                                                          "899", "-301010"}
        for receipt in receipts:
            body = to_xml(parse_json(receipt["payload"]))
            assert _schema().validate(etree.fromstring(body)), (
                receipt["message_type"], str(_schema().error_log))


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


class TestAnyOrder:
    def test_a_list_before_its_order_waits_then_matches(self, customs: Customs) -> None:
        inventory, order = make_inventory(), make_order()
        customs.send(inventory)
        assert customs.statuses(inventory) == ["2", "120"]
        assert find("INV00000001", AGENT)["timeline"][-1]["info"] == \
            "awaiting 订单 order, 运单 waybill"
        customs.send(order)
        assert customs.statuses(inventory) == ["2", "120"]
        assert find("INV00000001", AGENT)["timeline"][-1]["info"] == "awaiting 运单 waybill"
        customs.send(make_waybill())
        assert customs.statuses(inventory) == ["2", "120", "399"]
        assert customs.receipts(inventory)[-1]["recipient"] == AGENT

    def test_a_list_approved_after_its_parcel_arrived_is_released_at_once(
            self, customs: Customs) -> None:
        inventory, arrival = make_inventory(), make_arrival([1])
        customs.send(inventory, make_waybill(), arrival)
        assert customs.statuses(arrival) == ["2", "399"]
        assert customs.statuses(inventory) == ["2", "120"]
        customs.send(make_order())
        assert customs.statuses(inventory) == ["2", "120", "399", "800"]

    def test_an_arrival_without_parcels_covers_its_bill_of_lading(self,
                                                                  customs: Customs) -> None:
        one, two = make_inventory(1), make_inventory(2, billNo="BILL0002")
        customs.send(make_order(1), make_order(2), make_waybill(1), make_waybill(2), one, two)
        customs.send(make_arrival([], billNo="BILL0002"))
        assert customs.statuses(one)[-1] == "399"
        assert customs.statuses(two)[-1] == "800"


class TestMismatch:
    def test_a_mismatching_list_is_rejected_field_by_field(self, customs: Customs) -> None:
        inventory = make_inventory(items=[inventory_line(qty="3", totalPrice="150")])
        customs.send(make_order(), make_waybill(), inventory)
        assert customs.statuses(inventory) == ["2", "120", "100"]
        info = customs.last(inventory)["returnInfo"]
        assert "OrderList[gnum=1].qty 2 ≠ InventoryList[gnum=1].qty 3" in info
        assert "sum(InventoryList.totalPrice) 150 ≠ OrderHead.goodsValue 100" in info
        assert find("INV00000001", AGENT)["mismatches"] == [
            "OrderList[gnum=1].qty 2 ≠ InventoryList[gnum=1].qty 3",
            "OrderList[gnum=1].totalPrice 100 ≠ InventoryList[gnum=1].totalPrice 150",
            "sum(InventoryList.totalPrice) 150 ≠ OrderHead.goodsValue 100"]

    def test_a_waybill_of_another_seller_is_a_mismatch(self, customs: Customs) -> None:
        inventory = make_inventory()
        customs.send(make_order(), make_waybill(ebcCode="OTHER00001"), inventory)
        assert customs.statuses(inventory)[-1] == "100"
        assert "Logistics.ebcCode OTHER00001 ≠ InventoryHead.ebcCode SELLER0001" in \
            customs.last(inventory)["returnInfo"]

    def test_an_order_that_does_not_add_up_is_rejected(self, customs: Customs) -> None:
        order = make_order(goodsValue="500")
        customs.send(order)
        assert customs.statuses(order) == ["2", "100"]
        assert "OrderHead.goodsValue 500 ≠ sum(OrderList.totalPrice) 100" in \
            customs.last(order)["returnInfo"]


class TestPaymentReceipt:
    def test_before_2024_12_15_a_list_waits_for_the_receipt(self, customs: Customs) -> None:
        customs.clock(BEFORE_167)
        inventory, receipt = make_inventory(), make_receipt()
        customs.send(make_order(), make_waybill(), inventory)
        assert customs.statuses(inventory) == ["2", "120"]
        assert find("INV00000001", AGENT)["timeline"][-1]["info"] == "awaiting 收款单 receipt"
        customs.send(receipt)
        assert customs.statuses(receipt) == ["2", "120"]
        assert customs.receipts(receipt)[0]["message_type"] == "CEB404Message"
        assert customs.receipts(receipt)[0]["recipient"] == PAYER
        assert customs.statuses(inventory) == ["2", "120", "399"]

    def test_from_2024_12_15_no_receipt_is_needed(self, customs: Customs) -> None:
        customs.clock(FROM_167)
        inventory = make_inventory()
        customs.send(make_order(), make_waybill(), inventory)
        assert customs.statuses(inventory) == ["2", "120", "399"]

    def test_before_2024_12_15_the_charge_must_match_the_order(self, customs: Customs) -> None:
        customs.clock(BEFORE_167)
        inventory = make_inventory()
        customs.send(make_order(), make_waybill(), make_receipt(charge="50"), inventory)
        assert customs.statuses(inventory) == ["2", "120", "100"]
        assert "Receipts.charge 50 ≠ OrderHead.goodsValue+freight 110" in \
            customs.last(inventory)["returnInfo"]


class TestTransport:
    def test_the_release_goes_to_the_list_sender_not_the_carrier(self,
                                                                 customs: Customs) -> None:
        docs = released(customs)
        release = customs.receipts(docs["inventory"])[-1]
        assert (release["recipient"], release["message_type"]) == (AGENT, "CEB604Message")
        assert {r["recipient"] for r in customs.receipts(docs["arrival"])} == {CARRIER}

    def test_each_part_of_a_split_arrival_releases_its_parcels(self,
                                                                customs: Customs) -> None:
        one, two = make_inventory(1), make_inventory(2)
        customs.send(make_order(1), make_order(2), make_waybill(1), make_waybill(2), one, two)
        first = make_arrival([1], msgCount=2, msgSeqNo=1)
        second = make_arrival([2], msgCount=2, msgSeqNo=2)
        customs.send(first)
        assert (customs.statuses(one)[-1], customs.statuses(two)[-1]) == ("800", "399")
        customs.send(second)
        assert customs.statuses(second) == ["2", "399"]
        assert customs.last(second)["msgSeqNo"] == 2
        assert customs.statuses(two)[-1] == "800"

    def test_a_departure_with_an_unreleased_parcel_changes_nothing(self,
                                                                   customs: Customs) -> None:
        docs = released(customs, 1)
        pending = make_inventory(2)
        customs.send(make_order(2), make_waybill(2), pending)
        departure = make_departure([1, 2])
        customs.send(departure)
        assert customs.statuses(departure) == ["2", "100"]
        info = customs.last(departure)["returnInfo"]
        assert "LP00000002" in info and "LP00000001" not in info
        assert customs.statuses(docs["inventory"])[-1] == "800"
        assert customs.statuses(pending)[-1] == "399"

    def test_a_rejected_departure_is_sent_again_as_a_change(self, customs: Customs) -> None:
        released(customs, 1)
        customs.send(make_departure([1, 2]))
        retry = make_departure([1], appType="2")
        customs.send(retry)
        assert customs.statuses(retry) == ["2", "399"]


class TestRedelivery:
    def test_a_redelivered_message_is_not_processed_again(self, customs: Customs) -> None:
        order = make_order()
        item = dispatched(order)
        customs.process(item)
        customs.process(dict(item, message_id="another-delivery"))
        assert customs.statuses(order) == ["2", "120"]
        assert customs.ingest_jobs()[-1] == ([item["message_id"]], [])
        assert len(customs.outbox()) == 2

    def test_unsent_receipts_go_out_again_on_redelivery(self, customs: Customs) -> None:
        order = make_order()
        item = dispatched(order)
        customs.process(item)
        with Session(resources.engine()) as session:
            session.exec(update(ReceiptOutbox).values(sent_at=None))
            session.commit()
        customs.process(item)
        first, again = customs.ingest_jobs()
        assert [r["receipt_id"] for r in again[1]] == [r["receipt_id"] for r in first[1]]
        assert all(row.sent_at is not None for row in customs.outbox())

    def test_a_batch_is_reported_processed_in_one_job(self, customs: Customs) -> None:
        items = [dispatched(make_order(1)), dispatched(make_order(2))]
        customs.process(*items)
        [(ids, receipts)] = customs.ingest_jobs()
        assert ids == [items[0]["message_id"], items[1]["message_id"]]
        assert [r["return_status"] for r in receipts] == ["2", "120", "2", "120"]

    def test_a_message_type_customs_does_not_handle_yet_is_answered_100(
            self, customs: Customs) -> None:
        cancel = {"messageType": "CEB605Message", "guid": guid(), "InvtCancel": [{
            "guid": guid(), "appType": "1", "appTime": "20250301100000", "appStatus": "2",
            "customsCode": "5100", "copNo": "INV00000001", "invtNo": "51002025E000000001",
            "reason": "buyer cancelled", "agentCode": AGENT, "agentName": "Agent",
            "ebcCode": EBC, "ebcName": "Seller"}],
            "BaseTransfer": make_order()["BaseTransfer"]}
        item = dispatched(cancel, sender=AGENT)
        assert customs.process(item) == ["CEB605Message answered 100 (not processed yet)"]
        [(processed, receipts)] = customs.ingest_jobs()
        assert processed == [item["message_id"]]
        assert [(r["message_type"], r["return_status"]) for r in receipts] == [
            ("CEB606Message", "2"), ("CEB606Message", "100")]
        record = receipts[1]["payload"]["InvtCancelReturn"][0]
        assert record["invtNo"] == "51002025E000000001"
        assert "not processed by this simulator yet" in record["returnInfo"]
        assert len(record["preNo"]) == 18

    def test_a_payload_that_is_not_a_ceb_document_is_acknowledged(self,
                                                                  customs: Customs) -> None:
        item = dict(dispatched(make_order()), payload={"messageType": "CEB303Message"})
        assert customs.process(item)[0].startswith("format error")
        assert customs.ingest_jobs() == [([item["message_id"]], [])]


class TestResendOutbox:
    def test_receipts_unsent_for_10_seconds_are_enqueued_again(self,
                                                               customs: Customs) -> None:
        customs.send(make_order())
        with Session(resources.engine()) as session:
            session.exec(update(ReceiptOutbox).values(sent_at=None))
            session.commit()
        assert tasks.resend_outbox() == 0  # too young
        with Session(resources.engine()) as session:
            session.exec(update(ReceiptOutbox).values(stored_at=ReceiptOutbox.stored_at - 11))
            session.commit()
        assert tasks.resend_outbox() == 2
        assert tasks.resend_outbox() == 0
        first, again = customs.ingest_jobs()
        assert again == first


class TestFindDeclaration:
    @pytest.mark.parametrize("field", ["guid", "copNo", "preNo", "invtNo", "orderNo",
                                       "logisticsNo"])
    def test_a_list_is_found_by_any_of_its_numbers(self, customs: Customs, field: str) -> None:
        docs = released(customs)
        receipt = customs.last(docs["inventory"])
        ref = {"guid": record_guid(docs["inventory"]), "copNo": "INV00000001",
               "preNo": receipt["preNo"], "invtNo": receipt["invtNo"],
               "orderNo": "SO00000001", "logisticsNo": "LP00000001"}[field]
        view = find(ref, AGENT)
        assert (view["kind"], view["status"], view["statusName"]) == ("inventory", "800", "放行")
        assert (view["preNo"], view["invtNo"]) == (receipt["preNo"], receipt["invtNo"])
        assert view["keys"]["copNo"] == "INV00000001"

    def test_the_timeline_tells_who_did_what(self, customs: Customs) -> None:
        released(customs)
        timeline = find("INV00000001", AGENT)["timeline"]
        assert [(t["status"], t["actor"]) for t in timeline] == [
            ("2", AGENT), ("120", "customs"), ("399", "customs"), ("800", "customs")]
        assert timeline[0]["at"].startswith("2025-03-01T02:00:00")

    def test_the_same_number_shows_each_enterprise_its_own_document(
            self, customs: Customs) -> None:
        released(customs)
        assert find("SO00000001", EBP)["kind"] == "order"
        assert find("LP00000001", CARRIER)["kind"] == "waybill"
        assert find("ARR0001", CARRIER)["kind"] == "arrival"

    def test_another_enterprise_sees_nothing(self, customs: Customs) -> None:
        released(customs)
        with pytest.raises(NotFound):
            find("INV00000001", EBP)


class TestReset:
    def test_reset_deletes_everything(self, customs: Customs) -> None:
        released(customs)
        with Session(resources.engine()) as session:
            service.reset(session=session)
            session.commit()
        assert customs.outbox() == []
        with pytest.raises(NotFound):
            find("INV00000001", AGENT)
        again = make_inventory()
        customs.send(again)
        assert customs.last(again)["preNo"] == "B20250301000000001"
