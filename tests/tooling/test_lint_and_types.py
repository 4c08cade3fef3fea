"""The tooling promises of STYLE.md: ruff over the tree, mypy over contracts/, infra/ and
the pure rules (every domain.py, the three-document matches, the positive-list remarks,
the import return windows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_contracts_infra_and_the_domain_rules() -> None:
    pure = [*ROOT.glob("services/**/domain.py"), *ROOT.glob("services/**/matching.py"),
            *ROOT.glob("services/**/remarks.py"), *ROOT.glob("services/**/returns.py")]
    domains = sorted(str(p.relative_to(ROOT)) for p in pure)
    result = _run("mypy", "contracts", "infra", *domains)
    assert result.returncode == 0, result.stdout + result.stderr
