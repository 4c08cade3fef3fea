"""Gateway settings (environment prefix ``SW_GATEWAY_``, plus the common ones)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from infra.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="SW_GATEWAY_", extra="ignore",
                                      populate_by_name=True)

    admin_token: str = ""
    max_body_bytes: int = 4 * 1024 * 1024
    # Group commit of accepted messages: at most this many per transaction.
    intake_batch_size: int = 256
    # Dispatch to an agency that still had jobs waiting at the last dispatch: its messages
    # are held up to this long (or until a batch is full) and go as one larger job. An
    # agency that keeps up gets each batch at once. At most 1 s: the outbox sweep sends a
    # message still undispatched 2 s after it was stored itself.
    dispatch_linger_seconds: float = Field(default=0.1, ge=0, le=1)
    # Webhooks: attempts before dead-lettering, and the back-off (simulator seconds).
    webhook_max_attempts: int = 6
    webhook_backoff_seconds: list[int] = [10, 30, 120, 600, 3600]
    webhook_timeout_seconds: float = 5.0
    # Agencies, as the launcher / docker-compose names them.
    customs_url: str = Field(default="http://127.0.0.1:8001", validation_alias="SW_CUSTOMS_URL")
    inspection_url: str = Field(default="http://127.0.0.1:8002",
                                validation_alias="SW_INSPECTION_URL")
    tax_url: str = Field(default="http://127.0.0.1:8003", validation_alias="SW_TAX_URL")
    payments_url: str = Field(default="http://127.0.0.1:8004", validation_alias="SW_PAYMENTS_URL")
    agency_timeout_seconds: float = 10.0
    # The sandbox reset: how long it waits for running jobs to end before it empties the
    # parts anyway, and how long an agency may take to empty its data.
    reset_quiet_seconds: float = 15.0
    reset_timeout_seconds: float = 60.0

    def agency_urls(self) -> dict[str, str]:
        return {"customs": self.customs_url, "inspection": self.inspection_url,
                "tax": self.tax_url, "payments": self.payments_url}


@lru_cache
def get_settings() -> Settings:
    return Settings()
