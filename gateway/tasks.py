"""The gateway's rq jobs: receipt ingest, webhook delivery, the outbox sweep."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import httpx
import orjson
from sqlmodel import Session, col, or_, select

from gateway import receipts as receipt_service
from gateway.db import resources
from gateway.models import Enterprise, Message, MessageState, Receipt, WebhookDelivery
from gateway.webhooks import sign
from gateway.writer import dispatch
from infra.clock import SimClock
from infra.db import unit_of_work
from infra.queue import enqueue_after_commit, unstash
from infra.scheduler import schedule

log = logging.getLogger(__name__)
QUEUE = "gateway"


def ingest(processed_message_ids: list[str], receipts: list[dict[str, Any]]) -> int:
    """Store receipts from an agency and start their webhooks; idempotent by receipt_id."""
    redis = resources.redis()
    with unit_of_work(resources.engine()) as uow:
        deliveries = receipt_service.ingest(session=uow.session,
                                            processed_message_ids=processed_message_ids,
                                            receipts=receipts)
        for delivery_id in deliveries:
            enqueue_after_commit(uow, redis, QUEUE, "gateway.tasks.deliver_webhook", delivery_id)
    return len(deliveries)


def ingest_batch(key: str) -> int:
    """``ingest`` of the processed messages and receipts an agency stashed beside the job
    under ``key`` (``infra.outbox.hand_over_receipts``); the stash goes once they are in
    (a failed job keeps it for rq's retry)."""
    redis = resources.redis()
    stashed = unstash(redis, key)
    if stashed is None:  # taken already (a run of this job that ended before rq knew), or
        log.warning("receipts %s are no longer stashed", key)  # dropped by a reset
        return 0
    processed_message_ids, receipts = stashed
    deliveries = ingest(processed_message_ids, receipts)
    redis.delete(key)
    return deliveries


def deliver_webhook(delivery_id: int) -> str:
    """POST one receipt to the enterprise's callback; retry on the simulator clock."""
    settings = resources.config()
    redis = resources.redis()
    with Session(resources.engine()) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != "pending":
            return "skipped"
        enterprise = session.get(Enterprise, delivery.enterprise_id)
        receipt = session.get(Receipt, delivery.receipt_pk)
        if enterprise is None or receipt is None or not enterprise.callback_url:
            delivery.status = "dead"
            delivery.last_error = "enterprise, receipt or callback URL no longer exists"
            session.commit()
            return "dead"
        if enterprise.callback_format == "xml":
            body, ctype = receipt_service.as_xml(receipt), "application/xml"
        else:
            body, ctype = orjson.dumps(receipt_service.as_json(receipt)), "application/json"
        headers = {"Content-Type": ctype, "X-SW-Signature": sign(enterprise.webhook_secret, body),
                   "X-SW-Delivery": str(delivery.id), "X-SW-Event": "receipt",
                   "X-SW-Cursor": str(receipt.id)}
        error = _post(enterprise.callback_url, body, headers, settings.webhook_timeout_seconds)
        now = SimClock(redis).now()
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.last_error = "dead", error
        else:
            backoff = settings.webhook_backoff_seconds
            wait = backoff[min(delivery.attempts - 1, len(backoff) - 1)]
            delivery.last_error = error
            delivery.next_attempt_at = now + timedelta(seconds=wait)
        session.commit()
        if delivery.status == "pending" and delivery.next_attempt_at is not None:
            schedule(redis, delivery.next_attempt_at, "gateway.tasks.deliver_webhook",
                     delivery_id, queue_name=QUEUE, key=f"webhook-{delivery_id}")
        return delivery.status


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"{exc.__class__.__name__}: {exc}"[:1000]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def sweep_outbox(limit: int = 500) -> int:
    """Dispatch again what was stored but never dispatched, or never processed in time."""
    settings = resources.config()
    real_now = time.time()
    engine = resources.engine()
    with Session(engine) as session:
        rows = session.exec(
            select(Message).join(MessageState, col(MessageState.message_id) == col(Message.id))
            .where(col(MessageState.processed_at).is_(None))
            .where(or_(col(MessageState.dispatched_at).is_(None)
                       & (col(MessageState.stored_at) < real_now - 2),
                       col(MessageState.dispatched_at)
                       < real_now - settings.redispatch_after_seconds))
            .order_by(col(MessageState.stored_at)).limit(limit)).all()
        by_queue: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_queue.setdefault(row.queue, []).append({
                "message_id": row.id, "guid": row.guid, "message_type": row.message_type,
                "sender": _sender_code(session, row.enterprise_id),
                "conversation_id": row.conversation_id,
                "received_at": row.received_at.isoformat(), "payload": row.payload,
            })
    for queue_name, items in by_queue.items():
        log.warning("re-dispatching %d message(s) to %s", len(items), queue_name)
        dispatch(engine, resources.redis(), items, queue_name)
    return sum(len(items) for items in by_queue.values())


def _sender_code(session: Session, enterprise_id: int) -> str:
    enterprise = session.get(Enterprise, enterprise_id)
    return enterprise.code if enterprise else ""
