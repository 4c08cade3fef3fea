"""Customs settings (environment prefix ``SW_CUSTOMS_``, plus the common ones)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_CUSTOMS_", extra="ignore",
                                      populate_by_name=True)

    # GACC 2024-167: from this date an export list no longer needs the payment receipt (CEB403).
    export_receipt_not_required_from: date = date(2024, 12, 15)
    # Tolerance of amount comparisons in the three-document match (rules.md §1.4, [U]).
    amount_tolerance_ratio: Decimal = Decimal("0.05")


@lru_cache
def get_settings() -> Settings:
    return Settings()
