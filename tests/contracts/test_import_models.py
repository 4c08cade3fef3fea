"""The import (进口) CEB models against the official 2022-05 import XSD and samples.

- conformance: every import message of the registry (flow "import", CEB900 included) has
  the XSD's element names and order, required/optional, list occurrences, length facets,
  decimal digits and xs:int ranges (``xsd_oracle``);
- round trip: a realistic instance of each message is written, validated by the official
  schema (lxml XMLSchema), parsed back equal; the JSON mirror round-trips too;
- samples: every official import sample parses, or is refused with a ``CebFormatError``
  whose errors each name an element path under the root element; never another exception.
  What we read from a sample we write back schema-valid;
- negative: a missing Signature on CEB621 (XML and JSON), a currency other than 142, an
  over-long buyerName, a wrong buyerIdType, other code-table values, broken documents.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from contracts.ceb import CebFormatError, parse_json, parse_xml, to_json, to_xml
from contracts.ceb.base import (
    CebMessage,
)
from contracts.ceb.ceb900 import CEB900Message
from contracts.ceb.import_inventory import (
    InventoryList621,
)
from tests.contracts.import_builders import (
    BUILDERS,
    DS,
    MSG_GUID,
    SIGNATURE,
    build_311,
    build_411,
    build_513,
    build_621,
    build_623,
    build_818,
    build_900,
)
from tests.contracts.xsd_oracle import conformance_problems, message_elements, validate

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"
IMPORT_XSD = REFERENCE / "xsd" / "ceb-import-202205.xsd"
SAMPLES = REFERENCE / "samples" / "import"

IMPORT_MESSAGES = sorted(n for n, cls in CebMessage.registry.items() if cls.flow == "import")


@pytest.fixture(scope="module")
def xsd() -> Path:
    if not IMPORT_XSD.is_file():
        pytest.skip(f"reference XSD not found at {IMPORT_XSD}")
    return IMPORT_XSD


# ------------------------------------------------------------------ conformance


def test_registry_holds_every_import_message(xsd: Path) -> None:
    assert set(IMPORT_MESSAGES) == set(message_elements(xsd))  # CEB900 included
    assert set(IMPORT_MESSAGES) == set(BUILDERS)


@pytest.mark.parametrize("name", IMPORT_MESSAGES)
def test_model_matches_xsd(xsd: Path, name: str) -> None:
    """Names/order, required, occurrences, lengths, digits, int ranges (see xsd_oracle).

    ds:Signature of CEB621/623/625/711 counts as required (``signature_required``); the
    CEB900 fields with an XSD minLength 0 accept the empty string.
    """
    problems = conformance_problems(xsd, CebMessage.registry[name])
    assert not problems, "\n".join(problems)


def test_import_list_keeps_qty_unit_pairs() -> None:
    names = list(InventoryList621.model_fields)
    assert names[names.index("qty"):names.index("price")] == [
        "qty", "unit", "qty1", "unit1", "qty2", "unit2"]


def test_signature_required_where_the_xsd_says_so() -> None:
    required = {n for n in IMPORT_MESSAGES
                if getattr(CebMessage.registry[n], "signature_required", False)}
    assert required == {"CEB621Message", "CEB623Message", "CEB625Message", "CEB711Message"}


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_round_trip_xml_is_schema_valid(xsd: Path, name: str) -> None:
    message = BUILDERS[name]()
    assert message.message_type == name
    body = to_xml(message)
    assert validate(xsd, body) == []
    parsed = parse_xml(body)
    assert type(parsed) is type(message)
    assert parsed == message
    assert to_xml(parsed) == body


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_round_trip_json(name: str) -> None:
    message = BUILDERS[name]()
    mirror = to_json(message)
    assert mirror["messageType"] == name
    assert parse_json(mirror) == message


# ------------------------------------------------------------------ official samples


def _sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.xml")) if SAMPLES.is_dir() else []


# The import samples are all valid against the XSD; our code tables refuse one value.
SAMPLE_REFUSALS = {"CEB513Message.xml": "logisticsStatus"}  # 'R', the XSD annotation says S


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name)
def test_sample_parses_or_names_the_bad_element(path: Path) -> None:
    body = path.read_bytes()
    root = etree.QName(etree.fromstring(body)).localname
    try:
        message = parse_xml(body)
    except CebFormatError as exc:
        assert exc.errors
        assert exc.message_type == root
        for error in exc.errors:
            assert error.path == root or error.path.startswith(f"{root}/"), error
        refused = SAMPLE_REFUSALS.get(path.name)
        assert refused, f"unexpected refusal: {exc}"
        assert all(e.path.endswith(f"/{refused}") for e in exc.errors), exc
        return
    assert path.name not in SAMPLE_REFUSALS
    assert message.message_type == root


@pytest.mark.parametrize("path", [p for p in _sample_files() if p.name not in SAMPLE_REFUSALS],
                         ids=lambda p: p.name)
def test_sample_is_rewritten_schema_valid(xsd: Path, path: Path) -> None:
    """What we read from an official sample we write back valid, and read back the same."""
    message = parse_xml(path.read_bytes())
    body = to_xml(message)
    assert validate(xsd, body) == []
    assert parse_xml(body) == message
    assert parse_json(to_json(message)) == message


def test_samples_present() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("reference samples not found")
    assert len(_sample_files()) == 16


# ------------------------------------------------------------------ negative


def _errors(body: bytes) -> dict[str, str]:
    with pytest.raises(CebFormatError) as caught:
        parse_xml(body)
    return {e.path: e.message for e in caught.value.errors}


def test_ceb621_without_signature_is_refused(xsd: Path) -> None:
    body = to_xml(build_621().model_copy(update={"Signature": None}))
    assert validate(xsd, body), "the XSD itself requires ds:Signature"
    errors = _errors(body)
    assert list(errors) == ["CEB621Message/Signature"]
    assert "missing" in errors["CEB621Message/Signature"]


def test_ceb621_json_without_signature_is_refused() -> None:
    mirror = to_json(build_621())
    del mirror["Signature"]
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == ["CEB621Message/Signature"]


def test_signature_survives_a_root_level_ds_declaration() -> None:
    """Samples declare xmlns:ds on the root: the parsed fragment is still self-contained."""
    body = to_xml(build_621()).replace(
        b'xmlns:ceb="http://www.chinaport.gov.cn/ceb"',
        f'xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="{DS}"'.encode(), 1)
    body = body.replace(f'<ds:Signature xmlns:ds="{DS}">'.encode(), b"<ds:Signature>")
    assert body.count(f'xmlns:ds="{DS}"'.encode()) == 1
    assert parse_xml(body).Signature == SIGNATURE


def _mutations() -> list[tuple[str, bytes, str | None]]:
    """(id, document, path of the expected error or None when only the type matters)."""
    body = to_xml(build_311())

    def element(tag: bytes) -> bytes:
        end = b"</ceb:" + tag + b">"
        return body[body.index(b"<ceb:" + tag + b">"):body.index(end) + len(end)]

    transfer, extend = element(b"BaseTransfer"), element(b"ExtendMessage")
    signature = SIGNATURE.encode()
    assert extend + signature in body
    return [
        ("truncated", body[: len(body) // 2], None),
        ("empty", b"", None),
        ("entity", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>', None),
        ("foreign-root", body.replace(b"http://www.chinaport.gov.cn/ceb", b"urn:other"), None),
        ("repeated-BaseTransfer", body.replace(transfer, transfer + transfer),
         "CEB311Message/BaseTransfer[2]"),
        ("export-order-Signature", body.replace(extend + signature, signature + extend),
         "CEB311Message/ExtendMessage"),
        ("unknown-element", body.replace(b"<ceb:note>", b"<ceb:remark>x</ceb:remark><ceb:note>"),
         "CEB311Message/Order[1]/OrderHead/remark"),
    ]


@pytest.mark.parametrize(("body", "path"), [m[1:] for m in _mutations()],
                         ids=[m[0] for m in _mutations()])
def test_broken_documents_raise_only_format_errors(body: bytes, path: str | None) -> None:
    with pytest.raises(CebFormatError) as caught:
        parse_xml(body)
    assert caught.value.errors
    if path is not None:
        assert path in {e.path for e in caught.value.errors}, caught.value


def test_optional_signature_may_be_absent_on_ceb311() -> None:
    message = build_311().model_copy(update={"Signature": None})
    assert parse_xml(to_xml(message)) == message


@pytest.mark.parametrize("currency", ["502", "300", "110"])
def test_import_currency_must_be_cny(currency: str) -> None:
    body = to_xml(build_311()).replace(b"<ceb:currency>142</ceb:currency>",
                                       f"<ceb:currency>{currency}</ceb:currency>".encode())
    errors = _errors(body)
    for path in ("CEB311Message/Order[1]/OrderHead/currency",
                 "CEB311Message/Order[1]/OrderList[1]/currency",
                 "CEB311Message/Order[1]/OrderList[2]/currency"):
        assert "142" in errors[path]


def test_import_currency_on_inventory_and_payment() -> None:
    mirror = to_json(build_621())
    mirror["Inventory"][0]["InventoryHead"]["currency"] = "502"
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == [
        "CEB621Message/Inventory[1]/InventoryHead/currency"]
    mirror = to_json(build_411())
    mirror["Payment"][0]["PaymentHead"]["currency"] = "USD"
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == [
        "CEB411Message/Payment[1]/PaymentHead/currency"]


def test_overlong_buyer_name_is_refused() -> None:
    name_60 = "欧阳" * 30
    ok = to_xml(build_621()).replace("<ceb:buyerName>张三<".encode(),
                                     f"<ceb:buyerName>{name_60}<".encode())
    assert parse_xml(ok).Inventory[0].InventoryHead.buyerName == name_60
    body = ok.replace(name_60.encode(), (name_60 + "娜").encode())
    errors = _errors(body)
    assert list(errors) == ["CEB621Message/Inventory[1]/InventoryHead/buyerName"]
    assert "60" in errors["CEB621Message/Inventory[1]/InventoryHead/buyerName"]


@pytest.mark.parametrize("id_type", ["2", "3", "A"])
def test_wrong_buyer_id_type_is_refused(id_type: str) -> None:
    body = to_xml(build_311()).replace(b"<ceb:buyerIdType>1<",
                                       f"<ceb:buyerIdType>{id_type}<".encode())
    errors = _errors(body)
    assert list(errors) == ["CEB311Message/Order[1]/OrderHead/buyerIdType"]
    mirror = to_json(build_411())
    mirror["Payment"][0]["PaymentHead"]["payerIdType"] = id_type
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == [
        "CEB411Message/Payment[1]/PaymentHead/payerIdType"]


@pytest.mark.parametrize(("builder", "path", "field", "value"), [
    (build_311, "CEB311Message/Order[1]/OrderHead", "orderType", "E"),
    (build_513, "CEB513Message/LogisticsStatus[1]", "logisticsStatus", "R"),
    (build_623, "CEB623Message/InvtCancel[1]", "appType", "2"),
    (build_621, "CEB621Message/Inventory[1]/InventoryHead", "tradeMode", "9710"),
    (build_621, "CEB621Message/Inventory[1]/InventoryHead", "ieFlag", "E"),
    (build_621, "CEB621Message/Inventory[1]/InventoryHead", "declTime", "20240231"),
    (build_621, "CEB621Message/Inventory[1]/InventoryList[1]", "unit1", "999"),
    (build_818, "CEB818Message/Tax[1]/TaxHeadStatus", "status", "4"),
])
def test_code_table_values_are_refused(builder: Callable[[], CebMessage], path: str,
                                       field: str, value: str) -> None:
    body = to_xml(builder())
    start = body.index(f"<ceb:{field}>".encode())
    end = body.index(f"</ceb:{field}>".encode(), start)
    bad = body[:start] + f"<ceb:{field}>{value}".encode() + body[end:]
    assert list(_errors(bad)) == [f"{path}/{field}"]


def test_order_list_holds_at_most_99_items() -> None:
    mirror = to_json(build_311())
    item = mirror["Order"][0]["OrderList"][0]
    mirror["Order"][0]["OrderList"] = [{**item, "gnum": i} for i in range(1, 101)]
    with pytest.raises(CebFormatError) as caught:
        parse_json(mirror)
    assert [e.path for e in caught.value.errors] == ["CEB311Message/Order[1]/OrderList"]
    mirror["Order"][0]["OrderList"] = mirror["Order"][0]["OrderList"][:99]
    assert len(parse_json(mirror).Order[0].OrderList) == 99


def test_ceb900_carries_an_empty_body_and_unknown_type(xsd: Path) -> None:
    record = build_900().MessageReturn.model_copy(
        update={"oriMessageType": "Unknown", "oriBizMessage": "", "oriCopMsgId": ""})
    message = CEB900Message(guid=MSG_GUID, MessageReturn=record)
    body = to_xml(message)
    assert validate(xsd, body) == []
    assert parse_xml(body) == message
