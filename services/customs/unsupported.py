"""Messages customs does not act on yet: each record still gets its receipt.

The E-port accepts the record (2) and customs answers 100 (退单) saying that this
business is not handled by the simulator yet, so an integrator never waits for nothing.
The receipt is the real one of the message type (CEB605 → CEB606, CEB701 → CEB702, ...),
its key fields copied from the declared record.
"""

from __future__ import annotations

import typing
import uuid
from datetime import datetime
from typing import Any

from contracts.ceb import CebMessage, CebModel
from contracts.ceb.codec import plan_for
from services.customs import domain, outbox
from services.customs.documents import Work, new_pre_no

NONE = "无"
INFO = "海关暂不受理该业务报文 / {name} is not processed by this simulator yet"


def receipt_class(message_type: str) -> type[CebMessage] | None:
    """The receipt message of a declaration type: its number plus one (CEB605 → CEB606)."""
    number = int(message_type[3:6]) + 1
    cls = CebMessage.registry.get(f"CEB{number}Message")
    return cls if cls is not None and cls.direction == "receipt" else None


def answer(work: Work, message: CebMessage) -> str:
    """Receipts 2 then 100 for every record of ``message``."""
    cls = receipt_class(message.message_type)
    if cls is None:
        return f"{message.message_type} has no receipt type"
    node = plan_for(cls).elements[0]
    assert node.model is not None
    for record in message.records():
        head = _head(record)
        needs_pre_no = "preNo" in node.model.model_fields and not head.get("preNo")
        pre_no = new_pre_no(work, "inventory") if needs_pre_no else None
        for status, info in (("2", "电子口岸申报中"),
                             ("100", INFO.format(name=message.message_type))):
            fields = _fields(node.model, head, status, info, work.stamp(), pre_no)
            receipt = cls.model_validate({"guid": str(uuid.uuid4()).upper(),
                                          node.name: [fields]})
            _emit(work, receipt, head, status, work.stamp())
    return f"{message.message_type} answered 100 (not processed yet)"


def _head(record: CebModel) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude_none=True)
    head = next((v for k, v in data.items() if k.endswith("Head") and isinstance(v, dict)),
                None)
    return head if head is not None else data


def _fields(model: type[CebModel], head: dict[str, Any], status: str, info: str,
            at: datetime, pre_no: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, spec in model.model_fields.items():
        if name == "returnStatus":
            fields[name] = status
        elif name == "returnTime":
            fields[name] = domain.ceb_return_time(at)
        elif name == "returnInfo":
            fields[name] = info
        elif name in head:
            fields[name] = head[name]
        elif name == "preNo" and pre_no:
            fields[name] = pre_no
        elif spec.is_required():
            fields[name] = _filler(spec.annotation)
    return fields


def _filler(annotation: Any) -> Any:
    """A required key the record does not carry: ``无`` (none), or 1 for a number."""
    core = annotation
    while typing.get_origin(core) is typing.Annotated:
        core = core.__origin__
    return 1 if core is int else NONE


def _emit(work: Work, receipt: CebMessage, head: dict[str, Any], status: str,
          at: datetime) -> None:
    processed = work.processed
    outbox.write(work.session, processed, receipt, recipient=processed.sender,
                 message_id=processed.message_id, conversation_id=processed.conversation_id,
                 record_guid=str(head.get("guid", "")), status=status, at=at)

