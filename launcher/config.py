"""The launcher's settings: the common ones plus the gateway's admin token."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class LauncherSettings(CommonSettings):
    gateway_admin_token: str = Field(default="", validation_alias="SW_GATEWAY_ADMIN_TOKEN")
