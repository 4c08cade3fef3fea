"""The official import XSD (skipped when the reference material is absent)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

XSD = Path(__file__).resolve().parents[4] / "shared" / "reference" / "xsd" / \
    "ceb-import-202205.xsd"


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_valid(body: bytes) -> None:
    """``body`` is valid against the import XSD (the test is skipped without it)."""
    if not XSD.exists():
        pytest.skip(f"no XSD at {XSD}")
    element = etree.fromstring(body)
    assert schema().validate(element), (element.tag, str(schema().error_log))
