"""Tax settings (environment prefix ``SW_TAX_``, plus the common ones)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_TAX_", extra="ignore",
                                      populate_by_name=True)

    # Within the limits: duty 0, import VAT and consumption tax at 70% of statutory
    # (rules.md §3.1). Customs decides whether a list is within the limits.
    in_limit_tax_factor: Decimal = Decimal("0.7")
    # A tariff line without rates in rates.csv: VAT at this rate, no consumption tax, duty 0.
    default_vat_rate: Decimal = Decimal("0.13")
    # Tax falls due between these days after release, unless returned (rules.md §3.2, [S]).
    payment_window_first_day: int = 31
    payment_window_last_day: int = 45
    # The withholding agent pays at the end of the window (simulated), restoring its guarantee.
    pay_at_window_end: bool = True
    # The revolving guarantee (循环担保) of a withholding agent that never lodged one, in CNY.
    default_guarantee: Decimal = Decimal("1000000")


@lru_cache
def get_settings() -> Settings:
    return Settings()
