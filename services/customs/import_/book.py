"""1210 bonded stock: the electronic account book (电子账册) of a warehouse enterprise.

Stock enters by a first-line entry (一线进区, ``enter``); an approved bonded list takes its
quantities item by item (``take``: one conditional UPDATE per item, ``balance >= qty``,
so two lists racing for the last units cannot both pass); a cancel before release or a
return puts them back (``put_back``). Every movement is a ledger entry with the balance
after it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from infra.errors import Conflict, Forbidden, NotFound
from services.customs.domain import fmt
from services.customs.import_.models import (
    AccountBook,
    BookEntry,
    BookItem,
    scaled,
    unscaled,
)

FIRST_LINE, RELEASE, CANCEL, RETURN = "first_line", "release", "cancel", "return"


def enter(*, session: Session, ems_no: str, owner: str, admin: bool, entry_no: str,
          customs_code: str | None, items: list[dict[str, Any]], now: datetime
          ) -> dict[str, Any]:
    """Book a first-line entry of goods into ``ems_no``; idempotent by ``entry_no``."""
    book = session.exec(select(AccountBook).where(AccountBook.ems_no == ems_no)).first()
    if book is None:
        book = AccountBook(ems_no=ems_no, owner_code=owner, customs_code=customs_code,
                           created_at=now)
        session.add(book)
        session.flush()
    elif book.owner_code != owner and not admin:
        raise Forbidden(f"account book {ems_no} belongs to {book.owner_code}",
                        code="account_book_not_yours")
    if session.exec(select(BookEntry.id).where(
            BookEntry.ems_no == ems_no, BookEntry.reason == FIRST_LINE,
            BookEntry.ref == entry_no)).first() is not None:
        return view(session=session, ems_no=ems_no, owner=owner, admin=True)
    for item in sorted(items, key=lambda i: str(i["itemRecordNo"])):
        _enter_item(session, ems_no, entry_no, item, now)
    return view(session=session, ems_no=ems_no, owner=owner, admin=True)


def _enter_item(session: Session, ems_no: str, entry_no: str, item: dict[str, Any],
                now: datetime) -> None:
    record_no, qty = str(item["itemRecordNo"]), scaled(Decimal(str(item["qty"])))
    row = session.exec(select(BookItem).where(BookItem.ems_no == ems_no,
                                              BookItem.item_record_no == record_no)).first()
    if row is None:
        session.add(BookItem(ems_no=ems_no, item_record_no=record_no, gcode=item["gcode"],
                             gname=item["gname"], unit=item["unit"], balance=0))
        session.flush()
    elif row.gcode != item["gcode"] or row.unit != item["unit"]:
        raise Conflict(f"item {record_no} of {ems_no} is recorded as {row.gcode} in unit "
                       f"{row.unit}", code="account_book_item_differs")
    _change(session, ems_no, record_no, qty, FIRST_LINE, entry_no, now)


def take(session: Session, *, ems_no: str, needed: dict[str, Decimal],
         gcodes: dict[str, str], ref: str, now: datetime) -> list[str]:
    """Deduct a list's quantities, all or none: the problems if any item cannot give them
    (then what the others gave is put back, with no ledger entry)."""
    connection = session.connection()  # no autoflush: take reads no object of the session
    if connection.execute(_BOOK, {"book": ems_no}).first() is None:
        return [f"CEB621 InventoryHead.emsNo {ems_no}: no such account book (电子账册)"]
    recorded = dict(connection.execute(_GCODES, {"book": ems_no, "items": list(needed)}).all())
    problems: list[str] = []
    taken: list[tuple[str, int, int]] = []  # item, amount, balance after
    for record_no in sorted(needed):
        gcode, amount = recorded.get(record_no), scaled(needed[record_no])
        where = f"CEB621 InventoryList.itemRecordNo {record_no}"
        if gcode is None:
            problems.append(f"{where}: not an item of account book {ems_no}")
            continue
        if gcode[:8] != gcodes[record_no][:8]:
            problems.append(f"{where}: recorded in {ems_no} as gcode {gcode}, "
                            f"declared as {gcodes[record_no]}")
            continue
        balance = connection.execute(_TAKE, {"book": ems_no, "record_no": record_no,
                                             "amount": amount}).scalar_one_or_none()
        if balance is None:
            problems.append(f"{where}: account book {ems_no} holds "
                            f"{fmt(unscaled(_balance(session, ems_no, record_no)))}, the list "
                            f"takes {fmt(needed[record_no])} (库存不足 over the balance)")
        else:
            taken.append((record_no, amount, int(balance)))
    if problems:
        for record_no, amount, _balance_after in taken:
            connection.execute(_PUT, {"book": ems_no, "record_no": record_no, "amount": amount})
        return problems
    for record_no, amount, balance in taken:
        session.add(BookEntry(ems_no=ems_no, item_record_no=record_no, change=-amount,
                              balance=balance, reason=RELEASE, ref=ref, at=now))
    return []


ITEMS = BookItem.__table__  # type: ignore[attr-defined]
BOOKS = AccountBook.__table__  # type: ignore[attr-defined]
# Built once: the list hot path runs them for every bonded list.
_BOOK = select(BOOKS.c.id).where(BOOKS.c.ems_no == bindparam("book"))
_GCODES = select(ITEMS.c.item_record_no, ITEMS.c.gcode).where(
    ITEMS.c.ems_no == bindparam("book"),
    ITEMS.c.item_record_no.in_(bindparam("items", expanding=True)))
_ITEM = (ITEMS.c.ems_no == bindparam("book")) & (ITEMS.c.item_record_no == bindparam("record_no"))
_TAKE = (update(ITEMS).where(_ITEM, ITEMS.c.balance >= bindparam("amount"))
         .values(balance=ITEMS.c.balance - bindparam("amount")).returning(ITEMS.c.balance))
_PUT = update(ITEMS).where(_ITEM).values(balance=ITEMS.c.balance + bindparam("amount"))


def put_back(session: Session, *, ems_no: str, quantities: dict[str, Decimal], reason: str,
             ref: str, now: datetime) -> None:
    """Give quantities back to the book (a cancel before release, a return)."""
    for record_no in sorted(quantities):
        _change(session, ems_no, record_no, scaled(quantities[record_no]), reason, ref, now)


def _change(session: Session, ems_no: str, record_no: str, amount: int, reason: str,
            ref: str, now: datetime) -> None:
    result = session.exec(update(BookItem).where(  # type: ignore[call-overload]
        col(BookItem.ems_no) == ems_no, col(BookItem.item_record_no) == record_no)
        .values(balance=col(BookItem.balance) + amount).returning(col(BookItem.balance)))
    balance = result.scalar_one()
    session.add(BookEntry(ems_no=ems_no, item_record_no=record_no, change=amount,
                          balance=int(balance), reason=reason, ref=ref, at=now))


def _balance(session: Session, ems_no: str, record_no: str) -> int:
    return int(session.exec(select(BookItem.balance).where(
        BookItem.ems_no == ems_no, BookItem.item_record_no == record_no)).one())


def view(*, session: Session, ems_no: str, owner: str, admin: bool) -> dict[str, Any]:
    """The book, its items and balances, and its latest movements (owner or admin only)."""
    book = session.exec(select(AccountBook).where(AccountBook.ems_no == ems_no)).first()
    if book is None or (book.owner_code != owner and not admin):
        raise NotFound(f"no account book {ems_no!r} of enterprise {owner!r}",
                       code="account_book_not_found")
    items = session.exec(select(BookItem).where(BookItem.ems_no == ems_no)
                         .order_by(col(BookItem.item_record_no))).all()
    entries = session.exec(select(BookEntry).where(BookEntry.ems_no == ems_no)
                           .order_by(col(BookEntry.id).desc()).limit(50)).all()
    return {
        "emsNo": book.ems_no, "ownerCode": book.owner_code, "customsCode": book.customs_code,
        "items": [{"itemRecordNo": i.item_record_no, "gcode": i.gcode, "gname": i.gname,
                   "unit": i.unit, "balance": fmt(unscaled(i.balance))} for i in items],
        "entries": [{"itemRecordNo": e.item_record_no, "change": fmt(unscaled(e.change)),
                     "balance": fmt(unscaled(e.balance)), "reason": e.reason, "ref": e.ref,
                     "at": e.at.isoformat()} for e in entries],
    }
