"""The tax app: starts on its own database, answers /health, resets its data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from sqlmodel import Session

from services.tax import tasks
from services.tax.app import create_app
from services.tax.config import Settings
from services.tax.db import resources
from services.tax.models import TaxBill, TaxBillLine

PART = "tax"


def make_tax_bill(**overrides: Any) -> TaxBill:
    values: dict[str, Any] = {
        "guid": "8F5B2C3A-1D4E-4F60-9A7B-0C1D2E3F4A5B",
        "invt_guid": "4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        "tax_no": "TAX51012025I000000001", "order_no": "ORDER20250301001",
        "trade_mode": "9610", "ebc_code": "3301964J31", "buyer_id_number": "110101199001011234",
        "dutiable_value": Decimal("250.00"), "customs_tax": Decimal("0"),
        "value_added_tax": Decimal("22.75"), "consumption_tax": Decimal("0"),
        "tax_total": Decimal("22.75"), "created_at": datetime(2025, 3, 1, tzinfo=UTC),
    }
    return TaxBill(**{**values, **overrides})


def make_tax_bill_line(bill_id: int, **overrides: Any) -> TaxBillLine:
    values: dict[str, Any] = {
        "bill_id": bill_id, "gnum": 1, "gcode": "3304990099", "tax_price": Decimal("250.00"),
        "customs_tax": Decimal("0"), "value_added_tax": Decimal("22.75"),
        "consumption_tax": Decimal("0"),
    }
    return TaxBillLine(**{**values, **overrides})


@pytest.fixture
def client(backend: Any) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(**backend.settings_kwargs()))) as test_client:
        yield test_client
    resources.close()


def store_bill_with_line() -> None:
    with Session(resources.engine()) as session:
        bill = make_tax_bill()
        session.add(bill)
        session.flush()
        assert bill.id is not None
        session.add(make_tax_bill_line(bill.id))
        session.commit()


def count_rows(table: type[TaxBill] | type[TaxBillLine]) -> int:
    with Session(resources.engine()) as session:
        return int(session.exec(select(func.count()).select_from(table)).one()[0])


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
        inspector = inspect(resources.engine())
        assert inspector.has_table("tax_bill", schema=schema)
        assert inspector.has_table("tax_bill_line", schema=schema)


class TestTaxBill:
    def test_keeps_amounts_as_decimals(self, client: TestClient) -> None:
        store_bill_with_line()

        with Session(resources.engine()) as session:
            bill = session.exec(select(TaxBill)).one()[0]

        assert bill.value_added_tax == Decimal("22.75")
        assert isinstance(bill.tax_total, Decimal)

    def test_keeps_times_as_aware_utc(self, client: TestClient) -> None:
        store_bill_with_line()

        with Session(resources.engine()) as session:
            bill = session.exec(select(TaxBill)).one()[0]

        assert bill.created_at == datetime(2025, 3, 1, tzinfo=UTC)
        assert bill.created_at.tzinfo is not None


class TestReset:
    def test_deletes_bills_and_their_lines(self, client: TestClient) -> None:
        store_bill_with_line()

        response = client.post("/_sim/reset")

        assert response.status_code == 200
        body = response.json()
        assert body["service"] == PART
        assert {k: v for k, v in body["deleted"].items() if v} == {"tax_bill_line": 1,
                                                                   "tax_bill": 1}
        assert count_rows(TaxBill) == count_rows(TaxBillLine) == 0

    def test_reset_job_deletes_bills_and_their_lines(self, client: TestClient) -> None:
        store_bill_with_line()

        assert {k: v for k, v in tasks.reset().items() if v} == {"tax_bill_line": 1,
                                                                 "tax_bill": 1}
        assert count_rows(TaxBill) == 0
