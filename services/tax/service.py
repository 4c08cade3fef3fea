"""The tax service's use cases (shared by the routes and the rq jobs)."""

from __future__ import annotations

from sqlmodel import Session

from infra.db import delete_all_rows
from services.tax.db import TaxTable


def reset(*, session: Session) -> dict[str, int]:
    """Delete every row of the tax service's tables; returns the rows deleted per table."""
    return delete_all_rows(session, TaxTable.metadata)
