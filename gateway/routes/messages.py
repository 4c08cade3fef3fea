"""``POST /api/v1/messages``: one CEB document in, ``202`` with its guid out."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.ceb import CebFormatError
from gateway import intake
from gateway.db import resources
from gateway.deps import current_enterprise, get_clock
from infra.errors import PROBLEM_JSON, BadRequest, Conflict, PayloadTooLarge

router = APIRouter(prefix="/api/v1", tags=["messages"])

_DOC = """One CEB document: `application/xml` (the real message, e.g. `CEB603Message`) or
`application/json` (its mirror, `{"messageType": "CEB603Message", ...}`). Stored durably,
then answered `202` with the guid and `X-Conversation-ID`. A malformed document gets
`400`: a CEB900 receipt (XML) or problem+json (JSON) naming every bad field."""


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise BadRequest("the body is empty", code="empty_body")
    return body


@router.post("/messages", status_code=202, description=_DOC,
             responses={400: {"description": "format errors (CEB900 or problem+json)"}})
async def post_message(request: Request) -> Response:
    """Accept one CEB document (see the description)."""
    # the caller, clock and settings are fetched here, not as FastAPI dependencies: the
    # plain route of ``fast_route`` serves this function
    caller = await current_enterprise(request)
    kind = intake.media_kind(request.headers.get("content-type"))
    body = await _read_body(request, resources.config().max_body_bytes)
    now = (await get_clock()).now()
    try:
        submission = intake.check(
            body=body, kind=kind, caller=caller, now=now,
            conversation_id=request.headers.get("x-conversation-id"),
            idempotency_key=request.headers.get("idempotency-key"))
    except CebFormatError as exc:
        return _format_error(exc, body, kind, now)
    stored = await request.app.state.writer.submit(submission)
    if stored.conflict:
        raise Conflict(stored.conflict, code="duplicate_message",
                       errors=[{"path": f"{submission.message_type}/@guid",
                                "message": stored.conflict, "value": submission.guid}])
    content: dict[str, Any] = {
        "guid": submission.guid, "messageId": stored.message_id,
        "messageType": submission.message_type, "conversationId": stored.conversation_id,
        "status": "accepted", "replayed": stored.replayed,
    }
    return Response(orjson.dumps(content), status_code=202, media_type="application/json",
                    headers={"X-Conversation-ID": stored.conversation_id,
                             "Location": f"/api/v1/messages/{stored.message_id}"})


def fast_route() -> Route:
    """``post_message`` as a plain Starlette route, for the app to match before its FastAPI
    routes. FastAPI's work per request (its router's matching, solving the dependencies)
    was about a quarter of the intake's CPU, and this endpoint needs none of it. The
    FastAPI route above stays for the OpenAPI document; it names the same function."""
    return Route(f"{router.prefix}/messages", post_message, methods=["POST"])


def _format_error(exc: CebFormatError, body: bytes, kind: str, now: Any) -> Response:
    if kind == "xml":
        return Response(intake.ceb900(exc, body, now), status_code=400,
                        media_type="application/xml")
    problem = BadRequest(f"{len(exc.errors)} format error(s) in {exc.message_type}",
                         code="format_error", errors=intake.problem_errors(exc),
                         messageType=exc.message_type)
    return JSONResponse(problem.problem(), status_code=400, media_type=PROBLEM_JSON)
