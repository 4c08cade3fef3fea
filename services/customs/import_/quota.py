"""Buyers' yearly usage: the 26,000 CNY limit and the positive list's quantity caps.

Usage is kept per buyer ID, calendar year (simulator clock, Beijing time) and item
(``CNY`` or an 8-digit tariff line for kilograms). ``reserve`` adds to it with one
conditional UPDATE, so two lists racing for the last of a buyer's quota cannot both pass.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.customs.import_.models import BuyerUsage

CNY = "CNY"


def used(session: Session, *, buyer_id: str, year: int, item: str = CNY) -> int:
    """The buyer's usage of ``item`` in ``year`` (scaled)."""
    value = session.exec(select(BuyerUsage.used).where(
        BuyerUsage.buyer_id == buyer_id, BuyerUsage.year == year,
        BuyerUsage.item == item)).first()
    return int(value or 0)


def reserve(session: Session, *, buyer_id: str, year: int, item: str, amount: int,
            limit: int) -> bool:
    """Add ``amount`` to the buyer's usage if it stays within ``limit``; False if it would not."""
    if _add(session, buyer_id, year, item, amount, limit):
        return True
    if _exists(session, buyer_id, year, item):
        return False
    try:
        with session.begin_nested():
            session.add(BuyerUsage(buyer_id=buyer_id, year=year, item=item, used=0))
    except IntegrityError:  # another list of the same buyer created it meanwhile
        pass
    return _add(session, buyer_id, year, item, amount, limit)


def give_back(session: Session, *, buyer_id: str, year: int, item: str, amount: int) -> None:
    """Take ``amount`` off the buyer's usage (a cancel or a return within the window)."""
    session.exec(update(BuyerUsage).where(  # type: ignore[call-overload]
        col(BuyerUsage.buyer_id) == buyer_id, col(BuyerUsage.year) == year,
        col(BuyerUsage.item) == item).values(used=col(BuyerUsage.used) - amount))


def _add(session: Session, buyer_id: str, year: int, item: str, amount: int,
         limit: int) -> bool:
    result = session.exec(update(BuyerUsage).where(  # type: ignore[call-overload]
        col(BuyerUsage.buyer_id) == buyer_id, col(BuyerUsage.year) == year,
        col(BuyerUsage.item) == item, col(BuyerUsage.used) + amount <= limit)
        .values(used=col(BuyerUsage.used) + amount))
    return bool(result.rowcount == 1)


def _exists(session: Session, buyer_id: str, year: int, item: str) -> bool:
    return session.exec(select(BuyerUsage.id).where(
        BuyerUsage.buyer_id == buyer_id, BuyerUsage.year == year,
        BuyerUsage.item == item)).first() is not None
