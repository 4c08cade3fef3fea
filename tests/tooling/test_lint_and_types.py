"""The tooling promises of STYLE.md: ruff over the tree, mypy over contracts/ and every
domain.py, and beyond them over all the application code (the services, the gateway,
infra, the launcher, the benchmarks)."""

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


def test_mypy_passes_on_the_application_code() -> None:
    result = _run("mypy", "contracts", "infra", "services", "gateway", "launcher", "bench",
                  "sw.py")
    assert result.returncode == 0, result.stdout + result.stderr
