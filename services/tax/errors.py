"""The tax service's errors: the shared tree, with the codes this service raises."""

from __future__ import annotations

from infra.errors import AppError, Conflict, NotFound, RuleViolation

__all__ = ["AppError", "Conflict", "NotFound", "RuleViolation", "TaxBillNotFound"]


class TaxBillNotFound(NotFound):
    code, title = "tax_bill_not_found", "Tax bill not found"
