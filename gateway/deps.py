"""Request dependencies as named aliases: the session, the caller, the admin."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from redis import Redis
from sqlmodel import Session

from gateway.config import Settings
from gateway.db import resources
from gateway.enterprises import Caller, KeyCache, find_caller, hash_key
from infra.clock import SimClock
from infra.db import UnitOfWork, unit_of_work
from infra.errors import Forbidden, Unauthorized

key_cache = KeyCache()


def get_uow() -> Iterator[UnitOfWork]:
    with unit_of_work(resources.engine()) as uow:
        yield uow


_clock: dict[int, SimClock] = {}


async def get_redis() -> Redis:
    return resources.redis()


async def get_clock() -> SimClock:
    """The simulator clock, its Redis state cached 0.2 s in this process."""
    redis = resources.redis()
    clock = _clock.get(id(redis))
    if clock is None:
        _clock.clear()
        clock = _clock[id(redis)] = SimClock(redis, cache_seconds=0.2)
    return clock


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send 'Authorization: Bearer <api key>'", code="missing_api_key")
    return token.strip()


def _lookup(api_key: str) -> Caller | None:
    with Session(resources.engine()) as session:
        return find_caller(session=session, api_key=api_key)


# key hash → the lookup under way: requests that miss the cache together share one
_lookups: dict[str, asyncio.Future[Caller | None]] = {}


async def current_enterprise(request: Request) -> Caller:
    api_key = _bearer(request)
    key_hash = hash_key(api_key)
    caller = key_cache.get(key_hash)
    if caller is None:
        lookup = _lookups.get(key_hash)
        if lookup is None or lookup.get_loop() is not asyncio.get_running_loop():
            lookup = _lookups[key_hash] = asyncio.ensure_future(
                run_in_threadpool(_lookup, api_key))
            lookup.add_done_callback(lambda done: _forget(key_hash, done))
        caller = await asyncio.shield(lookup)
        if caller is None:
            raise Unauthorized("the API key is not valid", code="invalid_api_key")
        key_cache.put(key_hash, caller)
    return caller


def _forget(key_hash: str, done: asyncio.Future[Caller | None]) -> None:
    if _lookups.get(key_hash) is done:
        del _lookups[key_hash]


async def get_settings() -> Settings:
    settings: Settings = resources.config()
    return settings


async def require_admin(request: Request,
                        settings: Annotated[Settings, Depends(get_settings)]) -> None:
    token = _bearer(request)
    if not settings.admin_token or not hmac.compare_digest(token, settings.admin_token):
        raise Forbidden("this call needs the admin token", code="admin_only")


async def admin_or_enterprise(request: Request,
                              settings: Annotated[Settings, Depends(get_settings)]
                              ) -> Caller | None:
    """None for the admin token, else the enterprise of the API key (401 if neither)."""
    token = _bearer(request)
    if settings.admin_token and hmac.compare_digest(token, settings.admin_token):
        return None
    return await current_enterprise(request)


# scope="function": the commit happens before the response is sent, so a client that
# has its answer can rely on what it did (by default FastAPI closes it afterwards).
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
SessionDep = Annotated[Session, Depends(resources.read_session)]  # reads only
RedisDep = Annotated[Redis, Depends(get_redis)]
ClockDep = Annotated[SimClock, Depends(get_clock)]
CurrentEnterprise = Annotated[Caller, Depends(current_enterprise)]
AdminDep = Depends(require_admin)
# None when the admin calls, else the calling enterprise
AdminOrEnterprise = Annotated[Caller | None, Depends(admin_or_enterprise)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
