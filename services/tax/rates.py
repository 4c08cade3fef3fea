"""The tax rates per tariff line, read once per process from ``rates.csv`` beside this module
(its header documents the columns and sources)."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from services.tax.domain import Rate

DATA = Path(__file__).with_name("rates.csv")


def parse(lines: list[str]) -> dict[str, Rate]:
    """Rates by 8-digit tariff line from the CSV text (``#`` lines are comments)."""
    rows = csv.DictReader(line for line in lines if line.strip() and not line.startswith("#"))
    return {row["hs8"]: Rate(hs8=row["hs8"], vat=Decimal(row["vat"]),
                             consumption=Decimal(row["consumption"] or "0"),
                             tariff=Decimal(row["tariff"] or "0"), rule=row["rule"].strip())
            for row in rows}


@cache
def rates() -> dict[str, Rate]:
    """The shipped rates (read on first use, then kept)."""
    return parse(DATA.read_text(encoding="utf-8").splitlines())
