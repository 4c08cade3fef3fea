"""Customs undoing retail imports, on SQLite and PostgreSQL: a cancel (CEB623) before
release, a return (CEB625) within its windows, and the parcel signed for (CEB513).

Messages go in as the gateway dispatches them; tax and inspection are played by the
harness (both release at once unless a test says otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from contracts import examples_import as ei
from infra.queue import run_worker
from infra.scheduler import run_due
from services.customs import tasks
from services.customs.import_ import reversals, service
from services.customs.import_ import tasks as import_tasks
from tests.customs.builders import dispatched
from tests.customs.import_.harness import (
    NOW,
    Imports,
    answer_for,
    awaiting_tax,
    invt_no,
    released,
    stock,
    usage,
    view,
)
from tests.workers import meanwhile


def _return_on_day(imports: Imports, days: int) -> dict[str, Any]:
    """List 1 released at NOW, then its return (CEB625) applied ``days`` later."""
    lst = released(imports)
    imports.customs.clock(NOW + timedelta(days=days))
    refund = ei.refund(1, invt_no(imports, lst))
    imports.send(refund)
    return refund

class TestCancel:
    def test_a_list_not_released_is_withdrawn_and_its_holds_given_back(
            self, imports: Imports) -> None:
        stock("5")
        lst = awaiting_tax(imports)
        number = invt_no(imports, lst)
        cancel = ei.cancel(1, number)
        imports.send(cancel)
        assert imports.statuses(cancel) == ["2", "120", "399"]
        receipt = imports.last(cancel)
        assert (receipt["preNo"], receipt["invtNo"]) == (imports.document(lst).pre_no,
                                                         number)
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(5)
        assert usage(ei.buyer_id(1))["used"] == "0"
        assert imports.tax.event_kinds() == ["cancelled"]
        assert view(number)["deleted"] is True

    def test_a_released_list_cannot_be_cancelled(self, imports: Imports) -> None:
        stock()
        lst = released(imports)
        cancel = ei.cancel(1, invt_no(imports, lst))
        imports.send(cancel)
        assert imports.statuses(cancel) == ["-623005"]

    def test_an_unknown_list_or_a_second_cancel_is_refused(self, imports: Imports) -> None:
        stock()
        number = invt_no(imports, awaiting_tax(imports))
        unknown, first, second = (ei.cancel(1, "29242025I000000999"), ei.cancel(1, number),
                                  ei.cancel(1, number))
        imports.send(unknown, first, second)
        assert imports.statuses(unknown) == ["-623003"]
        assert imports.statuses(second) == ["-623009"]


class TestReturn:
    def test_a_return_on_day_30_with_the_goods_back_cancels_the_tax(
            self, imports: Imports) -> None:
        stock("5")
        refund = _return_on_day(imports, 30)
        assert imports.statuses(refund) == ["2", "120"]
        imports.send(ei.delivery([1]))
        assert imports.statuses(refund) == ["2", "120", "399"]
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(5)
        assert usage(ei.buyer_id(1))["used"] == "0"
        events = imports.tax.events
        imports.tax.take()
        assert [e.event for e in events] == ["released", "return_pending", "returned"]
        assert events[-1].returned == {1: Decimal(2)}

    def test_a_return_on_day_31_is_refused(self, imports: Imports) -> None:
        stock()
        refund = _return_on_day(imports, 31)
        assert imports.statuses(refund) == ["2", "100"]
        assert "退货申请超过放行之日起30日 applied on day 31 after release" in \
            imports.last_info(refund)
        assert usage(ei.buyer_id(1))["used"] == "198"

    def test_goods_not_back_by_day_45_fail_the_return(self, imports: Imports) -> None:
        stock()
        refund = _return_on_day(imports, 10)
        deadline = datetime(2025, 4, 15, 16, 0, tzinfo=UTC)  # day 46, 00:00 Beijing
        imports.customs.clock(deadline)
        run_due(imports.customs.redis, deadline)
        run_worker(["customs"], imports.customs.redis, burst=True)
        assert imports.statuses(refund) == ["2", "120", "100"]
        assert "退货商品未在放行之日起45日内运回" in imports.last_info(refund)
        assert imports.tax.event_kinds()[-1] == "return_failed"

    def test_a_partial_return_gives_back_its_share(self, imports: Imports) -> None:
        stock("5")
        lst = released(imports)
        line = {"gnum": 1, "gcode": "3304990099", "gname": "保湿面霜", "qty": "1", "unit": "142"}
        imports.send(ei.refund(1, invt_no(imports, lst), items=[line]), ei.delivery([1]))
        assert imports.balance(ei.EMS_NO, ei.ITEM_RECORD_NO) == Decimal(4)
        assert usage(ei.buyer_id(1))["used"] == "99"

    @pytest.mark.parametrize(("qty", "gnum"), [("3", 1), ("1", 2)])
    def test_lines_not_on_the_list_are_refused(self, imports: Imports, qty: str,
                                               gnum: int) -> None:
        stock()
        lst = released(imports)
        line = {"gnum": gnum, "gcode": "3304990099", "gname": "保湿面霜", "qty": qty,
                "unit": "142"}
        refund = ei.refund(1, invt_no(imports, lst), items=[line])
        imports.send(refund)
        assert imports.statuses(refund) == ["-625209"]

    def test_a_list_not_released_cannot_be_returned(self, imports: Imports) -> None:
        stock()
        refund = ei.refund(1, invt_no(imports, awaiting_tax(imports)))
        imports.send(refund)
        assert imports.statuses(refund) == ["-625005"]


class TestSignedFor:
    def test_the_released_list_closes_when_the_parcel_is_signed_for(self,
                                                                    imports: Imports) -> None:
        lst = released(imports, mode="9610")
        signed = ei.signed(1)
        imports.send(signed)
        assert imports.statuses(signed) == ["2", "120"]
        assert imports.statuses(lst)[-1] == "899"
        assert imports.receipts(signed)[0]["message_type"] == "CEB514Message"

    def test_a_status_without_its_waybill_is_refused(self, imports: Imports) -> None:
        signed = ei.signed(7)
        imports.send(signed)
        assert imports.statuses(signed) == ["-505002"]


class TestTwoWorkers:
    def test_a_cancel_while_tax_answers_its_list_waits_for_the_answer(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """Tax's answer has read the list when another worker takes the list's cancel:
        the cancel waits for the answer and finds the list released (−623005), where it
        would have withdrawn a list the answer then released."""
        stock()
        lst = awaiting_tax(imports)
        number = invt_no(imports, lst)
        answers = [answer_for(r).model_dump(mode="json") for r in imports.tax.take()]
        cancel = ei.cancel(1, number)
        # once tax's answer has read its list, the other worker takes the cancel
        other = meanwhile(monkeypatch, service, "prefetch_lists", tasks.process_messages,
                          [dispatched(cancel)])
        assert import_tasks.tax_assessed_many(answers) == ["released"]
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert imports.statuses(lst)[-1] == "800"
        assert imports.statuses(cancel) == ["-623005"]
        assert view(number)["deleted"] is False

    def test_goods_back_while_the_return_deadline_fails_the_return(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """The deadline job has read the return, still waiting for its goods, when another
        worker takes the warehouse entry of the parcel: one of them waits for the other,
        and the return ends one way only (here failed: the entry finds it decided)."""
        stock()
        refund = _return_on_day(imports, 10)
        return_id = imports.document(refund).id
        # once the deadline job has read the return, the other worker takes the entry
        other = meanwhile(monkeypatch, reversals, "_returned_list", tasks.process_messages,
                          [dispatched(ei.delivery([1]))])
        assert import_tasks.return_deadline(return_id) == "return failed"
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert imports.statuses(refund) == ["2", "120", "100"]
        assert imports.tax.event_kinds()[-1] == "return_failed"
        assert "returned" not in imports.tax.event_kinds()
        assert usage(ei.buyer_id(1))["used"] == "198"  # the year stays used

    def test_the_return_deadline_while_the_goods_come_back(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """The warehouse entry has found the return its parcel completes when the deadline
        job starts: the job waits for the entry, and then finds the return completed."""
        stock()
        refund = _return_on_day(imports, 10)
        return_id = imports.document(refund).id
        # right before the entry completes the return, the other worker runs the deadline
        other = meanwhile(monkeypatch, reversals, "_complete", import_tasks.return_deadline,
                          return_id, before=True)
        imports.send(ei.delivery([1]))
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        assert imports.statuses(refund) == ["2", "120", "399"]
        assert "return_failed" not in imports.tax.event_kinds()
        assert usage(ei.buyer_id(1))["used"] == "0"  # the year given back

    def test_a_cancel_while_the_match_refuses_its_list(
            self, imports: Imports, monkeypatch: pytest.MonkeyPatch) -> None:
        """The cancel has read its list, waiting at 120 for its waybill, when another worker
        takes a waybill that disagrees with the order: one waits for the other, and a list
        the match refused is not withdrawn as well (nor a withdrawn list refused)."""
        stock()
        order, payment, _waybill, lst = ei.import_flow(1)
        imports.send(order, payment, lst)
        cancel = ei.cancel(1, invt_no(imports, lst))
        # once the cancel has read its list, the other worker takes the waybill
        other = meanwhile(monkeypatch, reversals, "_list_for", tasks.process_messages,
                          [dispatched(ei.waybill(1, consignee="李四"))])
        imports.send(cancel)
        other[0].join(timeout=60)
        assert not other[0].is_alive()
        refused, cancelled = imports.statuses(lst)[-1] == "100", imports.statuses(cancel)
        assert cancelled == (["-623005"] if refused else ["2", "120", "399"])
        assert view(invt_no(imports, lst))["deleted"] is not refused
