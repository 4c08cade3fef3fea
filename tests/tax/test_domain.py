"""The cross-border comprehensive tax (services/tax/domain.py): hand-worked amounts.

Within the limits: duty 0, VAT and consumption tax at 70%; consumption tax ad valorem on
the price grossed up by (1 − rate). Over the single limit (one indivisible item): full
duty, consumption tax and VAT. Every amount below is worked by hand in its comment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.tax import domain
from services.tax.domain import Line, LineTax, Rate

VAT13 = Rate("61091000", D("0.13"), tariff=D("0.07"))
VAT9 = Rate("49019900", D("0.09"))
COSMETICS = Rate("33049900", D("0.13"), D("0.15"), D("0.01"), domain.COSMETICS)
WINE = Rate("22041000", D("0.13"), D("0.10"), D("0.14"))
BAG = Rate("42022100", D("0.13"), tariff=D("0.10"))
RATES = {r.hs8: r for r in (VAT13, VAT9, COSMETICS, WINE, BAG)}
DEFAULT = Rate("", D("0.13"))


def line(gcode: str, total: str, qty: str = "1", unit: str = "011", qty1: str | None = None,
         unit1: str | None = None, gnum: int = 1) -> Line:
    return Line(gnum, gcode, D(qty), unit, D(total), D(qty1) if qty1 else None, unit1)


def assess(*lines: Line, freight: str = "0", in_limit: bool = True) -> domain.Assessment:
    return domain.assess(lines, freight=D(freight), insurance=D(0), rates=RATES,
                         default=DEFAULT, in_limit=in_limit)


class TestWithinTheLimits:
    @pytest.mark.parametrize(("lines", "freight", "duty", "vat", "ct", "rate"), [
        # 13% VAT only: 100 × 13% × 70% = 9.10 → 9.1%
        ((line("6109100021", "100"),), "0", "0", "9.10", "0", "0.091"),
        # 9% VAT (books): 100 × 9% × 70% = 6.30 → 6.3%
        ((line("4901990000", "100"),), "0", "0", "6.30", "0", "0.063"),
        # cosmetics 30 ml at 600 (20 CNY/ml ≥ 10: high-end): CT 600 × .15/.85 × .7 = 74.1176
        # → 74.12; VAT 600/.85 × .13 × .7 = 64.2353 → 64.24; 138.36 / 600 ≈ 23.06%
        ((line("3304990099", "600", unit="142", qty1="30", unit1="096"),), "0", "0", "64.24",
         "74.12", "0.2306"),
        # cosmetics 100 g at 198 (1.98 CNY/g < 10): no consumption tax, 18.018 → 18.02
        ((line("3304990099", "198", qty="2", unit="142", qty1="0.1", unit1="035"),), "0",
         "0", "18.02", "0", "0.0910"),
        # sparkling wine 200: CT 200 × .1/.9 × .7 = 15.5556 → 15.56; VAT 200/.9 × .13 × .7
        # = 20.2222 → 20.22; 35.78 / 200 = 17.89%
        ((line("2204100000", "200", unit="142"),), "0", "0", "20.22", "15.56", "0.1789"),
        # freight counts: (100 + 10) × 9.1% = 10.01
        ((line("6109100021", "100"),), "10", "0", "10.01", "0", "0.091"),
    ])
    def test_duty_0_and_70_percent_of_vat_and_consumption_tax(
            self, lines: tuple[Line, ...], freight: str, duty: str, vat: str, ct: str,
            rate: str) -> None:
        result = assess(*lines, freight=freight)
        assert (result.customs, result.vat, result.consumption) == (D(duty), D(vat), D(ct))
        assert domain.effective_rate(result).quantize(D(rate)) == D(rate)

    @pytest.mark.parametrize(("qty", "unit", "qty1", "unit1", "total", "taxed"), [
        ("1", "142", "50", "096", "500", True),  # 10 CNY/ml: the trigger itself
        ("1", "142", "50", "096", "499.99", False),  # just under
        ("10", "020", None, None, "150", True),  # masks: 15 CNY a sheet
        ("10", "020", None, None, "149.9", False),
        ("2", "142", "0.1", "035", "198", False),  # 100 g: 1.98 CNY/g
    ])
    def test_cosmetics_pay_consumption_tax_from_the_price_trigger(
            self, qty: str, unit: str, qty1: str | None, unit1: str | None, total: str,
            taxed: bool) -> None:
        result = assess(line("3304990099", total, qty, unit, qty1, unit1))
        assert (result.consumption > 0) is taxed


class TestOverTheLimit:
    def test_a_single_item_of_5000_01_pays_full_duty_and_vat(self) -> None:
        # duty 5000.01 × 10% = 500.001 → 500.00; VAT (5000.01 + 500.00) × 13% = 715.0013
        # → 715.00; total 1215.00
        result = assess(line("4202210000", "5000.01"), in_limit=False)
        assert (result.customs, result.vat, result.consumption, result.total) == (
            D("500.00"), D("715.00"), D(0), D("1215.00"))

    def test_full_rate_cosmetics_gross_up_duty_and_consumption_tax(self) -> None:
        # duty 6000 × 1% = 60; CT (6000 + 60) × .15/.85 = 1069.4118 → 1069.41;
        # VAT (6000 + 60 + 1069.41) × 13% = 926.8233 → 926.82
        result = assess(line("3304990099", "6000", unit="142", qty1="100", unit1="096"),
                        in_limit=False)
        assert (result.customs, result.consumption, result.vat) == (
            D("60.00"), D("1069.41"), D("926.82"))


class TestAllocation:
    @pytest.mark.parametrize(("totals", "extra", "expected"), [
        (("100",), "10", ("110",)),
        (("100", "200"), "10", ("103.33", "206.67")),
        (("1", "1", "1"), "0.1", ("1.03", "1.03", "1.04")),
    ])
    def test_freight_and_insurance_are_shared_by_value(self, totals: tuple[str, ...],
                                                       extra: str,
                                                       expected: tuple[str, ...]) -> None:
        lines = [line("6109100021", t, gnum=i) for i, t in enumerate(totals, 1)]
        assert domain.allocate(lines, D(extra)) == [D(e) for e in expected]


class TestReturns:
    TAX = LineTax(1, "3304990099", D("198"), D(0), D("18.02"), D(0))

    @pytest.mark.parametrize(("returned", "vat"), [
        ({}, "0.00"),  # everything came back
        ({1: D(2)}, "0.00"),
        ({1: D(1)}, "9.01"),
        ({2: D(1)}, "18.02"),  # another line
    ])
    def test_what_came_back_is_no_longer_taxed(self, returned: dict[int, D], vat: str) -> None:
        (kept,) = domain.after_return([self.TAX], {1: D(2)}, returned)
        assert kept.vat == D(vat)


class TestPaymentWindow:
    @pytest.mark.parametrize(("released", "due_from", "due_until"), [
        # released 1 March 10:00 Beijing: due from 1 April 00:00 (day 31) to the end of
        # 15 April (day 45), Beijing
        (datetime(2025, 3, 1, 2, 0, tzinfo=UTC), datetime(2025, 3, 31, 16, 0, tzinfo=UTC),
         datetime(2025, 4, 15, 16, 0, tzinfo=UTC)),
        # released 31 December 23:30 Beijing (15:30 UTC)
        (datetime(2025, 12, 31, 15, 30, tzinfo=UTC), datetime(2026, 1, 30, 16, 0, tzinfo=UTC),
         datetime(2026, 2, 14, 16, 0, tzinfo=UTC)),
    ])
    def test_tax_falls_due_between_day_31_and_day_45(self, released: datetime,
                                                     due_from: datetime,
                                                     due_until: datetime) -> None:
        assert domain.payment_window(released) == (due_from, due_until)
