"""The export (出口) CEB models against the official 2022-05 export XSD and samples.

- conformance: every export message of the registry (flow "export") has the XSD's element
  names and order, required/optional, list occurrences, length facets, decimal digits and
  xs:int ranges (``xsd_oracle``, the oracle); the registry covers every XSD message;
- round trip: a realistic instance of each message is written by ``to_xml``, validated by the
  official schema (lxml XMLSchema), parsed back equal; the JSON mirror round-trips too;
- samples: every official export sample parses, or is refused with a ``CebFormatError``
  whose errors each name an element path under the root element; never another exception;
  a sample the XSD refuses is refused by us too;
- negative: missing required, over-long, wrong code, out of order, unknown element,
  repeated single element, too many records, each error naming its path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from export_builders import BUILDERS, build_303, build_505, build_receipt
from lxml import etree
from xsd_oracle import (
    CEB_NS,
    Shape,
    compare,
    conformance_problems,
    message_elements,
    model_shape,
    reference_dir,
    validate,
)

from contracts.ceb import CebFormatError, parse_json, parse_xml, to_json, to_xml
from contracts.ceb.base import CebMessage, CebModel
from contracts.ceb.types import Int5, Str10, Str60

REF = reference_dir()
XSD = REF / "xsd" / "ceb-export-202205.xsd"
SAMPLES = REF / "samples" / "export"
EXPORT = sorted(n for n, c in CebMessage.registry.items() if c.flow == "export")


@pytest.fixture
def xsd() -> Path:
    if not XSD.is_file():
        pytest.skip(f"the reference folder is absent: {REF}")
    return XSD


# ---------------------------------------------------------------- conformance (the oracle)


@pytest.mark.parametrize("name", EXPORT)
def test_model_matches_xsd(xsd: Path, name: str) -> None:
    problems = conformance_problems(xsd, CebMessage.registry[name])
    assert not problems, "\n".join(problems)


def test_registry_covers_every_export_message(xsd: Path) -> None:
    assert sorted(message_elements(xsd)) == EXPORT


def test_oracle_sees_differences() -> None:
    """The oracle itself: order, length, required and code-table differences are reported."""

    class Good(CebModel):
        a: Str10
        b: Str60 | None = None

    xsd = Shape("R", "record", children=(
        Shape("a", "string", min_length=None, max_length=10),
        Shape("b", "string", required=False, min_occurs=0, max_length=60)))
    assert compare(xsd, model_shape(Good, "R")) == []

    class Swapped(CebModel):
        b: Str60 | None = None
        a: Str10

    class Longer(CebModel):
        a: Str60
        b: Str60

    class Coded(CebModel):
        a: Literal["A", "TOO-LONG-CODE"]
        b: Int5 | None = None

    assert any("elements differ" in p for p in compare(xsd, model_shape(Swapped, "R")))
    problems = compare(xsd, model_shape(Longer, "R"))
    assert any(p.startswith("R/a: max length") for p in problems)
    assert any(p.startswith("R/b: required") for p in problems)
    problems = compare(xsd, model_shape(Coded, "R"))
    assert any(p.startswith("R/a: code values ['TOO-LONG-CODE']") for p in problems)
    assert any(p.startswith("R/b: kind xsd=string model=int") for p in problems)


# ---------------------------------------------------------------- round trips


def test_every_export_message_has_a_builder() -> None:
    assert sorted(BUILDERS) == EXPORT


@pytest.mark.parametrize("name", EXPORT)
def test_round_trip(xsd: Path, name: str) -> None:
    message = BUILDERS[name]()
    body = to_xml(message)
    assert validate(xsd, body) == [], body.decode()
    assert parse_xml(body) == message
    mirror = to_json(message)
    assert mirror["messageType"] == name
    assert parse_json(json.loads(json.dumps(mirror))) == message


def test_directions() -> None:
    for name in EXPORT:
        cls = CebMessage.registry[name]
        receipt_ = "BaseTransfer" not in cls.model_fields
        assert cls.direction == ("receipt" if receipt_ else "declaration"), name
    assert CebMessage.registry["CEB792Message"].direction == "receipt"


# ---------------------------------------------------------------- official samples


# The samples valid as they stand; the others carry a repeated BaseTransfer, placeholder codes
# ("aaa", ieFlag "a", statisticsFlag "1"), a 2018 list without gseqno, or the root "CEB214".
SAMPLES_THAT_PARSE = {
    "CEB213Message", "CEB215Message", "CEB216Message", "CEB304Message", "CEB404Message",
    "CEB506Message", "CEB508Message", "CEB510Message", "CEB606Message", "CEB608Message",
    "CEB701Message", "CEB702Message"}


def _sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.xml")) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("sample", _sample_files(), ids=lambda p: p.stem)
def test_official_sample(xsd: Path, sample: Path) -> None:
    body = sample.read_bytes()
    root = etree.QName(etree.fromstring(body)).localname
    xsd_valid = validate(xsd, body) == []
    try:
        message = parse_xml(body)
    except CebFormatError as exc:
        assert exc.errors, "a format error lists its errors"
        for error in exc.errors:
            assert error.path.split("/")[0].split("[")[0] == root, str(error)
        assert sample.stem not in SAMPLES_THAT_PARSE, str(exc)
        return
    assert message.message_type == root
    assert xsd_valid, f"{sample.name} is refused by the XSD but accepted by us"
    assert sample.stem in SAMPLES_THAT_PARSE


def test_samples_are_present() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"the reference folder is absent: {REF}")
    assert {p.stem for p in _sample_files()} == set(EXPORT)


# ---------------------------------------------------------------- negative cases


def _tree(message: CebMessage) -> etree._Element:
    return etree.fromstring(to_xml(message))


def _find(root: etree._Element, path: str) -> etree._Element:
    found = root.find("/".join(f"{{{CEB_NS}}}{step}" for step in path.split("/")))
    assert found is not None, path
    return found


def _errors(root: etree._Element) -> dict[str, str]:
    with pytest.raises(CebFormatError) as caught:
        parse_xml(etree.tostring(root))
    return {e.path: e.message for e in caught.value.errors}


ORDER_HEAD = "CEB303Message/Order[1]/OrderHead"


def test_missing_required_field() -> None:
    root = _tree(build_303())
    field = _find(root, "Order/OrderHead/orderNo")
    field.getparent().remove(field)
    assert _errors(root) == {f"{ORDER_HEAD}/orderNo": "required element is missing"}


def test_over_long_field() -> None:
    root = _tree(build_303())
    _find(root, "Order/OrderList/itemNo").text = "X" * 31
    errors = _errors(root)
    assert list(errors) == ["CEB303Message/Order[1]/OrderList[1]/itemNo"]
    assert "at most 30" in next(iter(errors.values()))


@pytest.mark.parametrize(("field", "value"), [
    ("currency", "999"), ("orderType", "I"), ("appType", "4"), ("appTime", "20241315103000")])
def test_wrong_code(field: str, value: str) -> None:
    root = _tree(build_303())
    _find(root, f"Order/OrderHead/{field}").text = value
    assert list(_errors(root)) == [f"{ORDER_HEAD}/{field}"]


def test_element_out_of_order() -> None:
    root = _tree(build_303())
    order_type = _find(root, "Order/OrderHead/orderType")
    order_type.addnext(order_type.getprevious())  # appStatus now after orderType
    assert _errors(root) == {
        f"{ORDER_HEAD}/appStatus": "element 'appStatus' is out of order"}


def test_unknown_element() -> None:
    root = _tree(build_505())
    record = _find(root, "Logistics")
    etree.SubElement(record, f"{{{CEB_NS}}}buyerName").text = "张三"
    etree.SubElement(record, "note").text = "no namespace"
    errors = _errors(root)
    assert "unexpected element 'buyerName'" in errors["CEB505Message/Logistics[1]/buyerName"]
    assert "namespace (none)" in errors["CEB505Message/Logistics[1]/note"]


def test_every_error_at_once_and_repeated_single_element() -> None:
    root = _tree(build_receipt("CEB604Message"))
    root.append(etree.fromstring(etree.tostring(root[0])))  # a second InventoryReturn
    _find(root, "InventoryReturn/returnTime").text = "2024031510300012"  # 16 characters
    root[1].find(f"{{{CEB_NS}}}preNo").text = "B2024"
    assert set(_errors(root)) == {"CEB604Message/InventoryReturn[1]/returnTime",
                                  "CEB604Message/InventoryReturn[2]/preNo"}

    declaration = _tree(build_505())
    declaration.append(etree.fromstring(etree.tostring(_find(declaration, "BaseTransfer"))))
    assert "only once" in _errors(declaration)["CEB505Message/BaseTransfer[2]"]


def test_too_many_records() -> None:
    mirror = to_json(build_505())
    mirror["Logistics"] = mirror["Logistics"] * 101
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == ["CEB505Message/Logistics"]


def test_json_errors_name_paths() -> None:
    mirror = to_json(build_303())
    mirror["Order"][0]["OrderHead"]["orderNo"] = "9" * 61
    mirror["Order"][0]["OrderList"][1]["unit"] = "aaa"
    del mirror["BaseTransfer"]
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert {e.path for e in caught.value.errors} == {
        f"{ORDER_HEAD}/orderNo", "CEB303Message/Order[1]/OrderList[2]/unit",
        "CEB303Message/BaseTransfer"}
