"""Settings common to every part, read from the environment (and nowhere else)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """What every part needs: where its database and Redis are, and the data folder.

    ``DATABASE_URL`` empty means the embedded default: one SQLite file per part under
    ``SW_DATA_DIR``. A PostgreSQL URL gives every part its own schema in that database
    (``<SW_SCHEMA_PREFIX><part>``). ``REDIS_URL`` is required at run time; the launcher
    sets it to its embedded Redis when none is given.
    """

    model_config = SettingsConfigDict(env_prefix="SW_", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    redis_url: str = Field(default="", validation_alias="REDIS_URL")
    # Named by their full variable names so a part's own prefix (SW_CUSTOMS_...) keeps them.
    data_dir: Path = Field(default=Path(".singlewindow"), validation_alias="SW_DATA_DIR")
    schema_prefix: str = Field(default="", validation_alias="SW_SCHEMA_PREFIX")
    # How long a dispatched message may stay unprocessed before it is dispatched again.
    redispatch_after_seconds: float = 30.0

    def database_url_for(self, part: str) -> tuple[str, str | None]:
        """The URL and schema of one part's own database."""
        if self.database_url.startswith(("postgresql", "postgres")):
            url = self.database_url.replace("postgres://", "postgresql://", 1)
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url, f"{self.schema_prefix}{part}"
        if self.database_url:
            return self.database_url.replace("{part}", part), None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / f'{part}.db').resolve()}", None


@lru_cache
def get_common_settings() -> CommonSettings:
    return CommonSettings()
