"""Customs settings (environment prefix ``SW_CUSTOMS_``, plus the common ones)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_CUSTOMS_", extra="ignore",
                                      populate_by_name=True)

    # GACC 2024-167: from this date an export list no longer needs the payment receipt (CEB403).
    export_receipt_not_required_from: date = date(2024, 12, 15)
    # Tolerance of amount comparisons in the three-document match (rules.md §1.4, [U]).
    amount_tolerance_ratio: Decimal = Decimal("0.05")
    # A list without a final inspection answer this long after it was asked about (real
    # seconds) is asked about again (inspection answers idempotently): risk.resend.
    inspection_reask_seconds: float = 30.0

    # ---- retail imports (services/customs/import_), rules.md §3 and §8
    # Limits per buyer ID: per transaction (dutiable value) and per calendar year, in CNY.
    import_single_limit: Decimal = Decimal("5000")
    import_year_limit: Decimal = Decimal("26000")
    # Returns: applied within this many days of release, goods back within that many.
    import_return_apply_days: int = 30
    import_return_back_days: int = 45
    # Buyers whose identity a state-authorised body certified: their payer may differ.
    import_certified_buyers: list[str] = []
    # The parties of a list must be registered for their roles (asked of the gateway).
    import_check_registrations: bool = True
    gateway_url: str = Field(default="", validation_alias="SW_GATEWAY_URL")
    gateway_admin_token: str = Field(default="", validation_alias="SW_GATEWAY_ADMIN_TOKEN")


@lru_cache
def get_settings() -> Settings:
    return Settings()
