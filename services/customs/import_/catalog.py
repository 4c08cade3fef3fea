"""The positive list (跨境电子商务零售进口商品清单), read once per process from its data file.

``positive_list.csv`` beside this module documents its columns and sources in its header.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from services.customs.import_.remarks import Entry, Remark

DATA = Path(__file__).with_name("positive_list.csv")


def _terms(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split("|") if t.strip())


def parse(lines: list[str]) -> dict[str, Entry]:
    """Entries by 8-digit tariff line from the CSV text (``#`` lines are comments)."""
    rows = csv.DictReader(line for line in lines if line.strip() and not line.startswith("#"))
    entries: dict[str, Entry] = {}
    for row in rows:
        hs8 = row["hs8"].strip()
        if len(hs8) != 8 or not hs8.isdigit():
            raise ValueError(f"positive list: {hs8!r} is not an 8-digit tariff line")
        cap = row.get("cap_kg", "").strip()
        entries[hs8] = Entry(
            hs8=hs8, name=row["name"].strip(), remark=Remark(row["remark_kind"].strip()),
            remark_text=row["remark"].strip(), required_terms=_terms(row["required_terms"]),
            excluded_terms=_terms(row["excluded_terms"]),
            cap_kg=Decimal(cap) if cap else None)
    return entries


@cache
def positive_list() -> dict[str, Entry]:
    """The shipped positive list (read on first use, then kept)."""
    return parse(DATA.read_text(encoding="utf-8").splitlines())
