"""Enterprises: registration, API keys (stored hashed), and the tenant scope."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from gateway.models import Enterprise
from infra.errors import Conflict

Role = Literal["ebp", "ebc", "logistics", "payment", "agent", "warehouse"]
ROLE_NAMES: dict[str, str] = {
    "ebp": "电商平台 e-commerce platform",
    "ebc": "电商企业 e-commerce enterprise",
    "logistics": "物流企业 logistics enterprise",
    "payment": "支付企业 payment enterprise",
    "agent": "申报企业 declaring agent",
    "warehouse": "区内/监管场所企业 bonded warehouse or site operator",
}
_CODE = re.compile(r"^[0-9A-Z]{10}$")


class EnterpriseCreate(BaseModel):
    code: str = Field(description="10-character customs registration code")
    name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1)
    callbackUrl: str | None = Field(default=None, max_length=1000)
    callbackFormat: Literal["json", "xml"] = "json"

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError("must be 10 characters, digits or upper-case letters")
        return value

    @field_validator("callbackUrl")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class EnterpriseCreated(BaseModel):
    id: int
    code: str
    name: str
    roles: list[str]
    callbackUrl: str | None
    callbackFormat: str
    apiKey: str = Field(description="shown once; only its hash is stored")
    webhookSecret: str = Field(description="HMAC-SHA256 key of the webhook signatures")


@dataclass(frozen=True)
class Caller:
    """The authenticated enterprise of a request."""

    id: int
    code: str
    name: str
    roles: frozenset[str]


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def register(*, session: Session, data: EnterpriseCreate, now: datetime) -> EnterpriseCreated:
    """Register an enterprise and hand out its API key."""
    if session.exec(select(Enterprise).where(Enterprise.code == data.code)).first():
        raise Conflict(f"enterprise {data.code} is already registered", code="enterprise_exists",
                       errors=[{"path": "code", "message": "already registered"}])
    api_key = "sw_" + secrets.token_urlsafe(32)
    row = Enterprise(code=data.code, name=data.name, roles=list(data.roles),
                     callback_url=data.callbackUrl, callback_format=data.callbackFormat,
                     api_key_hash=hash_key(api_key), webhook_secret=secrets.token_hex(32),
                     created_at=now)
    session.add(row)
    session.flush()
    assert row.id is not None
    return EnterpriseCreated(id=row.id, code=row.code, name=row.name, roles=row.roles,
                             callbackUrl=row.callback_url, callbackFormat=row.callback_format,
                             apiKey=api_key, webhookSecret=row.webhook_secret)


class KeyCache:
    """API key hash → caller, kept a few seconds so intake does not query per request."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Caller]] = {}

    def get(self, key_hash: str) -> Caller | None:
        entry = self._entries.get(key_hash)
        if entry and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, key_hash: str, caller: Caller) -> None:
        self._entries[key_hash] = (time.monotonic() + self.ttl, caller)

    def clear(self) -> None:
        self._entries.clear()


def find_caller(*, session: Session, api_key: str) -> Caller | None:
    """The enterprise that owns ``api_key``, if any."""
    row = session.exec(select(Enterprise).where(Enterprise.api_key_hash == hash_key(api_key))
                       ).first()
    if row is None or row.id is None:
        return None
    return Caller(id=row.id, code=row.code, name=row.name, roles=frozenset(row.roles))


def recipients(*, session: Session, codes: set[str]) -> dict[str, tuple[int, bool]]:
    """Enterprise code → (id, whether it has a callback URL), for the registered ``codes``."""
    rows = session.exec(select(Enterprise.code, Enterprise.id, Enterprise.callback_url).where(
        Enterprise.code.in_(codes))).all()  # type: ignore[attr-defined]
    return {code: (ident, bool(url)) for code, ident, url in rows if ident is not None}


def registered(*, session: Session, codes: set[str]) -> list[dict[str, object]]:
    """The enterprises among ``codes`` with their roles (what agencies check parties by)."""
    rows = session.exec(select(Enterprise).where(
        Enterprise.code.in_(codes))).all()  # type: ignore[attr-defined]
    return [{"code": r.code, "name": r.name, "roles": list(r.roles)}
            for r in sorted(rows, key=lambda r: r.code)]
