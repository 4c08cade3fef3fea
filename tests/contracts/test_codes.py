"""Code tables: the CEB time formats, checked against the calendar."""

from __future__ import annotations

import pytest

from contracts import codes


@pytest.mark.parametrize(("value", "length", "valid"), [
    ("20250301", 8, True),
    ("20240229", 8, True),                # a leap day
    ("20250229", 8, False),               # not a leap year
    ("20251301", 8, False),               # month 13
    ("20250300", 8, False),               # day 0
    ("00000101", 8, False),               # year 0
    ("20250301120000", 14, True),
    ("20250301235959", 14, True),
    ("20250301240000", 14, False),        # hour 24
    ("20250301126000", 14, False),        # minute 60
    ("20250301125960", 14, False),        # second 60
    ("20250301120000123", 17, True),
    ("20250231120000123", 17, False),     # 31 February
    ("2025030112000", 14, False),         # one digit short
    ("2025-03-01", 8, False),
    ("2025030a", 8, False),
    ("２０２５０３０１", 8, False),          # full-width digits
    ("", 8, False),
])
def test_ceb_time(value: str, length: int, valid: bool) -> None:
    assert codes.is_ceb_time(value, length) is valid
