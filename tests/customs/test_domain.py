"""The pure rules of 9610 export (services/customs/domain.py), table-driven, no fixtures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from services.customs import domain, matching
from services.customs.domain import Decision, ListRef, Parcels
from services.customs.matching import (
    InventoryFacts,
    Item,
    MatchResult,
    OrderFacts,
    ReceiptFacts,
    WaybillFacts,
)

TOL = D("0.05")


def item(gnum: int = 1, item_no: str = "SKU1", qty: str = "2", price: str = "50",
         total: str = "100", currency: str = "142") -> Item:
    return Item(gnum, item_no, D(qty), D(price), D(total), currency)


def order(*items: Item, ebc: str = "SELLER0001", goods: str = "100",
          freight: str = "10") -> OrderFacts:
    return OrderFacts(ebc, D(goods), D(freight), "142", items or (item(),))


def inventory(*items: Item, ebc: str = "SELLER0001") -> InventoryFacts:
    return InventoryFacts(ebc, items or (item(),))


class TestNumbers:
    @pytest.mark.parametrize(("prefix", "day", "seq", "expected"), [
        ("B", date(2024, 3, 1), 1, "B20240301000000001"),
        ("Y", date(2024, 12, 31), 123456789, "Y20241231123456789"),
        ("L", date(2025, 1, 2), 42, "L20250102000000042"),
    ])
    def test_pre_no_is_letter_day_and_nine_digits(self, prefix: str, day: date, seq: int,
                                                   expected: str) -> None:
        assert domain.pre_no(prefix, day, seq) == expected
        assert len(expected) == 18

    @pytest.mark.parametrize(("customs", "year", "seq", "expected"), [
        ("5100", 2024, 1, "51002024E000000001"),
        ("2924", 2025, 987654321, "29242025E987654321"),
    ])
    def test_invt_no_is_customs_year_flag_and_nine_digits(self, customs: str, year: int,
                                                          seq: int, expected: str) -> None:
        assert domain.invt_no(customs, year, seq) == expected
        assert len(expected) == 18

    @pytest.mark.parametrize(("call", "args"), [
        (domain.pre_no, ("BB", date(2024, 1, 1), 1)),
        (domain.pre_no, ("B", date(2024, 1, 1), 10**9)),
        (domain.invt_no, ("510", 2024, 1)),
        (domain.invt_no, ("5100", 2024, 0)),
    ])
    def test_numbers_refuse_parts_that_do_not_fit(self, call: Callable[..., str],
                                                  args: tuple[object, ...]) -> None:
        with pytest.raises(ValueError):
            call(*args)

    @pytest.mark.parametrize(("at", "expected"), [
        (datetime(2024, 3, 1, 2, 15, 0, 123456, tzinfo=UTC), "20240301101500123"),
        (datetime(2024, 12, 31, 16, 0, 0, tzinfo=UTC), "20250101000000000"),
    ])
    def test_return_time_is_beijing_time_with_milliseconds(self, at: datetime,
                                                            expected: str) -> None:
        assert domain.ceb_return_time(at) == expected


class TestBusinessKey:
    @pytest.mark.parametrize(("kind", "head", "key"), [
        ("order", {"ebpCode": "P", "ebcCode": "C", "orderNo": "SO1"}, ("P", "SO1")),
        ("receipt", {"ebpCode": "P", "ebcCode": "C", "orderNo": "SO1"}, ("C", "SO1")),
        ("waybill", {"logisticsCode": "L", "logisticsNo": "LP1"}, ("L", "LP1")),
        ("inventory", {"agentCode": "A", "copNo": "INV1", "ebcCode": "C"}, ("A", "INV1")),
        ("arrival", {"operatorCode": "O", "copNo": "ARR1", "msgCount": 1, "msgSeqNo": 1},
         ("O", "ARR1")),
        ("arrival", {"operatorCode": "O", "copNo": "ARR1", "msgCount": 3, "msgSeqNo": 2},
         ("O", "ARR1/2")),
        ("departure", {"logisticsCode": "L", "copNo": "DEP1", "msgCount": 2, "msgSeqNo": 2},
         ("L", "DEP1/2")),
    ])
    def test_the_key_of_each_kind(self, kind: domain.Kind, head: dict[str, object],
                                  key: tuple[str, str]) -> None:
        assert domain.business_key(kind, head) == key


class TestReceiptRequired:
    @pytest.mark.parametrize(("at", "required"), [
        (datetime(2024, 12, 14, 15, 59, tzinfo=UTC), True),  # 23:59 in Beijing
        (datetime(2024, 12, 14, 16, 0, tzinfo=UTC), False),  # 2024-12-15 00:00 in Beijing
        (datetime(2025, 6, 1, tzinfo=UTC), False),
        (datetime(2023, 1, 1, tzinfo=UTC), True),
    ])
    def test_gacc_2024_167_drops_the_receipt_from_2024_12_15(self, at: datetime,
                                                             required: bool) -> None:
        assert domain.receipt_required(at, date(2024, 12, 15)) is required


class TestStateMachine:
    @pytest.mark.parametrize(("kind", "current", "new", "allowed"), [
        ("inventory", None, "1", True),
        ("inventory", None, "2", True),
        ("inventory", "1", "2", True),
        ("inventory", "2", "120", True),
        ("inventory", "2", "399", False),
        ("inventory", "120", "399", True),
        ("inventory", "120", "100", True),
        ("inventory", "120", "2", True),
        ("inventory", "100", "2", True),
        ("inventory", "399", "800", True),
        ("inventory", "399", "2", False),
        ("inventory", "399", "899", False),
        ("inventory", "800", "899", True),
        ("inventory", "899", "800", False),
        ("inventory", None, "120", False),
        ("order", "2", "120", True),
        ("order", "2", "399", False),
        ("order", "120", "2", True),
        ("receipt", "2", "120", True),
        ("waybill", "2", "399", True),
        ("waybill", "2", "120", False),
        ("arrival", "2", "399", True),
        ("arrival", "399", "2", False),
        ("departure", "2", "100", True),
        ("departure", "399", "899", False),
    ])
    def test_allowed_transitions(self, kind: domain.Kind, current: str | None, new: str,
                                 allowed: bool) -> None:
        assert domain.can_move(kind, current, new) is allowed

    def test_check_move_raises_on_an_illegal_transition(self) -> None:
        with pytest.raises(domain.IllegalTransition):
            domain.check_move("inventory", "899", "800")

    @pytest.mark.parametrize(("kind", "status", "blocked", "modifiable"), [
        ("inventory", "1", False, True),
        ("inventory", "2", False, True),
        ("inventory", "120", False, True),
        ("inventory", "100", False, True),
        ("inventory", "399", False, False),
        ("inventory", "800", False, False),
        ("inventory", "899", False, False),
        ("order", "120", False, True),
        ("order", "120", True, False),
        ("order", "100", False, True),
        ("receipt", "120", True, False),
        ("waybill", "399", False, True),
        ("waybill", "399", True, False),
        ("arrival", "1", False, True),
        ("arrival", "399", False, False),
        ("departure", "100", False, True),
        ("departure", "399", False, False),
    ])
    def test_modifiable(self, kind: domain.Kind, status: str, blocked: bool,
                        modifiable: bool) -> None:
        assert domain.is_modifiable(kind, status, blocked=blocked) is modifiable

    @pytest.mark.parametrize(("status", "holds"), [
        ("1", False), ("2", False), ("100", False), ("120", True), ("399", True),
        ("800", True), ("899", True),
    ])
    def test_lists_that_hold_their_documents(self, status: str, holds: bool) -> None:
        assert (status in domain.HOLDING_LIST_STATES) is holds


class TestAppType:
    @pytest.mark.parametrize(("app_type", "existing", "modifiable", "decision"), [
        ("1", None, True, Decision.CREATE),
        ("1", "1", True, Decision.REDECLARE),
        ("1", "120", True, Decision.DUPLICATE),
        ("1", "100", True, Decision.DUPLICATE),
        ("2", None, True, Decision.NOT_FOUND),
        ("2", "120", True, Decision.CHANGE),
        ("2", "399", False, Decision.NOT_MODIFIABLE),
        ("3", None, True, Decision.NOT_FOUND),
        ("3", "100", True, Decision.DELETE),
        ("3", "800", False, Decision.NOT_MODIFIABLE),
    ])
    def test_decision(self, app_type: str, existing: str | None, modifiable: bool,
                      decision: Decision) -> None:
        assert domain.decide_app_type(app_type, existing, modifiable=modifiable) is decision

    @pytest.mark.parametrize(("decision", "refused"), [
        (Decision.CREATE, False), (Decision.REDECLARE, False), (Decision.CHANGE, False),
        (Decision.DELETE, False), (Decision.DUPLICATE, True), (Decision.NOT_FOUND, True),
        (Decision.NOT_MODIFIABLE, True),
    ])
    def test_refused_decisions(self, decision: Decision, refused: bool) -> None:
        assert decision.refused is refused


class TestAmounts:
    @pytest.mark.parametrize(("a", "b", "tolerance", "ok"), [
        ("100", "100", "0", True),
        ("100", "105", "0.05", True),
        ("100", "106", "0.05", False),
        ("0", "0", "0.05", True),
        ("100.00000", "100", "0", True),
    ])
    def test_within(self, a: str, b: str, tolerance: str, ok: bool) -> None:
        assert domain.within(D(a), D(b), D(tolerance)) is ok

    @pytest.mark.parametrize(("value", "text"), [
        (D("100.00000"), "100"), (D("0.50"), "0.5"), (D("0"), "0"), (None, "(none)"),
        ("SKU1", "SKU1"),
    ])
    def test_fmt(self, value: D | str | None, text: str) -> None:
        assert domain.fmt(value) == text

    @pytest.mark.parametrize(("numbers", "dups"), [
        ([1, 2, 3], []), ([1, 2, 1], [1]), ([2, 2, 2, 3, 3], [2, 3]),
    ])
    def test_duplicates(self, numbers: list[int], dups: list[int]) -> None:
        assert domain.duplicates(numbers) == dups

    @pytest.mark.parametrize(("facts", "problems"), [
        (order(), []),
        (order(goods="150"), ["OrderHead.goodsValue 150 ≠ sum(OrderList.totalPrice) 100"]),
        (order(item(total="130"), goods="130"),
         ["OrderList[gnum=1].totalPrice 130 ≠ qty×price 100"]),
        (order(item(total="104"), goods="104"), []),  # within 5%
    ])
    def test_order_problems(self, facts: OrderFacts, problems: list[str]) -> None:
        assert matching.order_problems(facts, TOL) == problems


class TestMatchInventory:
    @pytest.mark.parametrize(("documents", "receipt_required", "missing"), [
        ({"order": None, "waybill": None, "receipt": None}, True,
         ("order", "waybill", "receipt")),
        ({"order": order(), "waybill": None, "receipt": None}, True, ("waybill", "receipt")),
        ({"order": order(), "waybill": WaybillFacts(None), "receipt": None}, True,
         ("receipt",)),
        ({"order": order(), "waybill": WaybillFacts(None), "receipt": None}, False, ()),
        ({"order": None, "waybill": WaybillFacts(None), "receipt": None}, False, ("order",)),
    ])
    def test_missing_documents_make_the_list_wait(self, documents: dict, receipt_required: bool,
                                                  missing: tuple[str, ...]) -> None:
        result = matching.match_inventory(inventory(), **documents,
                                        receipt_required=receipt_required, tolerance=TOL)
        assert result.missing == missing
        assert result.complete is (not missing)

    @pytest.mark.parametrize(("inv", "facts", "waybill", "receipt", "mismatches"), [
        (inventory(), order(), WaybillFacts(None), ReceiptFacts(D("110"), "142"), []),
        (inventory(), order(), WaybillFacts("SELLER0001"), ReceiptFacts(D("112"), "142"), []),
        (inventory(ebc="OTHER00001"), order(), WaybillFacts(None),
         ReceiptFacts(D("110"), "142"),
         ["OrderHead.ebcCode SELLER0001 ≠ InventoryHead.ebcCode OTHER00001"]),
        (inventory(item(qty="3", total="150")), order(), WaybillFacts(None),
         ReceiptFacts(D("110"), "142"),
         ["OrderList[gnum=1].qty 2 ≠ InventoryList[gnum=1].qty 3",
          "OrderList[gnum=1].totalPrice 100 ≠ InventoryList[gnum=1].totalPrice 150",
          "sum(InventoryList.totalPrice) 150 ≠ OrderHead.goodsValue 100"]),
        (inventory(item(item_no="SKU9", currency="502")), order(), WaybillFacts(None),
         ReceiptFacts(D("110"), "142"),
         ["OrderList[gnum=1].itemNo SKU1 ≠ InventoryList[gnum=1].itemNo SKU9",
          "OrderList[gnum=1].currency 142 ≠ InventoryList[gnum=1].currency 502"]),
        (inventory(item(), item(gnum=2, total="0", qty="1", price="0")), order(),
         WaybillFacts(None), ReceiptFacts(D("110"), "142"),
         ["InventoryList[gnum=2] has no OrderList[gnum=2]"]),
        (inventory(item(gnum=2)), order(), WaybillFacts(None), ReceiptFacts(D("110"), "142"),
         ["OrderList[gnum=1] has no InventoryList[gnum=1]",
          "InventoryList[gnum=2] has no OrderList[gnum=2]"]),
        (inventory(), order(), WaybillFacts(None), ReceiptFacts(D("80"), "142"),
         ["Receipts.charge 80 ≠ OrderHead.goodsValue+freight 110"]),
        (inventory(), order(), WaybillFacts(None), ReceiptFacts(D("110"), "502"),
         ["Receipts.currency 502 ≠ OrderHead.currency 142"]),
        (inventory(), order(), WaybillFacts("OTHER00001"), ReceiptFacts(D("110"), "142"),
         ["Logistics.ebcCode OTHER00001 ≠ InventoryHead.ebcCode SELLER0001"]),
        (inventory(item(total="104")), order(), WaybillFacts(None),
         ReceiptFacts(D("110"), "142"), []),  # totals within the 5% tolerance
    ])
    def test_mismatches_are_named_field_by_field(self, inv: InventoryFacts, facts: OrderFacts,
                                                 waybill: WaybillFacts, receipt: ReceiptFacts,
                                                 mismatches: list[str]) -> None:
        result = matching.match_inventory(inv, order=facts, waybill=waybill, receipt=receipt,
                                        receipt_required=True, tolerance=TOL)
        assert result == MatchResult(mismatches=tuple(mismatches))
        assert result.ok is (not mismatches)

    def test_the_receipt_is_not_compared_when_not_required(self) -> None:
        result = matching.match_inventory(inventory(), order=order(), waybill=WaybillFacts(None),
                                        receipt=ReceiptFacts(D("1"), "502"),
                                        receipt_required=False, tolerance=TOL)
        assert result.ok

    @pytest.mark.parametrize(("missing", "text"), [
        (("order",), "awaiting 订单 order"),
        (("order", "waybill"), "awaiting 订单 order, 运单 waybill"),
    ])
    def test_awaiting_text(self, missing: tuple[str, ...], text: str) -> None:
        assert matching.awaiting_text(missing) == text


def lst(ref: int, no: str, status: str, bill: str | None = "BILL1",
        carrier: str = "CARRIER001") -> ListRef:
    return ListRef(ref, carrier, no, bill, status)


class TestTransport:
    @pytest.mark.parametrize(("parcels", "lists", "released"), [
        (Parcels("CARRIER001", ("LP1", "LP2"), None),
         [lst(1, "LP1", "399"), lst(2, "LP2", "120"), lst(3, "LP3", "399")], [1]),
        (Parcels("CARRIER001", ("LP1",), None), [lst(1, "LP1", "399", carrier="OTHER")], []),
        (Parcels("CARRIER001", (), "BILL1"),
         [lst(1, "LP1", "399"), lst(2, "LP2", "399", bill="BILL2"), lst(3, "LP3", "800")], [1]),
        (Parcels("CARRIER001", (), None), [lst(1, "LP1", "399", bill=None)], []),
    ])
    def test_an_arrival_releases_the_approved_lists_it_covers(
            self, parcels: Parcels, lists: list[ListRef], released: list[int]) -> None:
        assert [r.ref for r in domain.released_by_arrival(parcels, lists)] == released

    @pytest.mark.parametrize(("arrivals", "arrived"), [
        ([], False),
        ([Parcels("CARRIER001", ("LP9",), None)], False),
        ([Parcels("CARRIER001", ("LP9",), None), Parcels("CARRIER001", ("LP1",), None)], True),
        ([Parcels("CARRIER001", (), "BILL1")], True),
    ])
    def test_a_list_reaching_399_after_its_parcel_arrived(self, arrivals: list[Parcels],
                                                          arrived: bool) -> None:
        assert domain.arrived(lst(1, "LP1", "399"), arrivals) is arrived

    @pytest.mark.parametrize(("names", "lists", "closed", "not_released"), [
        (("LP1", "LP2"), [lst(1, "LP1", "800"), lst(2, "LP2", "800")], [1, 2], ()),
        (("LP1", "LP2"), [lst(1, "LP1", "800"), lst(2, "LP2", "399")], [], ("LP2",)),
        (("LP1", "LP3"), [lst(1, "LP1", "800")], [], ("LP3",)),
        (("LP1",), [lst(1, "LP1", "899")], [], ("LP1",)),
        (("LP1",), [lst(1, "LP1", "100"), lst(2, "LP1", "800")], [2], ()),
    ])
    def test_a_departure_closes_all_named_released_lists_or_none(
            self, names: tuple[str, ...], lists: list[ListRef], closed: list[int],
            not_released: tuple[str, ...]) -> None:
        outcome = domain.departure_outcome(Parcels("CARRIER001", names, None), lists)
        assert [c.ref for c in outcome.close] == closed
        assert outcome.not_released == not_released
        assert outcome.ok is (not not_released)


class TestStatusName:
    @pytest.mark.parametrize(("status", "name"), [
        ("800", "放行"), ("899", "结关"), ("120", "海关入库"), ("-603004", "处理异常"),
    ])
    def test_names(self, status: str, name: str) -> None:
        assert domain.status_name(status) == name
