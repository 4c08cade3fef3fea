"""Inspection settings (environment prefix ``SW_INSPECTION_``, plus the common ones).

No official inspection or sampling rate exists (rules.md §6.3 and §8, [U]): the defaults
below are the simulator's, documented in ``services/inspection/README.md``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings
from services.inspection.domain import CHANNELS, LEVELS, Policy

# Share of lists sent to physical inspection at random, per "<channel>.<level>".
DEFAULT_SAMPLING_RATES: dict[str, Decimal] = {
    f"{channel}.{level}": Decimal(rate)
    for channel, rates in {
        "export_b2c": ("0.03", "0.10", "0.30"),
        "export_b2b": ("0.05", "0.15", "0.40"),
        "export_bonded": ("0.03", "0.10", "0.30"),
        "import_direct": ("0.05", "0.15", "0.40"),
        "import_bonded": ("0.02", "0.10", "0.30"),
        "first_line": ("0.10", "0.20", "0.50"),
    }.items()
    for level, rate in zip(LEVELS, rates, strict=True)
}
# Share of lists (not sent to physical inspection) whose documents are checked, per channel.
DEFAULT_DOCUMENT_RATES: dict[str, Decimal] = {
    "export_b2c": Decimal("0.02"), "export_b2b": Decimal("0.05"),
    "export_bonded": Decimal("0.02"), "import_direct": Decimal("0.03"),
    "import_bonded": Decimal("0.02"), "first_line": Decimal("0.05"),
}


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_INSPECTION_", extra="ignore",
                                      populate_by_name=True)

    # The seed of random selection: the same seed and list give the same decision.
    seed: str = "singlewindow"
    # Off: rules only, no random selection (the e2e tests of the export flow run so).
    random_selection: bool = True
    # JSON objects; the keys given replace the defaults, the others stay.
    sampling_rates: dict[str, Decimal] = DEFAULT_SAMPLING_RATES
    document_rates: dict[str, Decimal] = DEFAULT_DOCUMENT_RATES
    # The automatic officer resolves what nobody decided after this long (simulator clock).
    auto_officer: bool = True
    auto_officer_after_document_review: timedelta = timedelta(minutes=30)
    auto_officer_after_physical_inspection: timedelta = timedelta(hours=2)
    auto_officer_after_quarantine_treatment: timedelta = timedelta(hours=24)
    # A folder with one's own prohibited.csv / quarantine.csv / risk.csv.
    reference_dir: Path | None = None

    @field_validator("sampling_rates")
    @classmethod
    def _sampling(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        keys = {f"{c}.{level}" for c in CHANNELS for level in LEVELS}
        return _merge(DEFAULT_SAMPLING_RATES, value, keys)

    @field_validator("document_rates")
    @classmethod
    def _documents(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        return _merge(DEFAULT_DOCUMENT_RATES, value, set(CHANNELS))

    def policy(self) -> Policy:
        return Policy(seed=self.seed, physical_rates=self.sampling_rates,
                      document_rates=self.document_rates,
                      random_selection=self.random_selection)

    def auto_officer_after(self, lane: str) -> timedelta:
        """How long the automatic officer waits on an inspection of ``lane``."""
        delay: timedelta = getattr(self, f"auto_officer_after_{lane}")
        return delay


def _merge(defaults: dict[str, Decimal], given: dict[str, Decimal],
           keys: set[str]) -> dict[str, Decimal]:
    unknown = set(given) - keys
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)}; known: {sorted(keys)}")
    bad = [k for k, v in given.items() if not Decimal(0) <= v <= Decimal(1)]
    if bad:
        raise ValueError(f"rates must be between 0 and 1: {sorted(bad)}")
    return {**defaults, **given}


@lru_cache
def get_settings() -> Settings:
    return Settings()
