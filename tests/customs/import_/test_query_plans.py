"""An import batch's lookups search the tables' indexes on SQLite, never scan a table
(as export's: ``tests.customs.test_query_plans``)."""

from __future__ import annotations

import pytest

from contracts import examples_import as ei
from services.customs.db import resources
from tests.customs.harness import locking
from tests.customs.import_.harness import Imports
from tests.customs.test_query_plans import scans
from tests.sql import plans


def test_a_batchs_lookups_search_an_index(imports: Imports) -> None:
    if locking():
        pytest.skip("PostgreSQL plans by its tables' statistics")
    flows = [ei.import_flow(n, "9610") for n in (1, 2, 3)]
    imports.send(*(flow[3] for flow in flows[:2]))  # two lists wait for their documents
    with plans(resources.engine()) as steps:
        imports.send(*(m for flow in flows for m in flow[:3]), flows[2][3])
    assert [imports.statuses(flow[3])[-1] for flow in flows] == ["800"] * 3
    assert steps, "no SELECT was seen"
    assert scans(steps) == []
