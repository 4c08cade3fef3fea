"""Inspection's errors: the shared tree, with the codes this service raises."""

from __future__ import annotations

from infra.errors import AppError, Conflict, NotFound, RuleViolation

__all__ = ["AppError", "Conflict", "DecisionNotFound", "NotFound", "RuleViolation"]


class DecisionNotFound(NotFound):
    code, title = "risk_decision_not_found", "Risk decision not found"
