"""The inspection app: starts on its own database, answers /health, resets its data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlmodel import Session

from services.inspection import tasks
from services.inspection.app import create_app
from services.inspection.config import Settings
from services.inspection.db import resources
from services.inspection.models import RiskDecision

PART = "inspection"


def make_risk_decision(**overrides: Any) -> RiskDecision:
    values: dict[str, Any] = {
        "request_guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94", "cop_no": "COP2025030100001",
        "identity": "51002025E000000001", "sender": "3301964J31", "trade_mode": "9610",
        "ie_flag": "E", "channel": "export_b2c", "lane": "release", "state": "final",
        "outcome": "release", "hits": [], "decided_at": datetime(2025, 3, 1, tzinfo=UTC),
    }
    return RiskDecision(**{**values, **overrides})


@pytest.fixture
def client(backend: Any) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(**backend.settings_kwargs()))) as test_client:
        yield test_client
    resources.close()


def count_rows() -> int:
    with Session(resources.engine()) as session:
        return int(session.exec(select(func.count()).select_from(RiskDecision)).one()[0])


class TestHealth:
    def test_answers_ok_with_database_and_redis(self, client: TestClient) -> None:
        response = client.get("/health")

        assert response.status_code == 200
        assert response.json() == {"service": PART, "status": "ok", "database": "ok",
                                   "redis": "ok"}

    def test_creates_its_own_database(self, client: TestClient, backend: Any) -> None:
        engine = resources.engine()
        if backend.name == "embedded":
            assert (backend.data_dir / f"{PART}.db").exists()
            assert inspect(engine).has_table("risk_decision")
        else:
            assert inspect(engine).has_table("risk_decision",
                                             schema=f"{backend.schema_prefix}{PART}")


class TestReset:
    def test_deletes_every_decision(self, client: TestClient) -> None:
        with Session(resources.engine()) as session:
            session.add(make_risk_decision())
            session.commit()

        response = client.post("/_sim/reset")

        assert response.status_code == 200
        assert response.json() == {"service": PART, "deleted": {"risk_decision": 1}}
        assert count_rows() == 0

    def test_reset_job_deletes_every_decision(self, client: TestClient) -> None:
        with Session(resources.engine()) as session:
            session.add(make_risk_decision())
            session.commit()

        assert tasks.reset() == {"risk_decision": 1}
        assert count_rows() == 0
