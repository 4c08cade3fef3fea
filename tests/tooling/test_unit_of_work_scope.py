"""Every part's unit of work commits before its response goes out.

FastAPI runs the exit of a ``yield`` dependency after the response by default; a client
registering an enterprise and using its key at once would then race the commit."""

from __future__ import annotations

import importlib
import typing

import pytest

MODULES = ["gateway.deps", "services.customs.db", "services.inspection.db", "services.tax.db",
           "services.payments.db"]


@pytest.mark.parametrize("module", MODULES)
def test_the_unit_of_work_dependency_is_function_scoped(module: str) -> None:
    alias = importlib.import_module(module).UowDep
    depends = typing.get_args(alias)[1]
    assert depends.scope == "function"
