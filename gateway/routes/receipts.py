"""Receipts by pull (cursor) and the status of one accepted message."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import col, select

from gateway import receipts as receipt_service
from gateway.deps import CurrentEnterprise, SessionDep
from gateway.models import Message, MessageState, Receipt
from infra.errors import BadRequest, NotFound

router = APIRouter(prefix="/api/v1", tags=["receipts"])


def _wants_xml(request: Request, fmt: str | None) -> bool:
    if fmt:
        return fmt == "xml"
    accept = request.headers.get("accept", "")
    return "xml" in accept and "json" not in accept


@router.get("/receipts")
def list_receipts(request: Request, caller: CurrentEnterprise, session: SessionDep,
                  after: str = Query("0", description="cursor: the last receipt seen"),
                  limit: int = Query(100, ge=1, le=1000),
                  format: str | None = Query(None, pattern="^(json|xml)$")) -> Any:
    """The enterprise's receipts after ``after``, in order; ``next`` is the new cursor."""
    if not after.isdigit():
        raise BadRequest("after must be a cursor returned earlier", code="bad_cursor",
                         errors=[{"path": "after", "message": "not a cursor", "value": after}])
    rows = receipt_service.for_enterprise(session=session, enterprise_id=caller.id,
                                          after=int(after), limit=limit)
    next_cursor = str(rows[-1].id) if rows else after
    if _wants_xml(request, format):
        return Response(receipt_service.batch_xml(rows, next_cursor),
                        media_type="application/xml", headers={"X-Next-Cursor": next_cursor})
    return Response(orjson.dumps({"receipts": [receipt_service.as_json(r) for r in rows],
                                  "next": next_cursor}), media_type="application/json")


@router.get("/messages/{message_id}")
def get_message(message_id: str, caller: CurrentEnterprise, session: SessionDep) -> dict[str, Any]:
    """One accepted message: stored, dispatched, processed, and the receipts it produced."""
    row = session.exec(select(Message).where(Message.id == message_id)
                           .where(Message.enterprise_id == caller.id)).first()
    if row is None:
        raise NotFound(f"no message {message_id} for this enterprise", code="message_not_found")
    state = session.get(MessageState, row.id)
    receipts = session.exec(select(Receipt).where(Receipt.message_id == row.id)
                                .where(Receipt.enterprise_id == caller.id)
                                .order_by(col(Receipt.id))).all()
    return {
        "messageId": row.id, "guid": row.guid, "messageType": row.message_type,
        "conversationId": row.conversation_id, "receivedAt": row.received_at.isoformat(),
        "dispatched": state is not None and state.dispatched_at is not None,
        "processed": state is not None and state.processed_at is not None,
        "receipts": [{"cursor": str(r.id), "messageType": r.message_type,
                      "recordGuid": r.record_guid, "returnStatus": r.return_status}
                     for r in receipts],
    }
