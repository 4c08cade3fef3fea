"""The life cycle every declared document shares: appType, numbers, status changes, timeline.

``declare`` applies a record's appType to the live document with its business key and
answers the record (status 1 or 2, a refusal with a negative code, or a deletion); the
aggregate modules (orders, inventory, transport) then run their customs checks and move
the document on with ``move`` or ``reject``. Every status change is a timeline entry and a
receipt to the document's sender.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from infra.caches import unit_cache
from infra.db import add_row, new_object
from services.customs import domain, errors, numbers, outbox
from services.customs.config import Settings
from services.customs.domain import DECLARED, DRAFT, REJECTED, Decision, Kind
from services.customs.models import Document, ProcessedMessage, TimelineEntry, live

CUSTOMS = "customs"
# head field → Document column
COLUMNS = {"ebpCode": "ebp_code", "ebcCode": "ebc_code", "orderNo": "order_no",
           "logisticsCode": "logistics_code", "logisticsNo": "logistics_no", "copNo": "cop_no",
           "billNo": "bill_no"}
ITEM_NODE: dict[Kind, str] = {"order": "OrderList", "inventory": "InventoryList"}


@dataclass
class Work:
    """Processing one message: its session, the message's facts and the clock's time."""

    session: Session
    settings: Settings
    processed: ProcessedMessage
    now: datetime
    _last: datetime | None = field(default=None, repr=False)

    @property
    def sender(self) -> str:
        return self.processed.sender

    def stamp(self, after: datetime | None = None) -> datetime:
        """The simulator time of the next event: strictly after the previous one of this
        message, and after ``after`` (a document's last event), by 1 ms steps."""
        at = self.now
        for earlier in (self._last, after):
            if earlier is not None:
                at = max(at, earlier + timedelta(milliseconds=1))
        self._last = at
        return at


def head_of(kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    node = domain.HEAD_NODE[kind]
    return record[node] if node else record


def lock(work: Work, keys: Iterable[str]) -> bool:
    """Serialize work on the same business keys (PostgreSQL; SQLite serializes writes, and
    a transaction that read before another's commit cannot write after it). Whether it
    took a lock the transaction did not hold: what was read before may then be stale."""
    return lock_keys(work.session, keys)


_LOCKED = "customs.locks.held"  # unit cache: the lock numbers the transaction holds
_AHEAD = "customs.locks.ahead"  # unit cache: True once ``lock_ahead`` locked the batch's keys
# the keys' locks, one statement, in the order given (unnest keeps the array's order)
_LOCK_ALL = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def lock_keys(session: Session, keys: Iterable[str]) -> bool:
    """``lock`` for a session: the locks of ``keys`` it does not hold yet, in one statement
    and in one order (by number) whoever takes them; whether there were any."""
    if not locking(session):
        return False
    held = unit_cache(session, _LOCKED)  # emptied with the transaction, and by any rollback
    wanted = sorted({lock_number(key) for key in keys} - held.keys())
    if wanted:
        session.connection().execute(_LOCK_ALL, {"keys": wanted})
        held.update(dict.fromkeys(wanted, True))
    return bool(wanted)


def lock_ahead(session: Session, keys: Iterable[str]) -> None:
    """Lock every key a batch's messages will lock and look up, before the batch looks
    anything up: its lookups may then be made ahead (``ahead``), and two batches never
    wait for each other's keys in opposite orders."""
    if locking(session):
        lock_keys(session, keys)
        unit_cache(session, _AHEAD)[True] = True


def ahead(session: Session) -> bool:
    """Whether a batch's lookups may be made ahead of its messages: on SQLite (its unit of
    work holds the database), and on PostgreSQL once ``lock_ahead`` locked the batch's keys
    (whoever changes what they name holds one of them)."""
    return not locking(session) or bool(unit_cache(session, _AHEAD))


def lock_number(key: str) -> int:
    """The number of a key's advisory lock."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


def locking(session: Session) -> bool:
    """Whether ``lock`` takes locks on this database (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


# Built once: the hot path runs them for every record (only their parameters change).
_FINDLIVE = select(Document).where(
    Document.kind == bindparam("kind"), Document.party_code == bindparam("party"),
    Document.no == bindparam("no"), live())


LIVE = "customs.live"  # unit cache: (kind, party, no) → the live document, None: none
MADE = "customs.made"  # unit cache: id(document) → the documents the unit of work made
def find_live(session: Session, kind: str, party: str, no: str) -> Document | None:
    """The document (not deleted) of a kind with this business key.

    A document this unit of work already found or created, or a key it (or
    ``prefetch.live``) looked up, is answered from the unit's cache: no query, so no
    autoflush (``infra.db.unit_cache``). Where ``lock`` locks, a key this finds without a
    document is looked up again (it may have been looked up before its lock was taken);
    ``prefetch.documents`` looks up there only under the batch's locks."""
    cache = unit_cache(session, LIVE)
    key = (kind, party, no)
    if key in cache:
        doc: Document | None = cache[key]
        if doc is None:  # looked up with its batch: none (``new_document`` fills it)
            return None
        if not doc.deleted:
            return doc
    doc = session.exec(_FINDLIVE, params={"kind": kind, "party": party, "no": no}).first()
    if doc is not None or not locking(session):  # none is remembered (as by prefetch)
        cache[key] = doc
    return doc


def new_document(work: Work, kind: str, party: str, no: str) -> Document:
    """A new live document of ``kind`` with this business key (``find_live`` finds it)."""
    doc = new_object(Document, kind=kind, guid="", sender="", party_code=party, no=no,
                     status="", app_status="", declared_at=work.now, updated_at=work.now,
                     record={})
    unit_cache(work.session, LIVE)[(kind, party, no)] = doc
    unit_cache(work.session, MADE)[id(doc)] = doc
    return doc


def made_here(session: Session, doc: Document) -> bool:
    """Whether this unit of work made ``doc`` (``new_document``): nothing refers to it yet."""
    return id(doc) in unit_cache(session, MADE)


def new_pre_no(work: Work, kind: Kind) -> str:
    prefix = domain.PRE_NO_PREFIX[kind]
    day = domain.ceb_day(work.now)
    return domain.pre_no(prefix, day,
                         numbers.next_number(work.session, f"preNo:{prefix}:{day:%Y%m%d}"))


def new_invt_no(work: Work, customs_code: str) -> str:
    year = domain.ceb_day(work.now).year
    return domain.invt_no(customs_code, year,
                          numbers.next_number(work.session, f"invtNo:{customs_code}:{year}"))


def note(work: Work, doc: Document, status: str, info: str, actor: str = CUSTOMS) -> datetime:
    """Add a timeline entry (no receipt): returns its time."""
    at = work.stamp(after=doc.updated_at if doc.status else None)
    doc.updated_at = at
    timeline(work.session, doc, at=at, status=status, actor=actor, info=info)
    return at


def move(work: Work, doc: Document, status: str, info: str, actor: str = CUSTOMS) -> None:
    """Change a document's status: a timeline entry and a receipt to its sender."""
    domain.check_move(doc.kind, doc.status or None, status)  # type: ignore[arg-type]
    at = work.stamp(after=doc.updated_at if doc.status else None)
    doc.status = status
    doc.updated_at = at
    settle(work.session, doc)
    timeline(work.session, doc, at=at, status=status, actor=actor, info=info)
    outbox.emit(work.session, doc=doc, status=status, info=info, at=at,
                processed=work.processed)


def settle(session: Session, doc: Document) -> None:
    """Add ``doc`` to the session: written by the next flush (``infra.db.id_of`` when its
    id is needed before). Once is enough: adding it again would walk its cascades again."""
    if doc not in session:
        session.add(doc)


def timeline(session: Session, doc: Document, *, at: datetime, status: str, actor: str,
             info: str) -> None:
    """A timeline entry of ``doc``, written with the unit of work's commit."""
    row = {"at": at, "status": status, "actor": actor, "info": info[:1000]}
    add_row(session, TimelineEntry, lambda: {**row, "document_id": doc.id})


def reject(work: Work, doc: Document, problems: list[str]) -> None:
    """海关退单 (100): every problem, field by field, in the returnInfo and the view."""
    doc.mismatches = list(problems)
    move(work, doc, REJECTED, "海关退单：" + "; ".join(problems))


def declare(work: Work, *, kind: Kind, record: dict[str, Any],
            locks: Iterable[str] = ()) -> Document | None:
    """Apply a record's appType; the document at status 2 to check further, or None."""
    head = head_of(kind, record)
    party, no = domain.business_key(kind, head)
    lock(work, [f"{kind}:{party}:{no}", *locks])
    existing = find_live(work.session, kind, party, no)
    decision = _decide(work, kind, head["appType"], existing)
    if decision.refused:
        _refuse(work, kind, record, existing, errors.refusal(kind, decision), f"{party}+{no}")
        return None
    node = ITEM_NODE.get(kind)
    repeated = domain.duplicates(int(i["gnum"]) for i in record[node]) if node else []
    if repeated:
        _refuse(work, kind, record, existing, errors.DUPLICATE_GNUM[kind],
                ",".join(map(str, repeated)))
        return None
    if decision is Decision.DELETE:
        assert existing is not None
        _delete(work, existing, record)
        return None
    doc = existing or new_document(work, kind, party, no)
    _fill(work, doc, record)
    if doc.pre_no is None and kind in domain.PRE_NO_PREFIX:
        doc.pre_no = new_pre_no(work, kind)
    doc.mismatches = []
    guid = head["guid"]
    if head["appStatus"] == DRAFT:
        move(work, doc, DRAFT, f"电子口岸已暂存[{guid}]", actor=work.sender)
        return None
    verb = "变更" if decision is Decision.CHANGE else "新增"
    move(work, doc, DECLARED, f"{verb}申报成功[{guid}]", actor=work.sender)
    return doc


def _decide(work: Work, kind: Kind, app_type: str, existing: Document | None) -> Decision:
    if existing is None:
        return domain.decide_app_type(app_type, None, modifiable=False)
    own = existing.sender == work.sender
    if app_type != "1" and not own:  # another enterprise's document is not found
        return domain.decide_app_type(app_type, None, modifiable=False)
    status = existing.status if own else DECLARED  # another's draft is still a duplicate
    blocked = kind in ("order", "receipt", "waybill") and _held(work.session, existing)
    modifiable = domain.is_modifiable(kind, existing.status, blocked=blocked)
    return domain.decide_app_type(app_type, status, modifiable=modifiable)


def _held(session: Session, doc: Document) -> bool:
    """Whether a list in a holding state (120 and on, not rejected) refers to the document."""
    party, no = (getattr(doc, name) for name in REFERS_BY[doc.kind])
    return session.exec(_HELD[doc.kind], params={"party": party, "no": no}).first() is not None


def _held_by(party: Any, no: Any) -> Any:
    return select(Document.id).where(
        Document.kind == "inventory", live(),
        col(Document.status).in_(domain.HOLDING_LIST_STATES),
        party == bindparam("party"), no == bindparam("no"))


# the fields of an order, receipt or waybill a list refers to it by (party, number)
REFERS_BY = {"order": ("ebp_code", "order_no"), "receipt": ("ebc_code", "order_no"),
             "waybill": ("logistics_code", "logistics_no")}
_HELD = {"order": _held_by(Document.ebp_code, Document.order_no),
         "receipt": _held_by(Document.ebc_code, Document.order_no),
         "waybill": _held_by(Document.logistics_code, Document.logistics_no)}


def _fill(work: Work, doc: Document, record: dict[str, Any]) -> None:
    """Take the declared record's guid, fields and message onto the document."""
    head = head_of(doc.kind, record)  # type: ignore[arg-type]
    _take_message(work, doc, head["guid"])
    doc.app_status = head["appStatus"]
    doc.record = record
    for name, column in COLUMNS.items():
        setattr(doc, column, head.get(name))


def _take_message(work: Work, doc: Document, guid: str) -> None:
    """The document now answers to this record guid, message and sender."""
    doc.guid = guid
    doc.sender = work.sender
    doc.message_id = work.processed.message_id
    doc.conversation_id = work.processed.conversation_id


def _refuse(work: Work, kind: Kind, record: dict[str, Any], existing: Document | None,
            refusal: errors.Refusal, key: str) -> None:
    """Answer a refused record with its negative code; nothing is stored."""
    _answer_only(work, kind, record, existing, refusal.code, refusal.info(key))


def _answer_only(work: Work, kind: Kind, record: dict[str, Any], existing: Document | None,
                 status: str, info: str) -> None:
    """A receipt about a record that changes no document."""
    transient = new_object(Document, kind=kind, guid="", sender="", party_code="", no="",
                           status=status, app_status="2", declared_at=work.now,
                           updated_at=work.now, record={})
    _fill(work, transient, record)
    if kind in domain.PRE_NO_PREFIX:
        transient.pre_no = (existing.pre_no if existing and existing.pre_no
                            else new_pre_no(work, kind))
    transient.invt_no = existing.invt_no if existing else None
    outbox.emit(work.session, doc=transient, status=status, info=info, at=work.stamp(),
                processed=work.processed)


def _delete(work: Work, doc: Document, record: dict[str, Any]) -> None:
    """appType 3: the document is deleted (a draft deletion only answers status 1)."""
    kind: Kind = doc.kind  # type: ignore[assignment]
    guid = head_of(kind, record)["guid"]
    if head_of(kind, record)["appStatus"] == DRAFT:
        _answer_only(work, kind, record, doc, DRAFT, f"电子口岸已暂存[{guid}]")
        return
    _take_message(work, doc, guid)
    move(work, doc, DECLARED, f"删除申报成功[{guid}]", actor=work.sender)
    move(work, doc, domain.ACCEPTED[kind], "删除成功 deleted")
    doc.deleted = True
