"""Inspection's errors: the shared tree, with the codes this service raises."""

from __future__ import annotations

from infra.errors import AppError, Conflict, NotFound, RuleViolation

__all__ = ["AppError", "Conflict", "DecisionNotFound", "InspectionNotPending", "NotFound",
           "ResultNotAllowed", "RuleViolation"]


class DecisionNotFound(NotFound):
    code, title = "risk_decision_not_found", "Risk decision not found"


class InspectionNotPending(Conflict):
    code, title = "inspection_not_pending", "Inspection already decided"


class ResultNotAllowed(RuleViolation):
    code, title = "result_not_allowed", "Result not allowed"
