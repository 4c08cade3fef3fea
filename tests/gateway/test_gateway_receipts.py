"""Receipts: ingest, pull by cursor (JSON and XML), tenant isolation, webhooks, outbox sweep."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from lxml import etree
from sqlmodel import Session, select

from contracts import examples as builders
from gateway import receipts as receipt_service
from gateway import tasks
from gateway.db import resources
from gateway.models import MessageState, WebhookDelivery
from gateway.webhooks import verify
from infra import scheduler
from infra.clock import SimClock
from infra.db import unit_of_work
from infra.queue import stash
from tests.conftest import reference_or_skip
from tests.gateway.conftest import Gateway
from tests.sql import statements

CEB = "{http://www.chinaport.gov.cn/ceb}"


def receipt_item(recipient: str, status: str = "120", message_id: str | None = None,
                 record_guid: str | None = None) -> dict[str, Any]:
    record_guid = record_guid or builders.guid()
    payload = {"messageType": "CEB304Message", "guid": builders.guid(), "version": "1.0",
               "OrderReturn": [{"guid": record_guid, "ebpCode": builders.EBP,
                                "ebcCode": builders.EBC, "orderNo": "SO00000001",
                                "returnStatus": status, "returnTime": "20241201101500123",
                                "returnInfo": "新增申报成功"}]}
    return {"receipt_id": uuid.uuid4().hex, "message_id": message_id, "recipient": recipient,
            "conversation_id": "conv-1", "message_type": "CEB304Message",
            "record_guid": record_guid, "return_status": status, "payload": payload,
            "created_at": datetime.now(UTC).isoformat()}


def pull(gateway: Gateway, key: str, after: str = "0", fmt: str | None = None) -> Any:
    params = {"after": after, **({"format": fmt} if fmt else {})}
    return gateway.client.get("/api/v1/receipts", params=params,
                              headers={"Authorization": f"Bearer {key}"})


class TestPull:
    def test_receipts_come_in_order_after_the_cursor(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        tasks.ingest([], [receipt_item(builders.EBP, s) for s in ("2", "120")])
        first = pull(gateway, key).json()
        assert [r["returnStatus"] for r in first["receipts"]] == ["2", "120"]
        tasks.ingest([], [receipt_item(builders.EBP, "399")])
        second = pull(gateway, key, first["next"]).json()
        assert [r["returnStatus"] for r in second["receipts"]] == ["399"]
        assert pull(gateway, key, second["next"]).json()["receipts"] == []

    def test_a_cursor_never_passes_a_receipt_still_being_written(
            self, gateway: Gateway) -> None:
        """Two workers ingest at once; the first has written its receipt, not committed it,
        when the second commits its own and the enterprise pulls: the first is still
        pulled after that cursor (its id is below the second's)."""
        key = gateway.register(builders.EBP)
        first, second = receipt_item(builders.EBP, "2"), receipt_item(builders.EBP, "120")
        written, pulled = threading.Event(), threading.Event()

        def first_worker() -> None:
            with unit_of_work(resources.engine()) as uow:
                receipt_service.ingest(session=uow.session, processed_message_ids=[],
                                       receipts=[first])
                written.set()
                assert pulled.wait(timeout=10)  # commits after the pull

        worker = threading.Thread(target=first_worker)
        worker.start()
        assert written.wait(timeout=10)
        second_worker = threading.Thread(target=tasks.ingest, args=([], [second]))
        second_worker.start()
        second_worker.join(timeout=1.0)  # done at once unless it waits for the first
        early = pull(gateway, key).json()
        pulled.set()
        worker.join(timeout=10)
        second_worker.join(timeout=10)
        later = pull(gateway, key, early["next"]).json()
        seen = [r["returnStatus"] for r in early["receipts"] + later["receipts"]]
        assert sorted(seen) == ["120", "2"]

    def test_the_same_receipt_ingested_twice_is_kept_once(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        item = receipt_item(builders.EBP)
        tasks.ingest([], [item])
        tasks.ingest([], [item])
        assert len(pull(gateway, key).json()["receipts"]) == 1

    def test_xml_pull_gives_the_real_ceb_receipts(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        tasks.ingest([], [receipt_item(builders.EBP, "120")])
        response = pull(gateway, key, fmt="xml")
        root = etree.fromstring(response.content)
        message = root.find(f"Receipt/{CEB}CEB304Message")
        assert message is not None
        assert message.findtext(f"{CEB}OrderReturn/{CEB}returnStatus") == "120"
        xsd_path = reference_or_skip("xsd", "ceb-export-202205.xsd")
        schema = etree.XMLSchema(etree.parse(str(xsd_path)))
        schema.assertValid(etree.ElementTree(message))

    def test_an_enterprise_never_sees_another_enterprises_receipts(self,
                                                                    gateway: Gateway) -> None:
        mine = gateway.register(builders.EBP)
        theirs = gateway.register(builders.EBC)
        tasks.ingest([], [receipt_item(builders.EBP)])
        assert len(pull(gateway, mine).json()["receipts"]) == 1
        assert pull(gateway, theirs).json()["receipts"] == []

    def test_an_enterprise_never_sees_another_enterprises_message(self,
                                                                  gateway: Gateway) -> None:
        mine = gateway.register(builders.EBP)
        theirs = gateway.register(builders.EBC)
        message_id = gateway.post(mine, builders.order(1)).json()["messageId"]
        headers = {"Authorization": f"Bearer {theirs}"}
        assert gateway.client.get(f"/api/v1/messages/{message_id}",
                                  headers=headers).status_code == 404
        own = gateway.client.get(f"/api/v1/messages/{message_id}",
                                 headers={"Authorization": f"Bearer {mine}"})
        assert own.status_code == 200

    def test_a_stashed_batch_is_ingested_and_its_stash_deleted(self, gateway: Gateway,
                                                               monkeypatch: Any) -> None:
        key = gateway.register(builders.EBP)
        message_id = gateway.post(key, builders.order(1)).json()["messageId"]
        stash(gateway.redis, [[message_id], [receipt_item(builders.EBP, "2", message_id)]],
              "sw:receipts:test")
        real = receipt_service.ingest

        def broken(**kwargs: Any) -> list[int]:
            raise RuntimeError("the database is gone")

        monkeypatch.setattr(receipt_service, "ingest", broken)
        with pytest.raises(RuntimeError):
            tasks.ingest_batch("sw:receipts:test")
        assert gateway.redis.exists("sw:receipts:test")  # kept for rq's retry
        monkeypatch.setattr(receipt_service, "ingest", real)
        assert tasks.ingest_batch("sw:receipts:test") == 0
        assert not gateway.redis.exists("sw:receipts:test")
        assert [r["returnStatus"] for r in pull(gateway, key).json()["receipts"]] == ["2"]
        status = gateway.client.get(f"/api/v1/messages/{message_id}",
                                    headers={"Authorization": f"Bearer {key}"}).json()
        assert status["processed"] is True

    def test_ingest_marks_the_message_processed(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        message_id = gateway.post(key, builders.order(1)).json()["messageId"]
        with statements(resources.engine()) as seen:
            tasks.ingest([message_id], [receipt_item(builders.EBP, "2", message_id)])
        # the mark rewrites the message's state, not the message with its body
        assert [" ".join(s.split()[:3]) for s in seen if s.startswith("update")] == [
            "update message_state set"]
        status = gateway.client.get(f"/api/v1/messages/{message_id}",
                                    headers={"Authorization": f"Bearer {key}"}).json()
        assert status["processed"] is True
        assert [r["returnStatus"] for r in status["receipts"]] == ["2"]


class _Receiver(BaseHTTPRequestHandler):
    calls: list[tuple[dict[str, str], bytes]] = []
    fail = False

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append((dict(self.headers), body))
        self.send_response(500 if type(self).fail else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"calls": [], "fail": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def _register_with_hook(gateway: Gateway, url: str, fmt: str = "json") -> tuple[str, str]:
    response = gateway.client.post("/api/v1/enterprises", json={
        "code": builders.EBP, "name": "Demo Platform", "roles": ["ebp"], "callbackUrl": url,
        "callbackFormat": fmt}, headers={"Authorization": "Bearer test-admin-token"})
    body = response.json()
    return body["apiKey"], body["webhookSecret"]


def _deliveries() -> list[WebhookDelivery]:
    with Session(resources.engine()) as session:
        return list(session.exec(select(WebhookDelivery)).all())


class TestWebhooks:
    def test_receipt_is_posted_signed(self, gateway: Gateway, receiver: Any) -> None:
        url, handler = receiver
        _, secret = _register_with_hook(gateway, url, "xml")
        tasks.ingest([], [receipt_item(builders.EBP, "120")])
        [delivery] = _deliveries()
        assert tasks.deliver_webhook(delivery.id) == "delivered"
        [(headers, body)] = handler.calls
        assert verify(secret, body, headers["X-SW-Signature"])
        assert not verify(secret, body + b" ", headers["X-SW-Signature"])
        assert etree.fromstring(body).tag == f"{CEB}CEB304Message"

    def test_failed_delivery_is_retried_on_the_clock_then_dead_lettered(
            self, gateway: Gateway, receiver: Any) -> None:
        url, handler = receiver
        handler.fail = True
        _register_with_hook(gateway, url)
        clock = SimClock(gateway.redis)
        clock.set(datetime(2025, 3, 1, tzinfo=UTC), frozen=True)
        tasks.ingest([], [receipt_item(builders.EBP)])
        [delivery] = _deliveries()
        assert tasks.deliver_webhook(delivery.id) == "pending"
        [entry] = scheduler.pending(gateway.redis)
        first_wait = gateway.settings.webhook_backoff_seconds[0]
        expected = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(seconds=first_wait)
        assert entry["due_at"] == expected.isoformat()
        assert scheduler.run_due(gateway.redis, clock.now()) == []  # not due yet
        for _ in range(gateway.settings.webhook_max_attempts - 1):
            due = scheduler.next_due(gateway.redis)
            assert due is not None
            clock.set(datetime.fromtimestamp(due, UTC))
            scheduler.run_due(gateway.redis, clock.now())
            tasks.deliver_webhook(delivery.id)
        [final] = _deliveries()
        assert final.status == "dead"
        assert final.attempts == gateway.settings.webhook_max_attempts
        assert len(handler.calls) == gateway.settings.webhook_max_attempts
        assert scheduler.pending(gateway.redis) == []


def _wait_dispatched(message_id: str) -> None:
    """The 202 goes out once the message is stored; dispatch follows right after."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(resources.engine()) as session:
            row = session.get(MessageState, message_id)
            if row is not None and row.dispatched_at is not None:
                return
        time.sleep(0.01)
    raise AssertionError("message was not dispatched")


class TestOutboxSweep:
    def test_stored_but_never_dispatched_message_is_dispatched(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        message_id = gateway.post(key, builders.order(1)).json()["messageId"]
        _wait_dispatched(message_id)
        with Session(resources.engine()) as session:  # as if we crashed before dispatch
            row = session.get(MessageState, message_id)
            assert row is not None
            row.dispatched_at, row.stored_at = None, time.time() - 60
            session.add(row)
            session.commit()
        gateway.redis.delete("rq:queue:customs")
        assert tasks.sweep_outbox() == 1
        [item] = gateway.dispatched_items()
        assert item["message_id"] == message_id

    def test_processed_message_is_not_dispatched_again(self, gateway: Gateway) -> None:
        key = gateway.register(builders.EBP)
        message_id = gateway.post(key, builders.order(1)).json()["messageId"]
        _wait_dispatched(message_id)
        tasks.ingest([message_id], [])
        with Session(resources.engine()) as session:
            row = session.get(MessageState, message_id)
            assert row is not None
            row.dispatched_at = time.time() - 3600
            session.add(row)
            session.commit()
        assert tasks.sweep_outbox() == 0
