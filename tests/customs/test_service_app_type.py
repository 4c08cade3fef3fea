"""Customs service: duplicates, changes and deletes (appType 1/2/3) and drafts
(appStatus 1), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.customs.builders import (
    AGENT,
    inventory_line,
    make_arrival,
    make_inventory,
    make_order,
    make_receipt,
    make_waybill,
    order_line,
    record_guid,
)
from tests.customs.harness import Customs, find

XSD = Path(__file__).resolve().parents[3] / "shared" / "reference" / "xsd" / \
    "ceb-export-202205.xsd"
BEFORE_167 = datetime(2024, 12, 14, 4, 0, tzinfo=UTC)  # 12:00 in Beijing, 2024-12-14
FROM_167 = datetime(2024, 12, 14, 16, 0, tzinfo=UTC)  # 00:00 in Beijing, 2024-12-15


class TestDuplicates:
    @pytest.mark.parametrize(("build", "code"), [
        (make_order, "-301010"), (make_receipt, "-401007"), (make_waybill, "-504015"),
        (make_inventory, "-603004"),
    ])
    def test_the_same_business_key_twice(self, customs: Customs, build: Any,
                                         code: str) -> None:
        first, second = build(), build()
        customs.send(first, second)
        assert customs.statuses(second) == [code]
        assert customs.receipts(second)[0]["recipient"] == customs.receipts(first)[0][
            "recipient"]

    @pytest.mark.parametrize(("mirror", "code"), [
        (make_order(items=[order_line(1), order_line(1)], goodsValue="200"), "-301002"),
        (make_inventory(items=[inventory_line(1), inventory_line(1)]), "-603027"),
    ])
    def test_repeated_item_numbers(self, customs: Customs, mirror: dict[str, Any],
                                   code: str) -> None:
        customs.send(mirror)
        assert customs.statuses(mirror) == [code]
        assert "1" in customs.last(mirror)["returnInfo"]

    def test_a_duplicate_arrival(self, customs: Customs) -> None:
        again = make_arrival([1])
        customs.send(make_arrival([1]), again)
        assert customs.statuses(again) == ["-507004"]


class TestChangeAndDelete:
    @pytest.mark.parametrize(("build", "code"), [
        (make_order, "-301009"), (make_receipt, "-401006"), (make_waybill, "-504014"),
        (make_inventory, "-603011"),
    ])
    def test_changing_what_was_never_declared(self, customs: Customs, build: Any,
                                              code: str) -> None:
        change, delete = build(appType="2"), build(appType="3")
        customs.send(change, delete)
        assert customs.statuses(change) == [code]
        assert customs.statuses(delete) == [code]

    def test_an_order_changes_until_a_list_holds_it(self, customs: Customs) -> None:
        change = make_order(appType="2", note="changed")
        customs.send(make_order(), change)
        assert customs.statuses(change) == ["2", "120"]
        assert "变更申报成功" in customs.infos(change)[0]
        customs.send(make_inventory())
        late = make_order(appType="2")
        customs.send(late)
        assert customs.statuses(late) == ["-301011"]

    def test_a_waybill_held_by_a_list_cannot_be_deleted(self, customs: Customs) -> None:
        delete = make_waybill(appType="3")
        customs.send(make_waybill(), make_inventory(), delete)
        assert customs.statuses(delete) == ["-504016"]

    def test_a_rejected_list_is_corrected_by_a_change(self, customs: Customs) -> None:
        wrong = make_inventory(items=[inventory_line(qty="3", totalPrice="150")])
        fixed = make_inventory(appType="2")
        customs.send(make_order(), make_waybill(), wrong)
        customs.send(fixed)
        assert customs.statuses(wrong) == ["2", "120", "100"]
        assert customs.statuses(fixed) == ["2", "120", "399"]
        view = find("INV00000001", AGENT)
        assert view["guid"] == record_guid(fixed) and view["mismatches"] == []
        assert customs.last(fixed)["invtNo"] == customs.receipts(wrong)[1]["payload"][
            "InventoryReturn"][0]["invtNo"]  # the list keeps its numbers

    def test_an_approved_list_cannot_change(self, customs: Customs) -> None:
        change = make_inventory(appType="2")
        customs.send(make_order(), make_waybill(), make_inventory(), change)
        assert customs.statuses(change) == ["-603012"]

    def test_a_deleted_list_frees_its_copno(self, customs: Customs) -> None:
        delete, again = make_inventory(appType="3"), make_inventory()
        customs.send(make_inventory(), delete, again)
        assert customs.statuses(delete) == ["2", "120"]
        assert customs.infos(delete) == [f"删除申报成功[{record_guid(delete)}]",
                                         "删除成功 deleted"]
        assert customs.statuses(again) == ["2", "120"]

    def test_another_enterprise_cannot_change_a_document(self, customs: Customs) -> None:
        change = make_order(appType="2")
        customs.send(make_order())
        customs.send(change, sender="INTRUDER01")
        assert customs.statuses(change) == ["-301009"]
        assert customs.receipts(change)[0]["recipient"] == "INTRUDER01"


class TestDraft:
    def test_a_draft_gets_status_1_only(self, customs: Customs) -> None:
        draft = make_inventory(appStatus="1")
        customs.send(make_order(), make_waybill(), draft)
        assert customs.statuses(draft) == ["1"]
        assert customs.last(draft)["preNo"].startswith("B20250301")
        assert find("INV00000001", AGENT)["status"] == "1"

    def test_a_draft_order_does_not_count_for_the_match(self, customs: Customs) -> None:
        inventory = make_inventory()
        customs.send(make_order(appStatus="1"), make_waybill(), inventory)
        assert customs.statuses(inventory) == ["2", "120"]
        declared = make_order()
        customs.send(declared)
        assert customs.statuses(declared) == ["2", "120"]
        assert customs.statuses(inventory) == ["2", "120", "399"]
