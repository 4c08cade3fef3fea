"""The sandbox reset, as the gateway runs it: the queues, its own data, every agency's.

The agencies answer through a mock transport here; the whole topology resets in every
end-to-end test (``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from contracts import examples as builders
from gateway.clients import AgencyClient
from gateway.db import GatewayTable, resources
from infra import scheduler
from infra.queue import enqueue
from tests.gateway.conftest import ADMIN, Gateway

AGENCIES = ("customs", "inspection", "tax", "payments")


def _agencies(gateway: Gateway, failing: dict[str, int]) -> list[str]:
    """Put mock agencies behind the gateway (``failing``: name → status it answers)."""
    reset: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        name = request.url.host
        if name in failing:
            return httpx.Response(failing[name], json={"detail": f"{name} broke",
                                                       "code": "internal_error"})
        reset.append(name)
        return httpx.Response(200, json={"service": name, "deleted": {}})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    app: Any = gateway.client.app
    app.state.agencies = {name: AgencyClient(name, f"http://{name}", http) for name in AGENCIES}
    return reset


def _reset(gateway: Gateway) -> httpx.Response:
    return gateway.client.post("/_sim/reset", params={"enterprises": "true"},
                               headers={"Authorization": f"Bearer {ADMIN}"})


def test_a_reset_empties_the_queues_the_gateway_and_every_agency(gateway: Gateway) -> None:
    reset = _agencies(gateway, {})
    key = gateway.register(builders.EBP)
    assert gateway.post(key, builders.order(1)).status_code == 202
    gateway.wait_dispatched(1)
    scheduler.schedule(gateway.redis, datetime(2025, 3, 1, tzinfo=UTC),
                       "services.tax.tasks.pay", 1, queue_name="tax")
    response = _reset(gateway)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agencies"] == dict.fromkeys(AGENCIES, "ok") and body["stillRunning"] == []
    assert sorted(reset) == sorted(AGENCIES)
    assert (gateway.stored_count(), gateway.dispatched_jobs()) == (0, [])
    assert _rows_left() == {}  # every table: messages, their states, receipts, enterprises
    assert scheduler.pending(gateway.redis) == []
    assert gateway.post(key, builders.order(2)).status_code == 401  # enterprises too


def _rows_left() -> dict[str, int]:
    with resources.engine().connect() as conn:
        counts = {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in GatewayTable.metadata.sorted_tables}
    return {name: count for name, count in counts.items() if count}


def test_an_agency_that_could_not_reset_fails_the_reset_by_name(gateway: Gateway) -> None:
    _agencies(gateway, {"tax": 500})
    response = _reset(gateway)
    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["code"] == "reset_failed" and "tax: tax broke" in problem["detail"]
    assert problem["agencies"]["customs"] == "ok" and problem["agencies"]["tax"] != "ok"


def test_a_reset_drops_what_the_writer_held_for_a_busy_agency(gateway: Gateway) -> None:
    _agencies(gateway, {})
    app: Any = gateway.client.app
    app.state.writer.linger = 1.0  # longer than the reset takes
    key = gateway.register(builders.EBP)
    enqueue(gateway.redis, "customs", "builtins.print", "busy")  # customs is behind
    assert gateway.post(key, builders.order(1)).status_code == 202  # sent: customs behind
    assert gateway.post(key, builders.order(2)).status_code == 202  # held a moment
    assert _reset(gateway).status_code == 200
    time.sleep(1.5)
    # nothing of before the reset reaches customs after it
    assert (gateway.stored_count(), gateway.dispatched_jobs()) == (0, [])
