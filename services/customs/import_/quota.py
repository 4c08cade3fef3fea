"""Buyers' yearly usage: the 26,000 CNY limit and the positive list's quantity caps.

Usage is kept per buyer ID, calendar year (simulator clock, Beijing time) and item
(``CNY`` or an 8-digit tariff line for kilograms). ``reserve`` adds to it with one
conditional UPDATE, so two lists racing for the last of a buyer's quota cannot both pass.
The statements run on the session's connection (in its transaction and savepoints): the
usage rows are never objects of the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from services.customs.import_.models import BuyerUsage

CNY = "CNY"
USAGE = BuyerUsage.__table__  # type: ignore[attr-defined]
_ROW = ((USAGE.c.buyer_id == bindparam("of_buyer")) & (USAGE.c.year == bindparam("in_year"))
        & (USAGE.c.item == bindparam("of_item")))
# Built once: the list hot path runs them for every import list.
_USED = select(USAGE.c.used).where(_ROW)
_ADD = (update(USAGE).where(_ROW, USAGE.c.used + bindparam("amount") <= bindparam("limit"))
        .values(used=USAGE.c.used + bindparam("amount")))
_GIVE_BACK = update(USAGE).where(_ROW).values(used=USAGE.c.used - bindparam("amount"))


def _create(dialect: Any) -> Any:
    """A buyer's row for the year, at 0, unless it is there already."""
    return dialect.insert(USAGE).values(
        buyer_id=bindparam("of_buyer"), year=bindparam("in_year"), item=bindparam("of_item"),
        used=0).on_conflict_do_nothing()


_CREATE = {"sqlite": _create(sqlite), "postgresql": _create(postgresql)}


def used(session: Session, *, buyer_id: str, year: int, item: str = CNY) -> int:
    """The buyer's usage of ``item`` in ``year`` (scaled)."""
    value = session.connection().execute(_USED, _key(buyer_id, year, item)).scalar()
    return int(value or 0)


def reserve(session: Session, *, buyer_id: str, year: int, item: str, amount: int,
            limit: int) -> bool:
    """Add ``amount`` to the buyer's usage if it stays within ``limit``; False if it would not."""
    params = {**_key(buyer_id, year, item), "amount": amount, "limit": limit}
    connection = session.connection()
    if connection.execute(_ADD, params).rowcount == 1:
        return True
    # a buyer not seen yet this year (another list of the same buyer may create the row
    # meanwhile: then it is used as it stands)
    connection.execute(_CREATE[connection.dialect.name], params)
    return bool(connection.execute(_ADD, params).rowcount == 1)


def give_back(session: Session, *, buyer_id: str, year: int, item: str, amount: int) -> None:
    """Take ``amount`` off the buyer's usage (a cancel or a return within the window)."""
    session.connection().execute(_GIVE_BACK, {**_key(buyer_id, year, item), "amount": amount})


def _key(buyer_id: str, year: int, item: str) -> dict[str, Any]:
    return {"of_buyer": buyer_id, "in_year": year, "of_item": item}
