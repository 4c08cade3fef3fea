"""Payments' use cases (shared by the routes and the rq jobs)."""

from __future__ import annotations

from sqlmodel import Session

from infra.db import delete_all_rows
from services.payments.db import PaymentsTable


def reset(*, session: Session) -> dict[str, int]:
    """Delete every row of payments' tables; returns the rows deleted per table."""
    return delete_all_rows(session, PaymentsTable.metadata)
