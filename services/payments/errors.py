"""Payments' errors: the shared tree, with the codes this service raises."""

from __future__ import annotations

from infra.errors import AppError, Conflict, NotFound, RuleViolation

__all__ = ["AppError", "Conflict", "NotFound", "PaymentRecordNotFound", "RuleViolation"]


class PaymentRecordNotFound(NotFound):
    code, title = "payment_record_not_found", "Payment record not found"
