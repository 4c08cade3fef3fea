"""Pure rules of the cross-border comprehensive tax (跨境电商综合税) on retail imports.

Cai Guan Shui 2016-18 as amended by 2018-49 (rules.md §3.1): the dutiable price is the
actual transaction price, goods + freight + insurance (freight and insurance are shared
over the lines by their value). Within the limits customs duty is 0 and import VAT and
consumption tax are charged at 70% of the statutory amount; a single indivisible item over
the single-transaction limit is taxed in full at the general rates. Ad-valorem consumption
tax is computed on the price grossed up by (1 − rate); VAT on price + duty + consumption
tax. Each tax of each line is rounded to the fen (half up); a bill's totals are the sums.

Values in, values out: ``Decimal`` money, no session, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
FEN = Decimal("0.01")
CST = timezone(timedelta(hours=8), "CST")  # dated rules count days in Beijing time

# High-end cosmetics (高档化妆品): consumption tax only at or above these dutiable prices
# per ml or g, or per piece or sheet (rules.md §3.1, [S]).
COSMETICS = "cosmetics"
COSMETICS_PER_G_ML = Decimal(10)
COSMETICS_PER_PIECE = Decimal(15)
# Net content in g or ml per unit of measure (ceb-messages.md §6.5).
G_OR_ML_PER_UNIT = {"035": Decimal(1000), "036": Decimal(1), "095": Decimal(1000),
                    "096": Decimal(1)}


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    """The statutory rates of one 8-digit tariff line."""

    hs8: str
    vat: Decimal
    consumption: Decimal = ZERO
    tariff: Decimal = ZERO  # the duty rate applied when taxed in full
    rule: str = ""  # COSMETICS: consumption tax only above the price trigger


@dataclass(frozen=True)
class Line:
    gnum: int
    gcode: str
    qty: Decimal
    unit: str
    total_price: Decimal
    qty1: Decimal | None = None
    unit1: str | None = None


@dataclass(frozen=True)
class LineTax:
    gnum: int
    gcode: str
    tax_price: Decimal  # 完税价格: the line's share of goods + freight + insurance
    customs: Decimal
    vat: Decimal
    consumption: Decimal

    @property
    def total(self) -> Decimal:
        return self.customs + self.vat + self.consumption


@dataclass(frozen=True)
class Assessment:
    lines: tuple[LineTax, ...]

    @property
    def dutiable(self) -> Decimal:
        return sum((t.tax_price for t in self.lines), ZERO)

    @property
    def customs(self) -> Decimal:
        return sum((t.customs for t in self.lines), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((t.vat for t in self.lines), ZERO)

    @property
    def consumption(self) -> Decimal:
        return sum((t.consumption for t in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.customs + self.vat + self.consumption


def allocate(lines: Sequence[Line], extra: Decimal) -> list[Decimal]:
    """Each line's dutiable price: its value plus its share (by value) of ``extra``
    (freight + insurance), to the fen; the last line takes what rounding left."""
    goods = sum((line.total_price for line in lines), ZERO)
    prices: list[Decimal] = []
    shared = ZERO
    for i, line in enumerate(lines):
        if i == len(lines) - 1:
            share = extra - shared
        else:
            share = fen(extra * line.total_price / goods) if goods else ZERO
            shared += share
        prices.append(line.total_price + share)
    return prices


def net_content(line: Line) -> Decimal | None:
    """The line's net content in g or ml (from qty1/unit1, else qty/unit), if known."""
    for qty, unit in ((line.qty1, line.unit1), (line.qty, line.unit)):
        if qty is not None and unit in G_OR_ML_PER_UNIT:
            return qty * G_OR_ML_PER_UNIT[unit]
    return None


def consumption_rate(rate: Rate, line: Line, tax_price: Decimal) -> Decimal:
    """The consumption-tax rate that applies: cosmetics only at or above the trigger."""
    if rate.rule != COSMETICS or not rate.consumption:
        return rate.consumption
    content = net_content(line)
    if content:
        return rate.consumption if tax_price / content >= COSMETICS_PER_G_ML else ZERO
    return rate.consumption if line.qty and tax_price / line.qty >= COSMETICS_PER_PIECE else ZERO


def line_tax(line: Line, tax_price: Decimal, rate: Rate, *, in_limit: bool,
             factor: Decimal) -> LineTax:
    """The duty, VAT and consumption tax of one line."""
    ct = consumption_rate(rate, line, tax_price)
    if in_limit:
        customs = ZERO
        consumption = fen(tax_price * ct / (1 - ct) * factor)
        vat = fen(tax_price / (1 - ct) * rate.vat * factor)
    else:
        customs = fen(tax_price * rate.tariff)
        consumption = fen((tax_price + customs) * ct / (1 - ct))
        vat = fen((tax_price + customs + consumption) * rate.vat)
    return LineTax(gnum=line.gnum, gcode=line.gcode, tax_price=tax_price, customs=customs,
                   vat=vat, consumption=consumption)


def assess(lines: Sequence[Line], *, freight: Decimal, insurance: Decimal,
           rates: Mapping[str, Rate], default: Rate, in_limit: bool,
           factor: Decimal = Decimal("0.7")) -> Assessment:
    """The tax bill of a list: every line taxed at its tariff line's rates."""
    prices = allocate(lines, freight + insurance)
    return Assessment(tuple(
        line_tax(line, price, rates.get(line.gcode[:8], default), in_limit=in_limit,
                 factor=factor) for line, price in zip(lines, prices, strict=True)))


def effective_rate(assessment: Assessment) -> Decimal:
    """Tax over dutiable price (e.g. 0.091 for 13% VAT goods within the limits)."""
    return assessment.total / assessment.dutiable if assessment.dutiable else ZERO


def keep(tax: LineTax, kept: Decimal) -> LineTax:
    """A line's tax for the ``kept`` share (0..1) of its goods (the rest was returned)."""
    return LineTax(gnum=tax.gnum, gcode=tax.gcode, tax_price=fen(tax.tax_price * kept),
                   customs=fen(tax.customs * kept), vat=fen(tax.vat * kept),
                   consumption=fen(tax.consumption * kept))


def after_return(lines: Sequence[LineTax], quantities: Mapping[int, Decimal],
                 returned: Mapping[int, Decimal]) -> tuple[LineTax, ...]:
    """The bill's lines once ``returned`` (gnum → qty; empty: everything) came back."""
    if not returned:
        return tuple(keep(t, ZERO) for t in lines)
    out = []
    for tax in lines:
        qty = quantities.get(tax.gnum) or Decimal(1)
        back = min(returned.get(tax.gnum, ZERO), qty)
        out.append(keep(tax, (qty - back) / qty))
    return tuple(out)


# ------------------------------------------------------------------ timing


def day_start(day: date) -> datetime:
    """00:00 of a Beijing calendar day, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CST).astimezone(UTC)


def payment_window(released_at: datetime, first_day: int = 31,
                   last_day: int = 45) -> tuple[datetime, datetime]:
    """When the tax of a list released at ``released_at`` falls due: from the start of day
    31 after release to the end of day 45 (rules.md §3.2), days counted in Beijing."""
    released = released_at.astimezone(CST).date()
    return (day_start(released + timedelta(days=first_day)),
            day_start(released + timedelta(days=last_day + 1)))
