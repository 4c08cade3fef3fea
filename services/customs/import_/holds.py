"""What an approved import list holds until it ends: the buyer's year and quantity caps,
and for 1210 the account book's stock (``hold``, all or none, at 399), kept on its
``ImportClearance``; given back, in part or whole, by a refusal, cancel or return
(``give_back``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from sqlmodel import Session, col, select

from infra.caches import unit_cache, unit_lookup
from infra.db import new_object
from services.customs.documents import Work, made_here
from services.customs.domain import ceb_day, fmt
from services.customs.import_ import book, catalog, quota, remarks
from services.customs.import_ import domain as imp
from services.customs.import_.domain import Listing, Treatment
from services.customs.import_.models import ImportClearance, scaled, unscaled
from services.customs.models import Document


def limits(work: Work) -> imp.Limits:
    return imp.Limits(single=work.settings.import_single_limit,
                      year=work.settings.import_year_limit)


class Refused(Exception):
    """A hold that cannot be made: the list's status (100, or a limit's code) and why."""

    def __init__(self, status: str, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.status, self.problems = status, problems


def hold(work: Work, doc: Document, listing: Listing, verdict: Treatment) -> ImportClearance:
    """The list's holds, all or none: a hold refused gives back those made before it (no
    savepoint: it would write the batch's pending objects once per list)."""
    year, value = ceb_day(work.now).year, listing.dutiable_value
    assert doc.invt_no is not None
    reserved: list[tuple[str, int]] = []  # of the buyer's year: (item, amount)

    def reserve(item: str, amount: int, limit: int) -> bool:
        if not quota.reserve(work.session, buyer_id=listing.buyer_id, year=year, item=item,
                             amount=amount, limit=limit):
            return False
        reserved.append((item, amount))
        return True

    try:
        caps, stock = _reserve_all(work, doc, listing, year, reserve)
    except Refused:
        for item, amount in reserved:
            quota.give_back(work.session, buyer_id=listing.buyer_id, year=year, item=item,
                            amount=amount)
        raise
    clearance = new_object(
        ImportClearance, document_id=doc.id, invt_no=doc.invt_no,
        trade_mode=listing.trade_mode, buyer_id=listing.buyer_id, year=year,
        dutiable_value=value, treatment=verdict.value, quota_held=scaled(value),
        caps_held=caps, ems_no=listing.ems_no if stock else None, stock_held=stock)
    clearance.document = doc  # its id, once written
    work.session.add(clearance)
    unit_cache(work.session, _CLEARANCES)[_key(work.session, doc)] = clearance
    return clearance


def _reserve_all(work: Work, doc: Document, listing: Listing, year: int,
                 reserve: Callable[[str, int, int], bool]
                 ) -> tuple[dict[str, str], dict[str, str]]:
    """Reserve the buyer's ``year`` and quantity caps (with ``reserve``), and take the
    stock; the caps and stock held (``Refused`` at the first that cannot be held)."""
    value = listing.dutiable_value
    if not reserve(quota.CNY, scaled(value), scaled(limits(work).year)):
        used = unscaled(quota.used(work.session, buyer_id=listing.buyer_id, year=year))
        raise Refused(imp.OVER_YEAR, [imp.refusal_text(Treatment.OVER_YEAR, value, used,
                                                        limits(work))])
    caps: dict[str, str] = {}
    entries = catalog.positive_list()
    for hs8, kg in remarks.capped_quantities(listing, entries).items():
        cap = entries[hs8].cap_kg or Decimal(0)
        if not reserve(hs8, scaled(kg), scaled(cap)):
            had = unscaled(quota.used(work.session, buyer_id=listing.buyer_id, year=year,
                                      item=hs8))
            raise Refused(imp.REJECTED, [
                f"CEB621 gcode {hs8} ({entries[hs8].name}): {entries[hs8].remark_text}; the "
                f"buyer took {fmt(had)} kg this year, this list {fmt(kg)} kg > {fmt(cap)} kg"])
        caps[hs8] = str(kg)
    stock: dict[str, str] = {}
    if listing.bonded and listing.ems_no:
        needed = imp.stock_needed(listing)
        gcodes = {line.item_record_no: line.gcode for line in listing.lines
                  if line.item_record_no}
        assert doc.invt_no is not None
        problems = book.take(work.session, ems_no=listing.ems_no, needed=needed,
                             gcodes=gcodes, ref=doc.invt_no, now=work.now)
        if problems:
            raise Refused(imp.REJECTED, problems)
        stock = {k: str(v) for k, v in needed.items()}
    return caps, stock


def _key(session: Session, doc: Document) -> int | tuple[str, int]:
    """A list's key in the cache of holds: its id, or, for one this unit of work made
    (``documents.made_here``), the object's own identity (the holds refer to the object)."""
    return doc.id if doc.id is not None and not made_here(session, doc) else ("new", id(doc))


def clearance_of(work: Work, doc: Document) -> ImportClearance | None:
    """The holds of ``doc`` (None: none), looked up once per unit of work (only ``hold``
    makes them, and it tells the unit's cache)."""
    key = _key(work.session, doc)
    if isinstance(key, tuple):  # made in this unit of work: held in it, or not at all
        made: ImportClearance | None = unit_cache(work.session, _CLEARANCES).get(key)
        return made
    prefetch_clearances(work.session, [key])
    clearance: ImportClearance | None = unit_cache(work.session, _CLEARANCES)[key]
    return clearance


def prefetch_clearances(session: Session, ids: Iterable[int]) -> None:
    """Look the holds of the lists ``ids`` up in one query, for ``clearance_of``."""
    unit_lookup(session, _CLEARANCES, ids, lambda missing: (
        (c.document_id, c) for c in session.exec(
            select(ImportClearance).where(col(ImportClearance.document_id).in_(missing)))))


_CLEARANCES = "customs.import.clearances"  # unit cache: list id → its holds (None: none)


def give_back(*, work: Work, clearance: ImportClearance, share: Decimal, reason: str,
              ref: str, returned: dict[str, Decimal] | None = None) -> None:
    """Undo the holds: the buyer's year (``share`` of it) and caps, and (1210) the stock."""
    amount = clearance.quota_held if share >= 1 else int(clearance.quota_held * share)
    quota.give_back(work.session, buyer_id=clearance.buyer_id, year=clearance.year,
                    item=quota.CNY, amount=amount)
    clearance.quota_held -= amount
    for hs8, kg in clearance.caps_held.items():
        quota.give_back(work.session, buyer_id=clearance.buyer_id, year=clearance.year,
                        item=hs8, amount=int(scaled(Decimal(kg)) * min(share, Decimal(1))))
    if clearance.ems_no:
        quantities = returned if returned is not None else {
            k: Decimal(v) for k, v in clearance.stock_held.items()}
        if quantities:
            book.put_back(work.session, ems_no=clearance.ems_no, quantities=quantities,
                          reason=reason, ref=ref, now=work.now)


