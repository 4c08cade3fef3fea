"""Inspection and quarantine in the running topology: every 9610 export list passes through
it; the receipts tell the real sequence; a trainer decides through the gateway, or the
clock lets the automatic officer decide; inspection down delays release, never skips it.

This module's topology selects half of the ordinary B2C export lists at random (seed
``SEED``); a test picks a list the selection will (or will not) hit by predicting it with
``services.inspection.domain.select`` from the invtNo customs gave at 120.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from contracts import examples
from infra.queue import queue
from services.inspection import domain
from tests.e2e.conftest import Window, record_guid

SEED = "e2e-inspection"
RATE = Decimal("0.5")


@pytest.fixture(scope="module")
def topology_env() -> dict[str, str]:
    return {"SW_INSPECTION_SEED": SEED,
            "SW_INSPECTION_SAMPLING_RATES": f'{{"export_b2c.low": {RATE}}}',
            "SW_INSPECTION_DOCUMENT_RATES": '{"export_b2c": 0}',
            "SW_CUSTOMS_INSPECTION_REASK_SECONDS": "3"}


class Agent:
    """The declaring agent's list receipts, by record guid, as (status, info, invtNo)."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.seen: dict[str, list[dict[str, Any]]] = {}

    def poll(self) -> None:
        for receipt in self.window.receipts(examples.AGENT):
            records = receipt["message"].get("InventoryReturn") or [{}]
            self.seen.setdefault(receipt["recordGuid"], []).append(records[0])

    def statuses(self, guid: str) -> list[str]:
        self.poll()
        return [r["returnStatus"] for r in self.seen.get(guid, [])]

    def wait(self, guid: str, statuses: list[str], timeout: float = 30.0) -> list[str]:
        """Wait until ``guid``'s receipts are ``statuses`` (or the timeout); return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.statuses(guid)
            if len(got) >= len(statuses):
                return got
            time.sleep(0.05)
        return self.statuses(guid)

    def last(self, guid: str) -> dict[str, Any]:
        return self.seen[guid][-1]


@pytest.fixture
def agent(window: Window) -> Agent:
    return Agent(window)


def line(n: int, gcode: str, gname: str) -> dict[str, Any]:
    """A list line matching ``examples.order(n)``'s one line, with other goods."""
    return {"gnum": 1, "itemNo": f"SKU{n}", "gcode": gcode, "gname": gname,
            "gmodel": "-", "barCode": "无", "country": "502", "currency": "142", "qty": "2",
            "qty1": "2", "unit": "011", "unit1": "011", "price": "50", "totalPrice": "100"}


def declare(window: Window, n: int, **inventory: Any) -> str:
    """Order, waybill and list ``n``; the list's record guid."""
    lst = examples.inventory(n, **inventory)
    for mirror in (examples.order(n), examples.waybill(n), lst):
        assert window.send(mirror).status_code == 202
    return record_guid(lst)


def arrive(window: Window, n: int) -> None:
    assert window.send(examples.arrival([n], bill=f"BILL{n:04d}")).status_code == 202


def selected(invt_no: str) -> bool:
    return domain.select(SEED, invt_no, RATE, Decimal(0)) == "physical_inspection"


def list_with_draw(window: Window, agent: Agent, hit: bool) -> tuple[int, str, str]:
    """Declare lists until one the random selection will hit (or not): (n, guid, invtNo).

    A list waits at 120 for its order, with its invtNo: only the chosen one is matched.
    """
    for n in range(21, 41):
        lst = examples.inventory(n)
        assert window.send(lst).status_code == 202
        guid = record_guid(lst)
        assert agent.wait(guid, ["2", "120"]) == ["2", "120"]
        invt_no = agent.last(guid)["invtNo"]
        if selected(invt_no) is hit:
            for mirror in (examples.order(n), examples.waybill(n)):
                assert window.send(mirror).status_code == 202
            return n, guid, invt_no
    raise AssertionError("no list in 20 was drawn as wanted")


def declaration(window: Window, guid: str) -> dict[str, Any]:
    response = window.http.get(f"/api/v1/declarations/{guid}", headers={
        "Authorization": f"Bearer {window.keys[examples.AGENT]}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_prohibited_item_on_a_9610_export_list_is_returned(window: Window,
                                                             agent: Agent) -> None:
    guid = declare(window, 11, items=[line(11, "8507600090", "充电宝 power bank")])
    assert agent.wait(guid, ["2", "120", "399", "500", "700"]) == [
        "2", "120", "399", "500", "700"]
    assert "[P-DG-LITHIUM] InventoryList[gnum=1].gcode=8507600090" in agent.last(guid)[
        "returnInfo"]
    assert agent.last(guid)["returnInfo"].startswith("退运 returned：")
    arrive(window, 11)
    assert agent.wait(guid, ["x"] * 6, timeout=2) == ["2", "120", "399", "500", "700"]
    view = declaration(window, guid)
    assert (view["status"], view["inspection"]["outcome"]) == ("700", "return_abroad")
    assert view["inspection"]["hits"][0]["rule"] == "P-DG-LITHIUM"


def test_a_food_item_is_quarantined_then_released(window: Window, agent: Agent) -> None:
    guid = declare(window, 12, items=[line(12, "0808100000", "新鲜苹果 fresh apples")])
    assert agent.wait(guid, ["2", "120", "399", "500"]) == ["2", "120", "399", "500"]
    assert agent.last(guid)["returnInfo"].startswith("查验：检疫处理 quarantine treatment：")
    arrive(window, 12)
    assert agent.wait(guid, ["x"] * 5, timeout=2) == ["2", "120", "399", "500"]
    advanced = window.admin("POST", "/_sim/clock", json={"advance": "P1D"})
    assert advanced.status_code == 200, advanced.text
    assert agent.wait(guid, ["x"] * 5) == ["2", "120", "399", "500", "800"]
    assert "quarantine treatment done (fumigation)" in agent.last(guid)["returnInfo"]


def test_a_random_hit_is_released_by_the_officer_through_the_gateway(
        window: Window, agent: Agent) -> None:
    n, guid, invt_no = list_with_draw(window, agent, hit=True)
    assert agent.wait(guid, ["2", "120", "399", "500"]) == ["2", "120", "399", "500"]
    assert "selected at random for physical inspection" in agent.last(guid)["returnInfo"]
    arrive(window, n)
    worklist = window.admin("GET", "/api/v1/inspections").json()["inspections"]
    [held] = [i for i in worklist if i["identity"] == invt_no]
    assert (held["lane"], held["state"]) == ("physical_inspection", "pending")
    assert agent.statuses(guid) == ["2", "120", "399", "500"]  # arrived, still held
    response = window.admin("POST", f"/api/v1/inspections/{held['id']}/result", json={
        "outcome": "release", "reason": "开箱查验无异常 nothing found", "officer": "Li"})
    assert response.status_code == 200, response.text
    assert agent.wait(guid, ["x"] * 5) == ["2", "120", "399", "500", "800"]
    assert "关员Li：放行：开箱查验无异常" in agent.last(guid)["returnInfo"]
    view = declaration(window, guid)
    assert (view["status"], view["inspection"]["state"], view["inspection"]["officer"]) == (
        "800", "cleared", "officer:Li")


def test_with_no_officer_the_clock_lets_the_automatic_officer_release(
        window: Window, agent: Agent) -> None:
    n, guid, _ = list_with_draw(window, agent, hit=True)
    assert agent.wait(guid, ["2", "120", "399", "500"]) == ["2", "120", "399", "500"]
    arrive(window, n)
    assert agent.wait(guid, ["x"] * 5, timeout=2) == ["2", "120", "399", "500"]
    advanced = window.admin("POST", "/_sim/clock", json={"advance": "PT2H"})
    assert advanced.status_code == 200, advanced.text
    assert agent.wait(guid, ["x"] * 5) == ["2", "120", "399", "500", "800"]
    assert "automatic officer after PT2H: goods examined, nothing found" in agent.last(guid)[
        "returnInfo"]


@pytest.fixture
def stopped_inspection(window: Window) -> Iterator[int]:
    """The agencies' worker (queue "inspection") stopped with SIGSTOP, resumed afterwards."""
    pid = window.topo.pids()["worker-agencies"]
    os.kill(pid, signal.SIGSTOP)
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGCONT)


def test_inspection_down_then_back_up(window: Window, agent: Agent,
                                      stopped_inspection: int) -> None:
    n, guid, _ = list_with_draw(window, agent, hit=False)
    assert agent.wait(guid, ["2", "120", "399"]) == ["2", "120", "399"]
    arrive(window, n)
    # The stopped worker holds the question it took; customs' sweep asks again, once.
    redis = Redis.from_url(window.topo.redis_url)
    questions = queue("inspection", redis)
    deadline = time.monotonic() + 20
    while questions.count == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(5.5)  # another sweep: the question waiting in the queue is not repeated
    assert questions.count == 1
    redis.close()
    assert agent.statuses(guid) == ["2", "120", "399"]
    assert declaration(window, guid)["inspection"]["state"] == "asked"
    os.kill(stopped_inspection, signal.SIGCONT)
    assert agent.wait(guid, ["x"] * 4) == ["2", "120", "399", "800"]
    assert declaration(window, guid)["inspection"]["outcome"] == "release"
