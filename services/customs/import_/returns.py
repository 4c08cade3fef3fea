"""Pure rules of retail import returns (CEB625 退货): the windows after release, which lines
may come back, and the share of the goods value they give back.

Applied within 30 days of release, goods back within 45 (GACC 2020-45; settings). Days
are calendar days in Beijing: the day after release is day 1. No session, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.customs.domain import CST, ceb_day, fmt
from services.customs.import_.domain import ListLine


@dataclass(frozen=True)
class Windows:
    apply_days: int = 30  # return applied within 30 days of release (GACC 2020-45)
    back_days: int = 45  # goods back at the site or zone within 45 days of release


def days_since_release(released_at: datetime, at: datetime) -> int:
    """Calendar days (Beijing) from release to ``at``: the day after release is day 1."""
    return (ceb_day(at) - ceb_day(released_at)).days


def return_applied_in_time(released_at: datetime, applied_at: datetime,
                           windows: Windows) -> bool:
    return days_since_release(released_at, applied_at) <= windows.apply_days


def goods_back_in_time(released_at: datetime, back_at: datetime, windows: Windows) -> bool:
    return days_since_release(released_at, back_at) <= windows.back_days


def goods_back_deadline(released_at: datetime, windows: Windows) -> datetime:
    """The first instant after the 45th day: a return still waiting for its goods fails."""
    day = ceb_day(released_at) + timedelta(days=windows.back_days + 1)
    return datetime(day.year, day.month, day.day, tzinfo=CST).astimezone(UTC)


def return_line_problems(listed: Sequence[ListLine],
                         returned: Sequence[tuple[int, str, Decimal]]) -> list[str]:
    """A return's lines (gnum, gcode, qty) against the released list's lines."""
    by_gnum = {line.gnum: line for line in listed}
    out: list[str] = []
    for gnum, gcode, qty in returned:
        line = by_gnum.get(gnum)
        where = f"CEB625 InvtRefundList[gnum={gnum}]"
        if line is None or line.gcode != gcode:
            out.append(f"{where}.gcode {gcode} is not line {gnum} of the list")
        elif not 0 < qty <= line.qty:
            out.append(f"{where}.qty {fmt(qty)} must be more than 0 and at most the "
                       f"listed {fmt(line.qty)}")
    return out


def returned_share(listed: Sequence[ListLine], returned: Mapping[int, Decimal]) -> Decimal:
    """The share (0..1) of the goods value a return gives back."""
    goods = sum((line.total_price for line in listed), Decimal(0))
    if not goods:
        return Decimal(1)
    back = sum((line.total_price * returned[line.gnum] / line.qty
                for line in listed if line.gnum in returned), Decimal(0))
    return min(back / goods, Decimal(1))
