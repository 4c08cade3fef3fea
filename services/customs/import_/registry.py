"""Which roles the parties of a list are registered for, as the single window knows them.

Registration lives in the gateway (``POST /api/v1/enterprises``); customs asks it
(``GET /api/v1/enterprises?codes=...`` with the admin token) and keeps each answer a few
seconds in this process. Without a gateway URL (a service test) nothing is checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import httpx

from infra.errors import UpstreamError
from services.customs.config import Settings
from services.customs.import_.matching import Registration

TTL_SECONDS = 5.0
_cache: dict[str, tuple[float, frozenset[str]]] = {}
_lock = threading.Lock()


def registration(settings: Settings, codes: Iterable[str]) -> Registration | None:
    """The roles of ``codes``, or None when registrations are not checked."""
    if not settings.import_check_registrations or not settings.gateway_url:
        return None
    wanted = sorted({c for c in codes if c})
    now = time.monotonic()
    with _lock:
        known = {c: roles for c in wanted if (hit := _cache.get(c)) and hit[0] > now
                 for roles in (hit[1],)}
    missing = [c for c in wanted if c not in known]
    if missing:
        fetched = _fetch(settings, missing)
        with _lock:
            for code in missing:
                roles = fetched.get(code, frozenset())
                _cache[code] = (now + TTL_SECONDS, roles)
                known[code] = roles
    return Registration(roles=known)


def _fetch(settings: Settings, codes: list[str]) -> dict[str, frozenset[str]]:
    url = settings.gateway_url.rstrip("/") + "/api/v1/enterprises"
    try:
        response = httpx.get(url, params={"codes": ",".join(codes)}, timeout=5.0,
                             headers={"Authorization": f"Bearer {settings.gateway_admin_token}"})
        response.raise_for_status()
    except httpx.HTTPError as exc:  # transient: the job fails and rq retries it
        raise UpstreamError(f"the gateway's registry did not answer: {exc}",
                            code="registry_unavailable") from exc
    return {e["code"]: frozenset(e["roles"]) for e in response.json()["enterprises"]}


def clear() -> None:
    with _lock:
        _cache.clear()
