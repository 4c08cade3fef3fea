"""A gateway app in-process (TestClient) on the test's backend."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import func, select

from contracts import examples as builders
from gateway.app import create_app
from gateway.config import Settings
from gateway.db import resources
from gateway.models import Message
from infra.queue import queue, unstash

ADMIN = "test-admin-token"


@dataclass
class Gateway:
    client: TestClient
    settings: Settings
    redis: Redis

    def register(self, code: str, roles: list[str] | None = None, **extra: Any) -> str:
        body = {"code": code, "name": builders.NAMES.get(code, code),
                "roles": roles or builders.ROLES[code], **extra}
        response = self.client.post("/api/v1/enterprises", json=body,
                                    headers={"Authorization": f"Bearer {ADMIN}"})
        assert response.status_code == 201, response.text
        return str(response.json()["apiKey"])

    def post(self, key: str, mirror: dict[str, Any] | bytes, *, xml: bool = True,
             headers: dict[str, str] | None = None) -> Any:
        if isinstance(mirror, bytes):
            content, ctype = mirror, "application/xml" if xml else "application/json"
        elif xml:
            content, ctype = builders.as_xml(mirror), "application/xml"
        else:
            import orjson
            content, ctype = orjson.dumps(mirror), "application/json"
        return self.client.post("/api/v1/messages", content=content,
                                headers={"Authorization": f"Bearer {key}",
                                         "Content-Type": ctype, **(headers or {})})

    def stored_count(self) -> int:
        with resources.engine().connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Message)).scalar_one())

    def dispatched_jobs(self) -> list[Any]:
        return list(queue("customs", self.redis).jobs)

    def wait_dispatched(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The dispatched messages once ``count`` are there (dispatch follows the 202)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.dispatched_items()
            if len(items) >= count:
                time.sleep(0.05)  # and nothing more arrives
                return self.dispatched_items()
            time.sleep(0.01)
        raise AssertionError(f"{count} message(s) were not dispatched in {timeout} s")

    def dispatched_items(self) -> list[dict[str, Any]]:
        """The messages the dispatch jobs carry (stashed beside each job)."""
        items: list[dict[str, Any]] = []
        for job in self.dispatched_jobs():
            items.extend(unstash(self.redis, job.args[0]) or [])
        return items


@pytest.fixture
def gateway(backend: Any) -> Iterator[Gateway]:
    settings = Settings(**backend.settings_kwargs(), admin_token=ADMIN,
                        max_body_bytes=64 * 1024)
    app = create_app(settings)
    with TestClient(app) as client:
        yield Gateway(client, settings, backend.redis())
    resources.close()
