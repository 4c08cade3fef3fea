"""The payments app: starts on its own database, answers /health, resets its data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.payments import tasks
from services.payments.app import create_app
from services.payments.config import Settings
from services.payments.db import resources
from services.payments.models import PaymentRecord

PART = "payments"


def make_payment_record(**overrides: Any) -> PaymentRecord:
    values: dict[str, Any] = {
        "guid": "2B7E151C-2A4B-4C3D-8E9F-A0B1C2D3E4F5", "message_type": "CEB411",
        "direction": "payment", "order_no": "ORDER20250301001", "pay_code": "31222699S7",
        "pay_name": "Example Pay", "pay_transaction_id": "PAY2025030100000001",
        "ebp_code": "3301964J31", "ebp_name": "Example Platform", "payer_id_type": "1",
        "payer_id_number": "110101199001011234", "payer_name": "Zhang San",
        "amount": Decimal("272.75"), "paid_at": datetime(2025, 3, 1, tzinfo=UTC),
        "received_at": datetime(2025, 3, 1, 0, 5, tzinfo=UTC),
    }
    return PaymentRecord(**{**values, **overrides})


@pytest.fixture
def client(backend: Any) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(**backend.settings_kwargs()))) as test_client:
        yield test_client
    resources.close()


def store(*records: PaymentRecord) -> None:
    with Session(resources.engine()) as session:
        session.add_all(records)
        session.commit()


def count_rows() -> int:
    with Session(resources.engine()) as session:
        return int(session.exec(select(func.count()).select_from(PaymentRecord)).one()[0])


class TestHealth:
    def test_answers_ok_with_database_and_redis(self, client: TestClient) -> None:
        response = client.get("/health")

        assert response.status_code == 200
        assert response.json() == {"service": PART, "status": "ok", "database": "ok",
                                   "redis": "ok"}

    def test_creates_its_own_database(self, client: TestClient, backend: Any) -> None:
        schema = None if backend.name == "embedded" else f"{backend.schema_prefix}{PART}"
        if backend.name == "embedded":
            assert (backend.data_dir / f"{PART}.db").exists()
        assert inspect(resources.engine()).has_table("payment_record", schema=schema)


class TestPaymentRecord:
    def test_one_record_per_payment_transaction(self, client: TestClient) -> None:
        store(make_payment_record())

        with pytest.raises(IntegrityError):
            store(make_payment_record(guid="9C0D1E2F-3A4B-4C5D-8E6F-7A8B9C0D1E2F"))


class TestReset:
    def test_deletes_every_record(self, client: TestClient) -> None:
        store(make_payment_record())

        response = client.post("/_sim/reset")

        assert response.status_code == 200
        assert response.json() == {"service": PART, "deleted": {"payment_record": 1}}
        assert count_rows() == 0

    def test_reset_job_deletes_every_record(self, client: TestClient) -> None:
        store(make_payment_record())

        assert tasks.reset() == {"payment_record": 1}
        assert count_rows() == 0
