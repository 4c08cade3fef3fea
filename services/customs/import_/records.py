"""The life cycle of an import document: appType, numbers, status changes, receipts.

The same shape as the export side's ``services.customs.documents`` (whose ``Work``,
locking, number series and timeline it uses), with the import kinds, their state machine
(``import_.domain``) and their receipts (CEB312/412/512/622/624/626/712). ``declare``
applies a record's appType to the live document with its business key and answers the
record (status 1 or 2, a refusal with a negative code, or a deletion); the aggregate
modules then check the document and move it on with ``move`` or ``reject``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from infra.db import new_object
from services.customs import documents, numbers, outbox
from services.customs.documents import Work
from services.customs.domain import Decision, ceb_day, decide_app_type, pre_no
from services.customs.import_ import domain as imp
from services.customs.import_ import errors, receipts
from services.customs.import_.receipts import ListKeys
from services.customs.models import Document, live

CUSTOMS = documents.CUSTOMS
head_of = receipts.head_of

# head field → Document column, per kind (requests keep theirs out of the searched columns:
# a lookup by the list's numbers finds the list, not the cancel or return about it)
COLUMNS: dict[str, dict[str, str]] = {
    imp.ORDER: {"ebpCode": "ebp_code", "ebcCode": "ebc_code", "orderNo": "order_no"},
    imp.PAYMENT: {"ebpCode": "ebp_code", "orderNo": "order_no"},
    imp.WAYBILL: {"logisticsCode": "logistics_code", "logisticsNo": "logistics_no",
                  "orderNo": "order_no"},
    imp.LIST: {"ebpCode": "ebp_code", "ebcCode": "ebc_code", "orderNo": "order_no",
               "logisticsCode": "logistics_code", "logisticsNo": "logistics_no",
               "copNo": "cop_no", "billNo": "bill_no"},
    imp.CANCEL: {}, imp.RETURN: {},
    imp.DELIVERY: {"copNo": "cop_no", "billNo": "bill_no"}, imp.SIGNED: {},
}


class IllegalTransition(ValueError):
    """A status change the state machine does not allow (a bug, never a business outcome)."""


def business_key(kind: str, head: dict[str, Any]) -> tuple[str, str]:
    party_field, no_field = imp.BUSINESS_KEY[kind]
    return str(head[party_field]), str(head.get(no_field) or head["guid"])


def declare(work: Work, *, kind: str, record: dict[str, Any], locks: Iterable[str] = (),
            keys: ListKeys | None = None) -> Document | None:
    """Apply a record's appType; the document at status 2 to check further, or None.

    ``keys``: the list a cancel or return is about (its receipts carry them)."""
    head = head_of(kind, record)
    party, no = business_key(kind, head)
    documents.lock(work, [f"{kind}:{party}:{no}", *locks])
    existing = documents.find_live(work.session, kind, party, no)
    decision = _decide(work, kind, head["appType"], existing)
    if decision.refused:
        refuse(work, kind, record, errors.refusal(kind, decision).info(f"{party}+{no}"),
               errors.refusal(kind, decision).code, existing=existing, keys=keys)
        return None
    node = imp.ITEM_NODE.get(kind)
    repeated = _repeated(int(i["gnum"]) for i in record[node]) if node else []
    if repeated:
        refusal = errors.DUPLICATE_GNUM[kind]
        refuse(work, kind, record, refusal.info(",".join(map(str, repeated))), refusal.code,
               existing=existing, keys=keys)
        return None
    if decision is Decision.DELETE:
        assert existing is not None
        _delete(work, existing, record, keys)
        return None
    doc = existing or documents.new_document(work, kind, party, no)
    _fill(work, doc, record)
    if doc.pre_no is None and kind in imp.PRE_NO_PREFIX:
        doc.pre_no = new_pre_no(work, kind)
    doc.mismatches = []
    guid = head["guid"]
    if head["appStatus"] == imp.DRAFT:
        move(work, doc, imp.DRAFT, f"电子口岸已暂存[{guid}]", actor=work.sender, keys=keys)
        return None
    verb = "变更" if decision is Decision.CHANGE else "新增"
    move(work, doc, imp.DECLARED, f"{verb}申报成功[{guid}]", actor=work.sender, keys=keys)
    return doc


def _repeated(numbers: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    repeated: list[int] = []
    for n in numbers:
        if n in seen and n not in repeated:
            repeated.append(n)
        seen.add(n)
    return repeated


def _decide(work: Work, kind: str, app_type: str, existing: Document | None) -> Decision:
    if existing is None:
        return decide_app_type(app_type, None, modifiable=False)
    own = existing.sender == work.sender
    if app_type != "1" and not own:  # another enterprise's document is not found
        return decide_app_type(app_type, None, modifiable=False)
    status = existing.status if own else imp.DECLARED  # another's draft is still a duplicate
    held = kind in (imp.ORDER, imp.PAYMENT, imp.WAYBILL) and held_by_list(work, existing)
    modifiable = imp.is_modifiable(kind, existing.status, held=held)
    return decide_app_type(app_type, status, modifiable=modifiable)


def held_by_list(work: Work, doc: Document) -> bool:
    """Whether a live list in a holding state (120 on, not refused) refers to the document."""
    query = select(Document.id).where(
        Document.kind == imp.LIST, live(),
        col(Document.status).in_(imp.HOLDING_LIST_STATES))
    if doc.kind == imp.WAYBILL:
        query = query.where(Document.logistics_code == doc.logistics_code,
                            Document.logistics_no == doc.logistics_no)
    else:
        query = query.where(Document.ebp_code == doc.ebp_code,
                            Document.order_no == doc.order_no)
    return work.session.exec(query).first() is not None


def new_pre_no(work: Work, kind: str) -> str:
    prefix = imp.PRE_NO_PREFIX.get(kind, "B")
    day = ceb_day(work.now)
    return pre_no(prefix, day, numbers.next_number(work.session,
                                                     f"preNo:{prefix}:{day:%Y%m%d}"))


def new_number(work: Work, kind: str, customs_code: str) -> str:
    """The invtNo of a list at 120, or the rkdNo of a warehouse entry."""
    year = ceb_day(work.now).year
    make = imp.invt_no if kind == imp.LIST else imp.rkd_no
    letter = "I" if kind == imp.LIST else "R"
    return make(customs_code, year,
                numbers.next_number(work.session, f"invtNo:{letter}:{customs_code}:{year}"))


def _fill(work: Work, doc: Document, record: dict[str, Any]) -> None:
    head = head_of(doc.kind, record)
    _take_message(work, doc, head["guid"])
    doc.app_status = head["appStatus"]
    doc.record = record
    for name, column in COLUMNS[doc.kind].items():
        setattr(doc, column, head.get(name))


def _take_message(work: Work, doc: Document, guid: str) -> None:
    doc.guid = guid
    doc.sender = work.sender
    doc.message_id = work.processed.message_id
    doc.conversation_id = work.processed.conversation_id


def _delete(work: Work, doc: Document, record: dict[str, Any],
            keys: ListKeys | None) -> None:
    """appType 3: the document is deleted (a draft deletion only answers status 1)."""
    guid = head_of(doc.kind, record)["guid"]
    if head_of(doc.kind, record)["appStatus"] == imp.DRAFT:
        refuse(work, doc.kind, record, f"电子口岸已暂存[{guid}]", imp.DRAFT, existing=doc,
               keys=keys)
        return
    _take_message(work, doc, guid)
    move(work, doc, imp.DECLARED, f"删除申报成功[{guid}]", actor=work.sender, keys=keys)
    doc.deleted = True
    note(work, doc, doc.status, "删除成功 deleted")
    emit(work, doc, imp.ACCEPTED, "删除成功 deleted", work.stamp(after=doc.updated_at), keys)


# ------------------------------------------------------------------ status changes


def move(work: Work, doc: Document, status: str, info: str, actor: str = CUSTOMS,
         keys: ListKeys | None = None) -> None:
    """Change a document's status: a timeline entry and a receipt to its sender."""
    if not imp.can_move(doc.kind, doc.status or None, status):
        raise IllegalTransition(f"{doc.kind} cannot go from {doc.status} to {status}")
    at = work.stamp(after=doc.updated_at if doc.status else None)
    doc.status = status
    doc.updated_at = at
    documents.settle(work.session, doc)
    documents.timeline(work.session, doc, at=at, status=status, actor=actor, info=info)
    emit(work, doc, status, info, at, keys)


def reject(work: Work, doc: Document, problems: list[str], status: str = imp.REJECTED,
           keys: ListKeys | None = None) -> None:
    """海关退单 (100, or a limit's negative code): every problem in the returnInfo and view."""
    doc.mismatches = list(problems)
    prefix = "海关退单：" if status == imp.REJECTED else f"[{status}] "
    move(work, doc, status, prefix + "; ".join(problems), keys=keys)


def note(work: Work, doc: Document, status: str, info: str, actor: str = CUSTOMS) -> datetime:
    """A timeline entry without a receipt (what a list waits for, what tax decided)."""
    return documents.note(work, doc, status, info, actor)


def emit(work: Work, doc: Document, status: str, info: str, at: datetime,
         keys: ListKeys | None = None) -> None:
    """Write the receipt about ``doc`` (to its sender) into customs' receipt outbox."""
    message = receipts.build(doc, status, info, at, keys)
    outbox.write(work.session, work.processed, message, recipient=doc.sender,
                 message_id=doc.message_id, conversation_id=doc.conversation_id,
                 record_guid=doc.guid, status=status, at=at)


def refuse(work: Work, kind: str, record: dict[str, Any], info: str, status: str, *,
           existing: Document | None = None, keys: ListKeys | None = None) -> None:
    """A receipt about a record that changes no document (a refusal, a draft deletion)."""
    transient = new_object(Document, kind=kind, guid="", sender="", party_code="", no="",
                           status=status, app_status="2", declared_at=work.now,
                           updated_at=work.now, record={})
    _fill(work, transient, record)
    if kind in imp.PRE_NO_PREFIX:
        transient.pre_no = (existing.pre_no if existing and existing.pre_no
                            else new_pre_no(work, kind))
    transient.invt_no = existing.invt_no if existing else None
    head = head_of(kind, record)
    if kind == imp.CANCEL and not (keys and keys.pre_no) and not head.get("preNo"):
        keys = ListKeys(cop_no=keys.cop_no if keys else None, pre_no=new_pre_no(work, imp.LIST),
                        invt_no=keys.invt_no if keys else None)
    emit(work, transient, status, info, work.stamp(), keys)
