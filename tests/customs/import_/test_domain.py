"""The pure rules of retail imports (services/customs/import_/domain.py), table-driven."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.customs.import_ import domain as imp
from services.customs.import_ import matching, remarks, returns
from services.customs.import_.catalog import positive_list
from services.customs.import_.domain import (
    Limits,
    Listing,
    ListLine,
    Order,
    OrderLine,
    Payment,
    Treatment,
    Waybill,
)
from services.customs.import_.matching import Registration

TOL = D("0.05")
BUYER = "110101000000000001"


def list_line(gnum: int = 1, gcode: str = "3304990099", gname: str = "保湿面霜",
              qty: str = "2", unit: str = "142", qty1: str = "0.1", unit1: str = "035",
              price: str = "99", total: str = "198", record: str | None = "100001",
              text: str = "保湿面霜 50g/瓶") -> ListLine:
    return ListLine(gnum, gcode, gname, D(qty), unit, D(qty1), unit1, D(price), D(total),
                    record, None, text)


def listing(*lines: ListLine, mode: str = "1210", freight: str = "0", **changes: object
            ) -> Listing:
    base = Listing(
        trade_mode=mode, ebp_code="PLATFORM01", ebc_code="SELLER0001", order_no="IO1",
        logistics_code="CARRIER001", logistics_no="IL1", agent_code="AGENT00001",
        assure_code="SELLER0001", buyer_name="张三", buyer_id=BUYER,
        buyer_phone="13800138000", consignee_address="成都", freight=D(freight),
        insured_fee=D(0), pack_no=1, lines=lines or (list_line(),),
        ems_no="T2924W000001" if mode == "1210" else None,
        area_code="WAREHOUSE1" if mode == "1210" else None,
        bill_no=None if mode == "1210" else "MAWB1")
    return replace(base, **changes)  # type: ignore[arg-type]


def order(**changes: object) -> Order:
    base = Order(
        ebp_code="PLATFORM01", ebc_code="SELLER0001", order_no="IO1", goods_value=D(198),
        freight=D(0), discount=D(0), tax_total=D("18.02"), actural_paid=D("216.02"),
        buyer_name="张三", buyer_id=BUYER, buyer_phone="13800138000", consignee="张三",
        consignee_phone="13800138000", consignee_address="成都",
        lines=(OrderLine(1, "保湿面霜", D(2), D(99), D(198)),), pay_code="PAYCO00001",
        pay_transaction_id="PT1")
    return replace(base, **changes)  # type: ignore[arg-type]


def payment(**changes: object) -> Payment:
    base = Payment(pay_code="PAYCO00001", pay_transaction_id="PT1", ebp_code="PLATFORM01",
                   order_no="IO1", payer_name="张三", payer_id=BUYER,
                   amount_paid=D("216.02"))
    return replace(base, **changes)  # type: ignore[arg-type]


def waybill(**changes: object) -> Waybill:
    base = Waybill(logistics_code="CARRIER001", logistics_no="IL1", order_no="IO1",
                   consignee="张三", consignee_phone="13800138000", consignee_address="成都",
                   pack_no=1)
    return replace(base, **changes)  # type: ignore[arg-type]


class TestNumbers:
    @pytest.mark.parametrize(("customs", "year", "seq", "expected"), [
        ("2924", 2025, 1, "29242025I000000001"),
        ("5100", 2024, 987654321, "51002024I987654321"),
    ])
    def test_invt_no_carries_the_import_flag(self, customs: str, year: int, seq: int,
                                             expected: str) -> None:
        assert imp.invt_no(customs, year, seq) == expected
        assert len(expected) == 18


class TestOrderProblems:
    @pytest.mark.parametrize(("changes", "expected"), [
        ({}, []),
        ({"actural_paid": D("216.02") * D("1.04")}, []),  # within the 5% tolerance
        ({"actural_paid": D(300)},
         ["CEB311 OrderHead.acturalPaid 300 ≠ goodsValue+freight+taxTotal−discount 216.02"]),
        ({"goods_value": D(250), "actural_paid": D("268.02")},
         ["CEB311 OrderHead.goodsValue 250 ≠ sum(OrderList.totalPrice) 198"]),
        ({"lines": (OrderLine(1, "保湿面霜", D(2), D(99), D(150)),), "goods_value": D(150),
          "actural_paid": D("168.02")},
         ["CEB311 OrderList[gnum=1].totalPrice 150 ≠ qty×price 198"]),
    ])
    def test_the_amounts_add_up(self, changes: dict[str, object], expected: list[str]) -> None:
        assert imp.order_problems(order(**changes), TOL) == expected


class TestListProblems:
    @pytest.mark.parametrize(("lst", "expected"), [
        (listing(), []),
        (listing(mode="9610"), []),
        (listing(ems_no=None), ["CEB621 InventoryHead.emsNo is required for a bonded (1210) "
                                "list: the account book the goods leave"]),
        (listing(list_line(record=None)), ["CEB621 InventoryList[gnum=1].itemRecordNo is "
                                           "required for a bonded (1210) list: the "
                                           "account-book item"]),
        (listing(mode="9610", bill_no=None),
         ["CEB621 InventoryHead.billNo is required for a 9610 direct-purchase list"]),
        (listing(assure_code="AGENT00001"),
         ["CEB621 InventoryHead.assureCode AGENT00001 must be the platform (ebpCode), the "
          "e-commerce enterprise (ebcCode) or the logistics enterprise (logisticsCode) of the "
          "list"]),
        (listing(pack_no=2), ["CEB621 InventoryHead.packNo 2 must be 1"]),
    ])
    def test_a_list_on_its_own(self, lst: Listing, expected: list[str]) -> None:
        assert imp.list_problems(lst, TOL) == expected


class TestPositiveList:
    @pytest.mark.parametrize(("line", "mode", "expected"), [
        (list_line(), "1210", ""),
        (list_line(gcode="2402200000", gname="卷烟", text="卷烟"), "1210",
         "2402200000: 24022000 is not on the positive list"),
        (list_line(gcode="0810500000", gname="猕猴桃", text="猕猴桃", record=None), "9610",
         "may come in only as bonded import (1210), not 9610 (仅限网购保税商品)"),
        (list_line(gcode="0810500000", gname="猕猴桃", text="猕猴桃"), "1210", ""),
        (list_line(gcode="3215190000", gname="油墨", text="工业印刷油墨"), "1210",
         "only 仅限家用型打印机用墨水、墨盒 qualifies under this line"),
        (list_line(gcode="3215190000", gname="家用打印机墨盒", text="家用打印机墨盒"), "1210", ""),
        (list_line(gcode="0407909000", gname="野生鸟蛋", text="野生鸟蛋"), "1210",
         "的商品除外' (the line names '野生')"),
        (list_line(gcode="1701991000", gname="砂糖", text="砂糖", unit="011", unit1="011"),
         "1210", "capped at 2 kg per person per year; declare its weight"),
        (list_line(gcode="1701991000", gname="砂糖", text="砂糖 1kg"), "1210", ""),
    ])
    def test_every_line_is_on_the_list_and_allowed_by_its_remark(
            self, line: ListLine, mode: str, expected: str) -> None:
        problems = remarks.positive_list_problems(listing(line, mode=mode), positive_list())
        if expected:
            assert len(problems) == 1 and expected in problems[0], problems
        else:
            assert problems == []

    @pytest.mark.parametrize(("lines", "expected"), [
        ((list_line(),), {}),
        ((list_line(gcode="1701991000", qty1="1.5", unit1="035"),), {"17019910": D("1.5")}),
        ((list_line(gcode="1006309000", qty="5", unit="035", qty1="5", unit1="035"),
          list_line(2, gcode="1006309000", qty1="2000", unit1="036")),
         {"10063090": D(7)}),
    ])
    def test_capped_lines_count_their_kilograms(self, lines: tuple[ListLine, ...],
                                                expected: dict[str, D]) -> None:
        assert remarks.capped_quantities(listing(*lines), positive_list()) == expected


class TestLimits:
    @pytest.mark.parametrize(("value", "single", "used", "expected"), [
        ("198", False, "0", Treatment.IN_LIMIT),
        ("5000", False, "0", Treatment.IN_LIMIT),
        ("5000.01", True, "0", Treatment.FULL_RATE),  # one indivisible item: full tax
        ("5000.01", False, "0", Treatment.OVER_SINGLE),  # divisible: -621005
        ("2000", False, "24000", Treatment.IN_LIMIT),  # exactly 26,000
        ("2500", False, "24000", Treatment.OVER_YEAR),  # crossing 26,000 in December
        ("5000.01", True, "21000", Treatment.OVER_YEAR),  # the full-rate item counts too
    ])
    def test_single_and_yearly_limits(self, value: str, single: bool, used: str,
                                      expected: Treatment) -> None:
        assert imp.treatment(D(value), single_item=single, used_this_year=D(used),
                             limits=Limits()) is expected

    @pytest.mark.parametrize(("lines", "expected"), [
        ((list_line(qty="1", total="5000.01", price="5000.01"),), True),
        ((list_line(qty="2", total="6000", price="3000"),), False),
        ((list_line(qty="1"), list_line(2, qty="1")), False),
    ])
    def test_a_single_indivisible_item_is_one_line_of_one(self, lines: tuple[ListLine, ...],
                                                          expected: bool) -> None:
        assert imp.indivisible(listing(*lines)) is expected

    def test_dutiable_value_is_goods_freight_and_insurance(self) -> None:
        lst = listing(freight="10", insured_fee=D("1.5"))
        assert lst.dutiable_value == D("209.5")


class TestMatch:
    def test_missing_documents_wait(self) -> None:
        result = matching.match(listing(), order=None, payment=payment(), waybill=None,
                           tolerance=TOL)
        assert result.missing == (imp.ORDER, imp.WAYBILL) and not result.ok
        assert matching.awaiting_text(result.missing) == \
            "awaiting 订单 order (CEB311), 运单 waybill (CEB511)"

    @pytest.mark.parametrize(("docs", "expected"), [
        ({}, []),
        ({"order": order(buyer_id="220101000000000009")},
         ["CEB311 OrderHead.buyerIdNumber 220101000000000009 ≠ CEB621 InventoryHead."
          "buyerIdNumber 110101000000000001",
          "CEB411 PaymentHead.payerIdNumber 110101000000000001 ≠ CEB311 OrderHead."
          "buyerIdNumber 220101000000000009"]),
        ({"payment": payment(amount_paid=D(100))},
         ["CEB411 PaymentHead.amountPaid 100 ≠ CEB311 OrderHead.acturalPaid 216.02"]),
        ({"payment": payment(payer_name="李四", payer_id="330101000000000002")},
         ["CEB411 PaymentHead.payerName 李四 ≠ CEB311 OrderHead.buyerName 张三",
          "CEB411 PaymentHead.payerIdNumber 330101000000000002 ≠ CEB311 OrderHead."
          "buyerIdNumber 110101000000000001"]),
        ({"payment": payment(pay_transaction_id="PT9")},
         ["CEB411 PaymentHead.payTransactionId PT9 ≠ CEB311 OrderHead.payTransactionId PT1"]),
        ({"waybill": waybill(consignee_address="北京")},
         ["CEB511 LogisticsHead.consigneeAddress 北京 ≠ CEB311 OrderHead.consigneeAddress 成都"]),
        ({"order": order(lines=(OrderLine(1, "面霜", D(3), D(66), D(198)),))},
         ["CEB311 OrderList[gnum=1].itemName 面霜 ≠ CEB621 InventoryList[gnum=1].gname 保湿面霜",
          "CEB311 OrderList[gnum=1].qty 3 ≠ CEB621 InventoryList[gnum=1].qty 2"]),
        ({"order": order(goods_value=D(300), actural_paid=D("318.02"))},
         ["CEB311 OrderHead.goodsValue 300 ≠ sum(CEB621 InventoryList.totalPrice) 198",
          "CEB411 PaymentHead.amountPaid 216.02 ≠ CEB311 OrderHead.acturalPaid 318.02"]),
    ])
    def test_every_disagreeing_field_is_named_with_its_document(
            self, docs: dict[str, object], expected: list[str]) -> None:
        result = matching.match(listing(), order=docs.get("order", order()),  # type: ignore[arg-type]
                           payment=docs.get("payment", payment()),  # type: ignore[arg-type]
                           waybill=docs.get("waybill", waybill()),  # type: ignore[arg-type]
                           tolerance=TOL)
        assert list(result.mismatches) == expected

    def test_a_certified_buyer_may_have_another_payer(self) -> None:
        other = payment(payer_name="李四", payer_id="330101000000000002")
        result = matching.match(listing(), order=order(), payment=other, waybill=waybill(),
                           tolerance=TOL, certified=True)
        assert result.ok

    @pytest.mark.parametrize(("roles", "expected"), [
        ({"PLATFORM01": {"ebp"}, "SELLER0001": {"ebc"}, "CARRIER001": {"logistics"},
          "AGENT00001": {"agent"}, "WAREHOUSE1": {"warehouse"}, "PAYCO00001": {"payment"}}, []),
        ({"PLATFORM01": {"ebc"}, "SELLER0001": {"ebc"}, "CARRIER001": {"logistics"},
          "AGENT00001": {"ebc"}, "WAREHOUSE1": {"warehouse"}},
         ["CEB621 InventoryHead.ebpCode PLATFORM01 is not registered as ebp",
          "CEB411 PaymentHead.payCode PAYCO00001 is not registered as payment"]),
    ])
    def test_parties_are_registered_for_their_roles(self, roles: dict[str, set[str]],
                                                    expected: list[str]) -> None:
        registry = Registration({k: frozenset(v) for k, v in roles.items()})
        result = matching.match(listing(), order=order(), payment=payment(), waybill=waybill(),
                           tolerance=TOL, registry=registry)
        assert list(result.mismatches) == expected


RELEASED = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 Beijing, 1 March


class TestReturnWindows:
    @pytest.mark.parametrize(("applied", "in_time"), [
        (datetime(2025, 3, 31, 15, 59, tzinfo=UTC), True),  # day 30, 23:59 Beijing
        (datetime(2025, 3, 31, 16, 0, tzinfo=UTC), False),  # day 31, 00:00 Beijing
        (datetime(2025, 3, 2, 2, 0, tzinfo=UTC), True),
    ])
    def test_a_return_is_applied_for_within_30_days(self, applied: datetime,
                                                    in_time: bool) -> None:
        assert returns.return_applied_in_time(RELEASED, applied, returns.Windows()) is in_time

    @pytest.mark.parametrize(("back", "in_time"), [
        (datetime(2025, 4, 15, 15, 59, tzinfo=UTC), True),  # day 45
        (datetime(2025, 4, 15, 16, 0, tzinfo=UTC), False),  # day 46
    ])
    def test_the_goods_are_back_within_45_days(self, back: datetime, in_time: bool) -> None:
        assert returns.goods_back_in_time(RELEASED, back, returns.Windows()) is in_time

    def test_the_deadline_is_the_start_of_day_46(self) -> None:
        assert returns.goods_back_deadline(RELEASED, returns.Windows()) == \
            datetime(2025, 4, 15, 16, 0, tzinfo=UTC)

    @pytest.mark.parametrize(("returned", "expected"), [
        ([(1, "3304990099", D(2))], []),
        ([(1, "3304990099", D(3))], ["CEB625 InvtRefundList[gnum=1].qty 3 must be more than 0 "
                                     "and at most the listed 2"]),
        ([(2, "3304990099", D(1))], ["CEB625 InvtRefundList[gnum=2].gcode 3304990099 is not "
                                     "line 2 of the list"]),
    ])
    def test_a_return_names_lines_of_the_list(self, returned: list[tuple[int, str, D]],
                                              expected: list[str]) -> None:
        assert returns.return_line_problems((list_line(),), returned) == expected

    @pytest.mark.parametrize(("returned", "share"), [
        ({1: D(2), 2: D(1)}, D(1)),  # everything
        ({1: D(2)}, D("0.75")),  # 198 of 264
        ({1: D(1)}, D("0.375")),  # 99 of 264
        ({2: D(1)}, D("0.25")),  # 66 of 264
    ])
    def test_the_share_of_the_goods_a_return_gives_back(self, returned: dict[int, D],
                                                        share: D) -> None:
        lines = (list_line(), list_line(2, qty="1", total="66", price="66"))
        assert returns.returned_share(lines, returned) == share
