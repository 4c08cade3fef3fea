"""Customs processing retail imports end to end, on SQLite and PostgreSQL.

Messages go in as the gateway dispatches them; tax is played by ``TaxDesk`` and
inspection by the customs harness (both release at once unless a test says otherwise).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import Session, select

from contracts import examples_import as ei
from contracts.ceb import parse_json, to_xml
from services.customs.db import resources
from services.customs.import_ import service as import_service
from services.customs.import_ import tasks
from services.customs.import_.models import BookEntry
from tests.customs.harness import result
from tests.customs.import_.harness import (
    NOW,
    Imports,
    answer_for,
    invt_no,
    released,
    stock,
    usage,
    use_quota,
    view,
)
from tests.customs.import_.xsd import assert_valid


class TestDirectPurchase:
    def test_documents_tax_and_inspection_release_the_list(self, imports: Imports) -> None:
        order, payment, waybill, lst = ei.import_flow(1, "9610")
        imports.send(order, payment, waybill, lst)
        assert imports.statuses(order) == ["2", "120"]
        assert imports.statuses(payment) == ["2", "120"]
        assert imports.statuses(waybill) == ["2", "120"]
        assert imports.statuses(lst) == ["2", "120", "399", "800"]
        types = [r["message_type"] for m in (order, payment, waybill, lst)
                 for r in imports.receipts(m)[:1]]
        assert types == ["CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message"]

    def test_numbers_are_assigned_at_2_and_120(self, imports: Imports) -> None:
        lst = released(imports, mode="9610")
        declared, stored = [r["payload"]["InventoryReturn"][0]
                            for r in imports.receipts(lst)[:2]]
        assert re.fullmatch(r"B20250301\d{9}", declared["preNo"])
        assert "invtNo" not in declared  # not assigned before 120
        assert stored["invtNo"] == "29242025I000000001"

    def test_tax_is_asked_with_the_dutiable_value_and_the_limits(self,
                                                                 imports: Imports) -> None:
        released(imports, mode="9610")
        (request,) = imports.tax.asked
        assert request.inLimit and request.freight == Decimal(10)
        assert request.assureCode == ei.EBC and request.recipient == ei.AGENT
        assert [(line.gcode, line.totalPrice) for line in request.lines] == [
            ("3304990099", Decimal(198))]
        assert imports.tax.event_kinds() == ["released"]

    def test_a_list_before_its_documents_waits_then_matches(self, imports: Imports) -> None:
        order, payment, waybill, lst = ei.import_flow(1, "9610")
        imports.send(lst)
        assert imports.statuses(lst) == ["2", "120"]
        assert view("IC00000001")["timeline"][-1]["info"] == (
            "awaiting 订单 order (CEB311), 支付单 payment (CEB411), 运单 waybill (CEB511)")
        imports.send(waybill, order)
        assert imports.statuses(lst) == ["2", "120"]
        imports.send(payment)
        assert imports.statuses(lst) == ["2", "120", "399", "800"]

    def test_every_receipt_is_valid_against_the_import_xsd(self, imports: Imports) -> None:
        stock("2")
        flows = ei.import_flow(1, "9610") + ei.import_flow(2) + ei.import_flow(3)
        imports.send(*flows)
        imports.send(ei.refund(1, invt_no(imports, flows[3])),
                     ei.cancel(9, "29242025I000000999"))
        receipts = imports.customs.receipts()
        assert {r["return_status"] for r in receipts} >= {"2", "120", "399", "800", "100",
                                                          "-623003"}
        for receipt in receipts:
            assert_valid(to_xml(parse_json(receipt["payload"])))


class TestThreeDocuments:
    def test_a_mismatch_is_reported_field_by_field(self, imports: Imports) -> None:
        order, _payment, waybill, lst = ei.import_flow(1)
        stock()
        payment = ei.payment(1, amount="100", payerName="李四")
        imports.send(order, payment, waybill, lst)
        assert imports.statuses(lst) == ["2", "120", "100"]
        expected = ["CEB411 PaymentHead.amountPaid 100 ≠ CEB311 OrderHead.acturalPaid 216.02",
                    "CEB411 PaymentHead.payerName 李四 ≠ CEB311 OrderHead.buyerName 张三"]
        assert imports.last_info(lst) == "海关退单：" + "; ".join(expected)
        assert view("IC00000001")["mismatches"] == expected

    def test_a_certified_buyer_may_pay_with_another_payer(self, imports: Imports) -> None:
        imports.customs.settings.import_certified_buyers = [ei.buyer_id(1)]
        order, _payment, waybill, lst = ei.import_flow(1, "9610")
        payment = ei.payment(1, amount=ei.amounts([ei.line()], "10")["acturalPaid"],
                             payerName="李四",
                             payerIdNumber="330101000000000002")
        imports.send(order, payment, waybill, lst)
        assert imports.statuses(lst)[-1] == "800"

    def test_an_order_whose_amounts_do_not_add_up_is_refused(self, imports: Imports) -> None:
        order = ei.order(1, acturalPaid="500")
        imports.send(order)
        assert imports.statuses(order) == ["2", "100"]
        assert "acturalPaid 500 ≠ goodsValue+freight+taxTotal−discount 216.02" in \
            imports.last_info(order)

    def test_the_order_of_a_held_list_cannot_change(self, imports: Imports) -> None:
        released(imports, mode="9610")
        change = ei.order(1, mode="9610", appType="2")
        imports.send(change)
        assert imports.statuses(change) == ["-301011"]


class TestPositiveList:
    def test_a_line_not_on_the_list_is_refused_with_the_reason(self, imports: Imports) -> None:
        cigarettes = ei.line(gcode="2402200000", gname="卷烟", itemName="卷烟")
        lst = ei.inventory(1, mode="9610", items=[cigarettes])
        imports.send(lst)
        assert imports.statuses(lst) == ["2", "100"]
        assert "24022000 is not on the positive list" in imports.last_info(lst)

    def test_a_bonded_only_line_is_refused_in_direct_purchase(self, imports: Imports) -> None:
        kiwi = ei.line(gcode="0810500000", gname="猕猴桃", itemName="猕猴桃", unit="035",
                       qty1="2", unit1="035")
        lst = ei.inventory(1, mode="9610", items=[kiwi])
        imports.send(lst)
        assert "may come in only as bonded import (1210)" in imports.last_info(lst)

    def test_sugar_is_capped_at_2_kg_a_year(self, imports: Imports) -> None:
        sugar = ei.line(gcode="1701991000", gname="砂糖", itemName="砂糖", qty="1",
                        unit="035", qty1="1.5", unit1="035", price="30", totalPrice="30")
        lists = []
        for n in (1, 2):  # the same buyer twice: buyer n=1, parcels 1 and 2
            order = ei.order(n, mode="9610", items=[sugar], buyerIdNumber=ei.buyer_id(1))
            paid = order["Order"][0]["OrderHead"]["acturalPaid"]
            lists.append(ei.inventory(n, mode="9610", items=[sugar],
                                      buyerIdNumber=ei.buyer_id(1)))
            imports.send(order, ei.payment(n, amount=paid, payerIdNumber=ei.buyer_id(1)),
                         ei.waybill(n, mode="9610"), lists[-1])
            if n == 1:
                year_after_first = usage(ei.buyer_id(1))["used"]
        assert imports.statuses(lists[0])[-1] == "800"
        assert imports.statuses(lists[1]) == ["2", "120", "100"]
        assert "每人每年限购2千克; the buyer took 1.5 kg this year, this list 1.5 kg > 2 kg" in \
            imports.last_info(lists[1])
        # the second list's share of the year, held before its cap refused it, is given back
        assert usage(ei.buyer_id(1))["used"] == year_after_first == "40"


class TestLimits:
    def test_a_divisible_order_over_5000_is_refused(self, imports: Imports) -> None:
        lines = [ei.line(qty="2", price="1500", totalPrice="3000"),
                 ei.line(2, qty="1", price="2500", totalPrice="2500")]
        lst = ei.inventory(1, mode="9610", items=lines)
        imports.send(lst)
        assert imports.statuses(lst) == ["2", "-621005"]
        assert "单次交易超过限值" in imports.last_info(lst)

    def test_a_single_item_over_5000_clears_taxed_in_full(self, imports: Imports) -> None:
        bag = ei.line(gcode="4202210000", gname="手提包", itemName="手提包", qty="1",
                      unit="011", qty1="1", unit1="011", price="5000.01", totalPrice="5000.01")
        order = ei.order(1, mode="9610", items=[bag], freight="0")
        lst = ei.inventory(1, mode="9610", items=[bag], freight="0")
        imports.send(order, ei.payment(1, amount=order["Order"][0]["OrderHead"]["acturalPaid"]),
                     ei.waybill(1, mode="9610"), lst)
        assert imports.statuses(lst) == ["2", "120", "399", "800"]
        (request,) = imports.tax.asked
        assert request.inLimit is False
        assert imports.clearance("29242025I000000001").treatment == "full_rate"
        assert usage(ei.buyer_id(1))["used"] == "5000.01"  # it counts toward the year

    def test_a_buyer_crossing_26000_in_december_is_refused_as_general_trade(
            self, imports: Imports) -> None:
        imports.customs.clock(datetime(2025, 12, 20, 2, 0, tzinfo=UTC))
        use_quota(ei.buyer_id(1), 2025, "25900")
        order, payment, waybill, lst = ei.import_flow(1, "9610")
        imports.send(order, payment, waybill, lst)
        assert imports.statuses(lst) == ["2", "-621018"]
        assert imports.last_info(lst).startswith(
            "[-621018] 订购人年度交易超过限值，按一般贸易办理：25900 already this year + 208 > "
            "26000 CNY")

    def test_the_year_starts_again_in_january(self, imports: Imports) -> None:
        imports.customs.clock(datetime(2026, 1, 1, 2, 0, tzinfo=UTC))
        use_quota(ei.buyer_id(1), 2025, "25900")
        released(imports, mode="9610")
        assert usage(ei.buyer_id(1))["used"] == "208"


class TestAccountBook:
    def test_a_released_list_deducts_the_book_item_by_item(self, imports: Imports) -> None:
        stock("5")
        released(imports)
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(3)

    def test_a_list_over_the_balance_is_refused(self, imports: Imports) -> None:
        stock("1")
        lst = ei.import_flow(1)[3]
        imports.send(*ei.import_flow(1)[:3], lst)
        assert imports.statuses(lst) == ["2", "120", "100"]
        assert "account book T2924W000001 holds 1, the list takes 2 (库存不足 over the " \
               "balance)" in imports.last_info(lst)
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(1)
        assert usage(ei.buyer_id(1))["used"] == "0"  # nothing stays held

    def test_a_list_one_item_short_takes_nothing_from_the_others(
            self, imports: Imports) -> None:
        serum = ei.line(2, itemRecordNo="100002", itemNo="SKU-SERUM", itemName="精华液",
                        gname="精华液", gmodel="30ml/瓶|serum")
        stock("10")
        with Session(resources.engine()) as session:
            import_service.first_line_entry(
                session=session, ems_no=ei.EMS_NO, owner=ei.WAREHOUSE, admin=False, now=NOW,
                entry=ei.entry(entry_no="HZQD2924000002", items=[{
                    "itemRecordNo": "100002", "gcode": "3304990099", "gname": "精华液",
                    "unit": "142", "qty": "1"}]))
            session.commit()
        lines = [ei.line(), serum]
        order = ei.order(1, items=lines)
        paid = order["Order"][0]["OrderHead"]["acturalPaid"]
        lst = ei.inventory(1, items=lines)
        imports.send(order, ei.payment(1, amount=paid), ei.waybill(1), lst)
        assert imports.statuses(lst) == ["2", "120", "100"]
        assert "itemRecordNo 100002: account book T2924W000001 holds 1, the list takes 2" in \
            imports.last_info(lst)
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(10)  # put back
        assert imports.balance(ei.EMS_NO, "100002") == Decimal(1)
        with Session(resources.engine()) as session:
            assert session.exec(select(BookEntry).where(
                BookEntry.reason == "release")).all() == []  # no ledger entry either
        assert usage(ei.buyer_id(1))["used"] == "0"

    def test_an_unknown_book_or_item_is_refused(self, imports: Imports) -> None:
        stock()
        flow = ei.import_flow(1)
        lst = ei.inventory(1, emsNo="T9999W999999")
        imports.send(*flow[:3], lst)
        assert "no such account book" in imports.last_info(lst)

    def test_a_first_line_entry_is_idempotent_by_its_number(self, imports: Imports) -> None:
        stock("10")
        stock("10")
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(10)


class TestRelease:
    def test_a_guarantee_too_small_holds_the_list_at_399(self, imports: Imports) -> None:
        stock()
        imports.tax.state = "held"
        flow = ei.import_flow(1)
        imports.send(*flow)
        assert imports.statuses(flow[3]) == ["2", "120", "399"]
        status = view("IC00000001")
        assert status["clearance"]["tax"]["state"] == "held"
        assert status["timeline"][-1]["info"] == "放行暂停 release blocked: guarantee short"
        (request,) = imports.tax.asked
        imports.tax.answer(answer_for(request))  # the guarantee was raised
        assert imports.statuses(flow[3])[-1] == "800"

    def test_inspection_must_clear_the_list_too(self, imports: Imports) -> None:
        stock()
        imports.customs.inspection.auto = False
        flow = ei.import_flow(1)
        imports.send(*flow)
        assert imports.statuses(flow[3]) == ["2", "120", "399"]
        assert imports.clearance("29242025I000000001").tax_state == "issued"
        imports.customs.inspection.answer_all()
        assert imports.statuses(flow[3])[-1] == "800"

    def test_an_answer_that_comes_twice_is_applied_once(self, imports: Imports) -> None:
        stock()
        imports.tax.auto = False
        imports.send(*ei.import_flow(1))
        (request,) = imports.tax.take()
        answer = answer_for(request)
        assert imports.tax.answer(answer) == "released"
        assert imports.tax.answer(answer) == "already applied"


class TestRefusedByInspection:
    def test_a_list_returned_abroad_gives_the_year_back_and_cancels_the_tax(
            self, imports: Imports) -> None:
        imports.customs.inspection.auto = False
        flow = ei.import_flow(1, "9610")
        imports.send(*flow)
        (question,) = imports.customs.inspection.questions()
        imports.customs.inspection.answer(
            result(question, lane="physical_inspection", outcome="return_abroad"))
        assert imports.statuses(flow[3])[-1] == "700"
        assert usage(ei.buyer_id(1))["used"] == "208"
        tasks.resend_jobs()  # the sweep settles what inspection refused
        assert usage(ei.buyer_id(1))["used"] == "0"
        tasks.resend_jobs()  # once only
        assert imports.tax.event_kinds() == ["cancelled"]
        assert usage(ei.buyer_id(1))["used"] == "0"
