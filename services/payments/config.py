"""Payments settings (environment prefix ``SW_PAYMENTS_``, plus the common ones)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_PAYMENTS_", extra="ignore",
                                      populate_by_name=True)

    # Individual FX facilitation quota, per person and calendar year, separately for
    # settlement and purchase (rules.md §5.3, [V]).
    individual_annual_quota_usd: Decimal = Decimal("50000")
    # Payment institutions keep records this long (rules.md §5.2, [S]/[U]).
    record_retention_years: int = 5


@lru_cache
def get_settings() -> Settings:
    return Settings()
