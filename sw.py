#!/usr/bin/env python3
"""Bootstrap the single window with nothing but Python 3.11+.

    python3 sw.py start [singlewindow start options]   run the whole topology
    python3 sw.py test [pytest arguments]              run the tests

Creates ``.venv`` when it is missing and installs the project into it (``-e .[test]``),
again whenever ``pyproject.toml`` or the set of top-level packages changed (an editable
install only maps the packages it saw). Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MARKER = VENV / ".sw-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXE = ".exe" if os.name == "nt" else ""
NO_TESTS_COLLECTED = 5

USAGE = """usage: python3 sw.py start [options]   run every part (see: python3 sw.py start --help)
       python3 sw.py test [pytest args]  run the tests"""


def fingerprint() -> str:
    """What the installation depends on: pyproject.toml and the top-level packages."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    packages = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()


def ensure_environment() -> Path:
    """The virtualenv's Python, with the project installed and current."""
    python = BIN / f"python{EXE}"
    if not python.exists():
        print(f"sw: creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = fingerprint()
    installed = MARKER.read_text().strip() if MARKER.exists() else ""
    if installed != wanted:
        print("sw: installing the project into .venv (pip install -e '.[test]')", flush=True)
        result = subprocess.run([str(python), "-m", "pip", "install", "-e", ".[test]"],
                                cwd=ROOT)
        if result.returncode != 0:
            sys.exit(f"sw: pip install failed (exit code {result.returncode})")
        MARKER.write_text(wanted + "\n")
    return python


def start(args: list[str]) -> int:
    ensure_environment()
    command = BIN / f"singlewindow{EXE}"
    os.execv(command, [str(command), "start", *args])
    return 0  # not reached


def test(args: list[str]) -> int:
    python = ensure_environment()
    code = subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT)
    if code == NO_TESTS_COLLECTED:
        print("sw: pytest collected no tests (exit code 5); reporting success")
        return 0
    return code


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  (run by whatever python3 is about)
        print("sw: Python 3.11 or newer is needed", file=sys.stderr)
        return 2
    if not argv or argv[0] not in ("start", "test"):
        print(USAGE, file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help", "help") else 2
    command, rest = argv[0], argv[1:]
    return start(rest) if command == "start" else test(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
