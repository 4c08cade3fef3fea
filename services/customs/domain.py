"""Pure rules of 9610 B2C export: numbers, states, appType decisions, transport (the
three-document match is in ``matching.py``).

Values in, values out: no session, no clock (``at``/``now`` are arguments), no I/O.
Money and quantities are ``Decimal``. Kinds of document: ``order`` (CEB303), ``receipt``
(CEB403 收款单), ``waybill`` (CEB505), ``inventory`` (CEB603 清单), ``arrival`` (CEB507),
``departure`` (CEB509).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from contracts.codes import RETURN_STATUS

Kind = Literal["order", "receipt", "waybill", "inventory", "arrival", "departure"]
KINDS: tuple[Kind, ...] = ("order", "receipt", "waybill", "inventory", "arrival", "departure")

# China Standard Time: CEB time strings and dated rules are read in Beijing time.
CST = timezone(timedelta(hours=8), "CST")

DRAFT, DECLARED, REJECTED, STORED, APPROVED, RELEASED, CLOSED = (
    "1", "2", "100", "120", "399", "800", "899")
# Inspection and quarantine (services/customs/risk.py): 查验, the detentions, 退运.
INSPECTING, RETURNED = "500", "700"
DETAINED = ("501", "502", "503", "599")
REFUSED_BY_INSPECTION = frozenset({*DETAINED, RETURNED})

# The message type and the record node of each kind, declared and received.
MESSAGE_KIND: dict[str, Kind] = {
    "CEB303Message": "order", "CEB403Message": "receipt", "CEB505Message": "waybill",
    "CEB603Message": "inventory", "CEB507Message": "arrival", "CEB509Message": "departure",
}
RECEIPT_TYPE: dict[Kind, str] = {
    "order": "CEB304Message", "receipt": "CEB404Message", "waybill": "CEB506Message",
    "inventory": "CEB604Message", "arrival": "CEB508Message", "departure": "CEB510Message",
}
# The head node inside a record; receipt and waybill records are flat (no head node).
HEAD_NODE: dict[Kind, str | None] = {
    "order": "OrderHead", "receipt": None, "waybill": None, "inventory": "InventoryHead",
    "arrival": "ArrivalHead", "departure": "DepartureHead",
}
# The business key (party code, number) of each kind (ceb-messages.md §9).
BUSINESS_KEY: dict[Kind, tuple[str, str]] = {
    "order": ("ebpCode", "orderNo"), "receipt": ("ebcCode", "orderNo"),
    "waybill": ("logisticsCode", "logisticsNo"), "inventory": ("agentCode", "copNo"),
    "arrival": ("operatorCode", "copNo"), "departure": ("logisticsCode", "copNo"),
}
# The head fields shown as a document's keys.
KEY_FIELDS: dict[Kind, tuple[str, ...]] = {
    "order": ("ebpCode", "ebcCode", "orderNo"),
    "receipt": ("ebpCode", "ebcCode", "orderNo", "payNo"),
    "waybill": ("logisticsCode", "logisticsNo", "ebcCode"),
    "inventory": ("agentCode", "copNo", "ebpCode", "ebcCode", "orderNo", "logisticsCode",
                  "logisticsNo", "billNo"),
    "arrival": ("operatorCode", "copNo", "logisticsCode", "billNo"),
    "departure": ("logisticsCode", "copNo", "billNo"),
}
# What the E-port/customs accepts a document with when its checks pass (spec §5.2 lists).
ACCEPTED: dict[Kind, str] = {
    "order": STORED, "receipt": STORED, "waybill": APPROVED, "inventory": STORED,
    "arrival": APPROVED, "departure": APPROVED,
}
PRE_NO_PREFIX: dict[Kind, str] = {"inventory": "B", "arrival": "Y", "departure": "L"}


def business_key(kind: Kind, head: Mapping[str, Any]) -> tuple[str, str]:
    """(party code, number) of a record; each part of a split arrival/departure is its own."""
    party_field, no_field = BUSINESS_KEY[kind]
    no = str(head[no_field])
    if kind in ("arrival", "departure") and int(head.get("msgCount") or 1) > 1:
        no = f"{no}/{head['msgSeqNo']}"
    return str(head[party_field]), no

# ------------------------------------------------------------------ numbers and times


def ceb_return_time(at: datetime) -> str:
    """returnTime: ``yyyyMMddHHmmssfff`` in Beijing time."""
    local = at.astimezone(CST)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def ceb_day(at: datetime) -> date:
    """The calendar day of ``at`` in Beijing time."""
    return at.astimezone(CST).date()


def pre_no(prefix: str, day: date, seq: int) -> str:
    """电子口岸编号: letter + yyyymmdd + 9-digit sequence (18 chars)."""
    if len(prefix) != 1 or not 0 < seq < 10**9:
        raise ValueError(f"bad preNo parts {prefix!r}/{seq}")
    return f"{prefix}{day:%Y%m%d}{seq:09d}"


def invt_no(customs_code: str, year: int, seq: int) -> str:
    """清单编号: customs code 4 + year 4 + 'E' + 9-digit sequence (18 chars)."""
    if len(customs_code) != 4 or not 0 < seq < 10**9:
        raise ValueError(f"bad invtNo parts {customs_code!r}/{seq}")
    return f"{customs_code}{year:04d}E{seq:09d}"


def receipt_required(at: datetime, not_required_from: date) -> bool:
    """Whether an export list needs the payment receipt CEB403 (GACC 2024-167)."""
    return ceb_day(at) < not_required_from


def status_name(status: str) -> str:
    if status.startswith("-"):
        return "处理异常"
    return RETURN_STATUS.get(status, status)


# ------------------------------------------------------------------ the state machine

# Transitions of the customs logic after a (re)declaration; a declaration itself (to 1 or
# 2) is decided by ``decide_app_type``.
FLOW: dict[Kind, dict[str, frozenset[str]]] = {
    "order": {DECLARED: frozenset({STORED, REJECTED})},
    "receipt": {DECLARED: frozenset({STORED, REJECTED})},
    "waybill": {DECLARED: frozenset({APPROVED, REJECTED})},
    "inventory": {DECLARED: frozenset({STORED, REJECTED}),
                  STORED: frozenset({APPROVED, REJECTED}),
                  APPROVED: frozenset({RELEASED, INSPECTING, *REFUSED_BY_INSPECTION}),
                  INSPECTING: frozenset({RELEASED, *REFUSED_BY_INSPECTION}),
                  RELEASED: frozenset({CLOSED})},
    "arrival": {DECLARED: frozenset({APPROVED, REJECTED})},
    "departure": {DECLARED: frozenset({APPROVED, REJECTED})},
}


class IllegalTransition(ValueError):
    """A status change the state machine does not allow (a bug, never a business outcome)."""


def can_move(kind: Kind, current: str | None, new: str) -> bool:
    if new in (DRAFT, DECLARED):
        return current is None or current in (DRAFT, DECLARED) or is_modifiable(
            kind, current, blocked=False)
    return current is not None and new in FLOW[kind].get(current, frozenset())


def check_move(kind: Kind, current: str | None, new: str) -> None:
    if not can_move(kind, current, new):
        raise IllegalTransition(f"{kind} cannot go from {current} to {new}")


# A list in one of these states holds its order, receipt and waybill: they cannot change.
HOLDING_LIST_STATES = frozenset({STORED, APPROVED, RELEASED, CLOSED, INSPECTING,
                                 *REFUSED_BY_INSPECTION})


def is_modifiable(kind: Kind, status: str, *, blocked: bool) -> bool:
    """May a document in ``status`` be changed or deleted (appType 2/3)?

    ``blocked``: for an order, receipt or waybill, a list in a holding state refers to it.
    """
    if kind == "inventory":
        return status in (DRAFT, DECLARED, STORED, REJECTED)
    if kind in ("arrival", "departure"):
        return status in (DRAFT, DECLARED, REJECTED)
    return not blocked


class Decision(StrEnum):
    CREATE = "create"  # a new document
    REDECLARE = "redeclare"  # appType 1 over a draft: the draft is declared
    CHANGE = "change"
    DELETE = "delete"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"
    NOT_MODIFIABLE = "not_modifiable"

    @property
    def refused(self) -> bool:
        return self in (Decision.DUPLICATE, Decision.NOT_FOUND, Decision.NOT_MODIFIABLE)


def decide_app_type(app_type: str, existing: str | None, *, modifiable: bool) -> Decision:
    """What a record with ``app_type`` does given the status of the document with its key."""
    if app_type == "1":
        if existing is None:
            return Decision.CREATE
        return Decision.REDECLARE if existing == DRAFT else Decision.DUPLICATE
    if existing is None:
        return Decision.NOT_FOUND
    if not modifiable:
        return Decision.NOT_MODIFIABLE
    return Decision.CHANGE if app_type == "2" else Decision.DELETE


# ------------------------------------------------------------------ amounts


def fmt(value: Decimal | str | None) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return value


def within(a: Decimal, b: Decimal, tolerance: Decimal) -> bool:
    """``a`` and ``b`` differ by at most ``tolerance`` (a ratio) of the larger one."""
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def duplicates(numbers: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    dups: list[int] = []
    for n in numbers:
        if n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    return dups


# ------------------------------------------------------------------ arrival and departure


@dataclass(frozen=True)
class ListRef:
    """What transport rules need to know about an export list."""

    ref: int
    logistics_code: str
    logistics_no: str
    bill_no: str | None
    status: str


@dataclass(frozen=True)
class Parcels:
    """The parcels an arrival or departure names: by waybill, or (none named) by bill."""

    logistics_code: str
    logistics_nos: tuple[str, ...]
    bill_no: str | None

    def cover(self, lst: ListRef) -> bool:
        if self.logistics_nos:
            return (lst.logistics_code == self.logistics_code
                    and lst.logistics_no in self.logistics_nos)
        return self.bill_no is not None and lst.bill_no == self.bill_no


# A list in one of these states is released when its parcel arrives, once inspection
# allowed it (risk.release_allowed): approved (399), or inspected (500) and cleared.
RELEASABLE_LIST_STATES = frozenset({APPROVED, INSPECTING})


def released_by_arrival(parcels: Parcels, lists: Iterable[ListRef]) -> list[ListRef]:
    """The lists an arrival may release: those it covers that customs approved (399, 500)."""
    return [lst for lst in lists
            if lst.status in RELEASABLE_LIST_STATES and parcels.cover(lst)]


def arrived(lst: ListRef, arrivals: Iterable[Parcels]) -> bool:
    """Whether an accepted arrival already covers a list (it is released on reaching 399)."""
    return any(a.cover(lst) for a in arrivals)


@dataclass(frozen=True)
class DepartureOutcome:
    close: tuple[ListRef, ...]
    not_released: tuple[str, ...]  # parcels (logisticsNo) whose list is not released

    @property
    def ok(self) -> bool:
        return not self.not_released


def departure_outcome(parcels: Parcels, lists: Iterable[ListRef]) -> DepartureOutcome:
    """A departure closes (899) every named parcel's released list, or nothing at all."""
    released: dict[str, ListRef] = {}
    for lst in lists:
        if lst.status == RELEASED and lst.logistics_code == parcels.logistics_code:
            released.setdefault(lst.logistics_no, lst)
    missing = tuple(n for n in parcels.logistics_nos if n not in released)
    if missing:
        return DepartureOutcome(close=(), not_released=missing)
    return DepartureOutcome(close=tuple(released[n] for n in dict.fromkeys(
        parcels.logistics_nos)), not_released=())
