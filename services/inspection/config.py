"""Inspection settings (environment prefix ``SW_INSPECTION_``, plus the common ones)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_INSPECTION_", extra="ignore",
                                      populate_by_name=True)

    # Share of lists sent to physical inspection at random: no official number exists
    # (rules.md §6.3, [U]), so it is a parameter.
    sampling_rate: Decimal = Decimal("0.03")


@lru_cache
def get_settings() -> Settings:
    return Settings()
