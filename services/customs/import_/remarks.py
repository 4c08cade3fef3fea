"""The positive list (跨境电子商务零售进口商品清单) applied to an import list: pure rules.

Every line's 8-digit tariff line must be on the list; its remark may exclude goods, allow
only bonded import (1210/1239), allow only named goods, or cap a person's yearly quantity
in kilograms. The entries are data (``positive_list.csv``, loaded by ``catalog.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.customs.domain import fmt
from services.customs.import_.domain import Listing, ListLine


class Remark(StrEnum):
    """The four kinds of remark of the positive list (rules.md §3.4)."""

    NONE = ""
    EXCLUSION = "exclusion"  # some goods under the line are excluded
    BONDED_ONLY = "bonded_only"  # only through 1210 bonded import
    NAME = "name"  # only the named goods under the line
    QUANTITY = "quantity"  # a yearly quantity cap per person


@dataclass(frozen=True)
class Entry:
    """One 8-digit tariff line of the positive list (跨境电子商务零售进口商品清单)."""

    hs8: str
    name: str
    remark: Remark = Remark.NONE
    remark_text: str = ""
    required_terms: tuple[str, ...] = ()  # NAME: the line's text must name one of these
    excluded_terms: tuple[str, ...] = ()  # EXCLUSION: none of these may appear
    cap_kg: Decimal | None = None  # QUANTITY: kilograms per person per calendar year


# Net weight in kilograms of a line: from the unit (qty) or the first legal unit (qty1).
KG_PER_UNIT = {"035": Decimal(1), "036": Decimal("0.001"), "070": Decimal(1000)}


def kilograms(line: ListLine) -> Decimal | None:
    for qty, unit in ((line.qty1, line.unit1), (line.qty, line.unit)):
        factor = KG_PER_UNIT.get(unit)
        if factor is not None:
            return qty * factor
    return None


def positive_list_problems(listing: Listing, entries: Mapping[str, Entry]) -> list[str]:
    """Every line against the positive list: on it, and allowed by its remark."""
    out: list[str] = []
    for line in listing.lines:
        where = f"CEB621 InventoryList[gnum={line.gnum}].gcode {line.gcode}"
        entry = entries.get(line.gcode[:8])
        if entry is None:
            out.append(f"{where}: {line.gcode[:8]} is not on the positive list "
                       "(跨境电子商务零售进口商品清单); not a cross-border retail import")
            continue
        text = line.text.lower()
        if entry.remark is Remark.BONDED_ONLY and not listing.bonded:
            out.append(f"{where}: {entry.name} may come in only as bonded import (1210), "
                       f"not {listing.trade_mode} ({entry.remark_text})")
        elif entry.remark is Remark.NAME and not any(t.lower() in text
                                                      for t in entry.required_terms):
            out.append(f"{where}: only {entry.remark_text} qualifies under this line; the "
                       f"goods are declared as {line.gname!r}")
        elif entry.remark is Remark.EXCLUSION:
            hit = next((t for t in entry.excluded_terms if t.lower() in text), None)
            if hit is not None:
                out.append(f"{where}: excluded by the remark {entry.remark_text!r} "
                           f"(the line names {hit!r})")
        elif entry.remark is Remark.QUANTITY and kilograms(line) is None:
            out.append(f"{where}: {entry.name} is capped at {fmt(entry.cap_kg)} kg per person "
                       "per year; declare its weight (unit or unit1 in kg or g)")
    return out


def capped_quantities(listing: Listing, entries: Mapping[str, Entry]) -> dict[str, Decimal]:
    """Kilograms per capped tariff line (QUANTITY remarks) this list takes from the buyer."""
    out: dict[str, Decimal] = {}
    for line in listing.lines:
        entry = entries.get(line.gcode[:8])
        kg = kilograms(line)
        if entry is not None and entry.remark is Remark.QUANTITY and kg is not None:
            out[entry.hs8] = out.get(entry.hs8, Decimal(0)) + kg
    return out


