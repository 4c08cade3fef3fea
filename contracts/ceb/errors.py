"""Format errors of a CEB document: every bad field with its path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str
    value: str | None = None

    def __str__(self) -> str:
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.path or '(document)'}: {self.message}{shown}"


class CebFormatError(Exception):
    """A document that is not a valid CEB message; ``errors`` names every bad field."""

    def __init__(self, errors: list[FieldError], message_type: str = "Unknown") -> None:
        self.errors = errors
        self.message_type = message_type
        super().__init__("; ".join(str(e) for e in errors))
