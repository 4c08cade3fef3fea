"""The reference data the service ships: ``data/prohibited.csv``, ``quarantine.csv``, ``risk.csv``.

Read once per folder into ``domain.Rule`` values and checked on the way (unknown channels,
outcomes, levels or lanes, bad HS ranges raise ``ReferenceError`` naming file and line).
The columns are documented in ``services/inspection/README.md``. A folder of one's own
(``SW_INSPECTION_REFERENCE_DIR``) replaces the shipped files, file by file.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from services.inspection.domain import (
    CHANNELS,
    LEVELS,
    REFUSALS,
    Reference,
    Rule,
    RuleKind,
    parse_hs,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES: dict[RuleKind, str] = {"prohibited": "prohibited.csv", "quarantine": "quarantine.csv",
                              "risk": "risk.csv"}


class ReferenceError(ValueError):
    """A reference file that cannot be used."""


def load(folder: Path | None = None) -> Reference:
    """The rules of ``folder`` (the shipped data when None or a file is missing there)."""
    return _load(str(folder.resolve()) if folder else "")


@lru_cache
def _load(folder: str) -> Reference:
    rules = {kind: read_rules(_path(folder, name), kind) for kind, name in FILES.items()}
    return Reference(prohibited=rules["prohibited"], quarantine=rules["quarantine"],
                     risk=rules["risk"])


def _path(folder: str, name: str) -> Path:
    own = Path(folder) / name if folder else None
    return own if own is not None and own.exists() else DATA_DIR / name


def read_rules(path: Path, kind: RuleKind) -> tuple[Rule, ...]:
    """Every rule of one reference file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rules = []
    for number, row in enumerate(rows, start=2):
        try:
            rules.append(_rule(row, kind))
        except (KeyError, ValueError) as exc:
            raise ReferenceError(f"{path.name} line {number}: {exc}") from None
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise ReferenceError(f"{path.name}: a rule code appears twice")
    return tuple(rules)


def _rule(row: dict[str, str], kind: RuleKind) -> Rule:
    channels = frozenset(c for c in row["channels"].split() if c != "*")
    unknown = channels - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channel(s) {sorted(unknown)}")
    rule = Rule(
        code=row["code"].strip(), kind=kind, en=row["en"].strip(), zh=row["zh"].strip(),
        channels=channels, hs=parse_hs(row.get("hs") or ""),
        keywords_zh=_words(row.get("keywords_zh")), keywords_en=_words(row.get("keywords_en")),
        wrap_types=frozenset((row.get("wrap_types") or "").split()),
        outcome=(row.get("outcome") or "").strip(), level=(row.get("level") or "").strip(),
        lane=(row.get("lane") or "").strip())
    if not rule.code or not rule.en or not rule.zh:
        raise ValueError("code, en and zh are required")
    if kind == "prohibited" and rule.outcome not in REFUSALS:
        raise ValueError(f"outcome {rule.outcome!r} is not one of {REFUSALS}")
    if kind == "risk" and rule.level not in LEVELS:
        raise ValueError(f"level {rule.level!r} is not one of {LEVELS}")
    if rule.lane not in ("", "document_review"):
        raise ValueError(f"lane {rule.lane!r} is not empty or document_review")
    if not (rule.hs or rule.keywords_zh or rule.keywords_en or rule.wrap_types):
        raise ValueError("a rule needs HS codes, keywords or wrap types")
    return rule


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(w.strip() for w in (text or "").split("|") if w.strip())
