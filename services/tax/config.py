"""Tax settings (environment prefix ``SW_TAX_``, plus the common ones)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_TAX_", extra="ignore",
                                      populate_by_name=True)

    # Retail import limits since 2019-01-01 (rules.md §3.1, [V]), in CNY.
    single_transaction_limit: Decimal = Decimal("5000")
    annual_limit_per_person: Decimal = Decimal("26000")
    # Within the limits: duty 0, import VAT and consumption tax at 70% of statutory.
    in_limit_tax_factor: Decimal = Decimal("0.7")
    # Tax falls due between these days after release, unless returned (rules.md §3.2, [S]).
    payment_window_first_day: int = 31
    payment_window_last_day: int = 45


@lru_cache
def get_settings() -> Settings:
    return Settings()
