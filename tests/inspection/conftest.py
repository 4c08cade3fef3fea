"""Inspection on the test's backend (SQLite + embedded Redis, or PostgreSQL + Redis).

``inspection`` configures the service (random selection off unless a test turns it on)
and drives it the way customs and officers do; questions are built by ``question``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from redis import Redis

from contracts.inspection import APPLY, APPLY_MANY, FirstLineEntry, InspectionResult
from infra.clock import SimClock
from infra.db import unit_of_work
from infra.queue import queue
from infra.scheduler import pending
from services.inspection import service
from services.inspection.config import Settings
from services.inspection.db import resources

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
AGENT = "AGENT00001"
TSHIRT = {"gnum": 1, "gcode": "6109100021", "gname": "T恤", "qty": "2", "country": "502"}


def question(n: int = 1, *, items: list[dict[str, Any]] | None = None,
             **overrides: Any) -> dict[str, Any]:
    """What customs asks about export list ``n`` (a T-shirt unless told otherwise)."""
    ie = overrides.get("ieFlag", "E")
    invt_no = f"51002025{ie}{n:09d}"
    return {"token": uuid.uuid4().hex, "identity": invt_no, "kind": "inventory",
            "flow": f"inventory:{ie}", "guid": str(uuid.uuid4()).upper(),
            "copNo": f"INV{n:08d}", "invtNo": invt_no, "tradeMode": "9610", "ieFlag": "E",
            "customsCode": "5100", "sender": AGENT, "trafMode": "5", "wrapType": "2",
            "items": items or [TSHIRT], "askedAt": NOW.isoformat(), **overrides}


def import_question(n: int = 1, *, items: list[dict[str, Any]], **overrides: Any,
                    ) -> dict[str, Any]:
    """A 9610 direct-purchase import list (CEB621) as customs would ask about it."""
    values = {"ieFlag": "I", "tradeMode": "9610", "consignee": "张三",
              "consigneeAddress": "四川省成都市", "country": "601"} | overrides
    return question(n, items=items, **values)


@dataclass
class Inspection:
    settings: Settings
    redis: Redis

    def with_settings(self, **changes: Any) -> Settings:
        self.settings = self.settings.model_copy(update=changes)
        resources.settings = self.settings  # what the jobs read
        return self.settings

    def assess(self, request: dict[str, Any]) -> dict[str, Any]:
        with unit_of_work(resources.engine()) as uow:
            row = service.assess(uow=uow, redis=self.redis, settings=self.settings,
                                 request=request, now=SimClock(self.redis).now())
        return service.view(row)  # as committed

    def first_line(self, **entry: Any) -> dict[str, Any]:
        values = {"emsNo": "T5100W000001", "itemRecordNo": "R001", "gcode": "6109100021",
                  "gname": "T恤"} | entry
        with unit_of_work(resources.engine()) as uow:
            row = service.first_line(uow=uow, redis=self.redis, settings=self.settings,
                                     entry=FirstLineEntry(**values),
                                     now=SimClock(self.redis).now())
            return service.view(row)

    def result(self, decision_id: int, outcome: str, reason: str = "checked",
               officer: str = "Li") -> dict[str, Any]:
        with unit_of_work(resources.engine()) as uow:
            row = service.record_result(uow=uow, redis=self.redis, settings=self.settings,
                                        decision_id=decision_id, outcome=outcome,
                                        reason=reason, officer=officer,
                                        now=SimClock(self.redis).now())
            return service.view(row)

    def auto_resolve(self, decision_id: int, seq: int) -> str:
        with unit_of_work(resources.engine()) as uow:
            return service.auto_resolve(uow=uow, redis=self.redis, settings=self.settings,
                                        decision_id=decision_id, seq=seq,
                                        now=SimClock(self.redis).now())

    def answers(self) -> list[InspectionResult]:
        """Every answer enqueued for customs, in order."""
        jobs = queue("customs", self.redis).jobs
        assert all(j.func_name in (APPLY, APPLY_MANY) for j in jobs)
        return [InspectionResult.model_validate(a) for j in jobs
                for a in (j.args[0] if j.func_name == APPLY_MANY else [j.args[0]])]

    def schedule(self) -> list[dict[str, Any]]:
        return pending(self.redis)


@pytest.fixture
def inspection(backend: Any) -> Iterator[Inspection]:
    settings = Settings(**backend.settings_kwargs(), random_selection=False)
    resources.configure(settings)
    redis = resources.redis()
    SimClock(redis).set(NOW, frozen=True)
    try:
        yield Inspection(settings, redis)
    finally:
        resources.close()
