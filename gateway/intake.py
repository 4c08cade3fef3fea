"""Intake: turn one posted document into a checked submission, or name every error.

The XML path is the real CEB message; the JSON path is its mirror. Either way the result
is the same validated contract model, stored with its raw body and dispatched as JSON.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from contracts.ceb import CebFormatError, CebMessage, FieldError, parse_json, parse_xml, to_json
from contracts.ceb.codec import message_class, to_xml
from contracts.codes import FORMAT_ERROR_STATUS
from gateway.enterprises import Caller
from gateway.routing import check_sender, queue_for
from infra.errors import Forbidden, UnsupportedMediaType

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json",)


@dataclass
class Submission:
    """A checked message, ready to be stored and dispatched."""

    id: str
    enterprise_id: int
    sender: str
    guid: str
    message_type: str
    content_type: str
    body: bytes
    body_hash: str
    payload_text: str  # the JSON mirror, serialised once
    conversation_id: str
    idempotency_key: str | None
    queue: str
    received_at: datetime

    def job_item(self) -> dict[str, Any]:
        """What the agency's job receives: the payload is the JSON mirror as a string."""
        return {"message_id": self.id, "guid": self.guid, "message_type": self.message_type,
                "sender": self.sender, "conversation_id": self.conversation_id,
                "received_at": self.received_at.isoformat(), "payload": self.payload_text}


def media_kind(content_type: str | None) -> str:
    """``xml`` or ``json`` from a Content-Type header; 415 for anything else."""
    base = (content_type or "").split(";")[0].strip().lower()
    if base in XML_TYPES or base.endswith("+xml"):
        return "xml"
    if base in JSON_TYPES or base.endswith("+json"):
        return "json"
    raise UnsupportedMediaType(f"Content-Type {base or '(none)'} is not accepted; send "
                               "application/xml (CEB XML) or application/json (its mirror)")


def parse(body: bytes, kind: str) -> CebMessage:
    """Parse and validate the document; ``CebFormatError`` names every bad field."""
    if kind == "xml":
        return parse_xml(body)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise CebFormatError([FieldError("", f"not valid JSON: {exc}")]) from None
    return parse_json(data)


def check(*, body: bytes, kind: str, caller: Caller, now: datetime,
          conversation_id: str | None, idempotency_key: str | None) -> Submission:
    """Parse, validate and authorise one posted document."""
    message = parse(body, kind)
    name = message.message_type
    if message.direction != "declaration":
        raise CebFormatError([FieldError(name, f"{name} is a message customs sends; "
                                               "enterprises cannot declare it")], name)
    cop_code = message.BaseTransfer.copCode  # type: ignore[attr-defined]
    if cop_code != caller.code:
        raise Forbidden(f"BaseTransfer/copCode {cop_code} is not the authenticated enterprise "
                        f"{caller.code}", code="copcode_mismatch",
                        errors=[{"path": f"{name}/BaseTransfer/copCode",
                                 "message": "must be the enterprise of the API key",
                                 "value": cop_code}])
    check_sender(name, caller.roles)
    return Submission(
        id=os.urandom(16).hex(), enterprise_id=caller.id, sender=caller.code, guid=message.guid,
        message_type=name, content_type=kind, body=body,
        body_hash=hashlib.sha256(body).hexdigest(), payload_text=dumps(to_json(message)),
        conversation_id=conversation_id or str(uuid.uuid4()),
        idempotency_key=idempotency_key, queue=queue_for(name), received_at=now)


def ceb900(error: CebFormatError, body: bytes, now: datetime) -> bytes:
    """The CEB900 format-validation receipt listing every error."""
    info = "; ".join(str(e) for e in error.errors)
    if len(info) > 5000:
        info = info[:4990] + " …(more)"
    original = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    ori_guid = _root_guid(original)
    record = {
        "guid": str(uuid.uuid4()).upper(),
        "returnStatus": FORMAT_ERROR_STATUS,
        "returnInfo": info,
        "returnTime": now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}",
        "oriCopMsgId": ori_guid,
        "oriMessageType": (error.message_type or "Unknown")[:15],
        "oriBizMessage": original,
    }
    cls = message_class("CEB900Message")
    message = cls.model_validate({"guid": str(uuid.uuid4()).upper(), "MessageReturn": record})
    return to_xml(message)


def _root_guid(text: str) -> str:
    start = text.find('guid="')
    if start < 0:
        return "Unknown"
    end = text.find('"', start + 6)
    value = text[start + 6:end]
    return value[:255] if 0 < len(value) else "Unknown"


def problem_errors(error: CebFormatError) -> list[dict[str, Any]]:
    return [{"path": e.path, "message": e.message, **({"value": e.value} if e.value else {})}
            for e in error.errors]


def dumps(payload: dict[str, Any]) -> str:
    return orjson.dumps(payload).decode()
