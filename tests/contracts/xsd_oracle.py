"""The XSD oracle: walk an official CEB schema and our models into one comparable shape
(our models' side is ``model_shapes.py``).

Shared by the export and the import model tests. Everything takes the XSD path as a
parameter, so it serves ``ceb-export-202205.xsd`` and ``ceb-import-202205.xsd`` alike:
global elements referenced with ``ref="ceb:X"``, inline ``complexType`` records
(``<xs:element name="Order"><xs:complexType>...``), ``ref="ds:Signature"`` (kept raw), and
``type="ceb:XMLElement"`` (``xs:any`` content, kept raw).

Import it before ``contracts`` (it puts the repository root on ``sys.path``). Typical use::

    xsd = reference_dir() / "xsd" / "ceb-export-202205.xsd"
    problems = compare(xsd_shape(xsd, "CEB603Message"), model_shape(CEB603Message))
    assert not problems, "\\n".join(problems)

Comparison rules (``compare``): the same child element names in the same order, the same
namespace, required (minOccurs >= 1), list vs single, minOccurs/maxOccurs of lists, kind
(record / string / decimal / int / raw), string length facets (our min length is 1 where the
XSD has none: an empty element is refused on purpose; where the XSD states minLength 0 our
min may be 1 or 0), decimal totalDigits/fractionDigits, the xs:int value range (xs:int
bounds narrowed by totalDigits). A field typed as a
``Literal`` (a code table) is checked only for every allowed value fitting the XSD facets;
a field with a code-table validator (``AfterValidator``) may have a larger min length than
the XSD (fixed-length codes, e.g. a 3-letter unit where the XSD says maxLength 3).
Root attributes (guid, version) are compared by name and facets; ``version`` has a default
in our models and is always written, so the required flag of attributes is not compared.
``whiteSpace`` facets and element defaults are not compared. A Signature field that a model
makes required through ``signature_required`` (checked by ``parse_xml``) counts as required.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

XS_NS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS_NS}}}"

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_INT_BASES = {"int": (INT_MIN, INT_MAX), "long": (-(2**63), 2**63 - 1),
              "short": (-(2**15), 2**15 - 1), "integer": (None, None)}

# The package is not installed and pytest (prepend import mode, no conftest) puts only this
# folder on sys.path: importing this module makes ``import contracts`` work. Test modules
# import it before ``contracts`` (isort does that: it is not a first-party module).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from model_shapes import CEB_NS, Shape, model_shape  # noqa: E402  (this folder)

# ------------------------------------------------------------------ locations


def repo_root() -> Path:
    """The repository root (this file is ``<root>/tests/contracts/xsd_oracle.py``)."""
    return Path(__file__).resolve().parents[2]


def reference_dir() -> Path:
    """``<root>/../shared/reference`` (may not exist: callers ``pytest.skip``)."""
    return repo_root().parent / "shared" / "reference"


# ------------------------------------------------------------------ XSD side


@cache
def load_xsd(xsd_path: Path) -> etree._ElementTree:
    """The parsed schema document (not compiled)."""
    return etree.parse(str(xsd_path))


@cache
def load_schema(xsd_path: Path) -> etree.XMLSchema:
    """The compiled schema; xmldsig-core-schema.xsd is resolved next to it."""
    return etree.XMLSchema(etree.parse(str(xsd_path)))


def validate(xsd_path: Path, body: bytes) -> list[str]:
    """Schema-validation errors of an XML document (empty when valid)."""
    schema = load_schema(Path(xsd_path))
    doc = etree.fromstring(body)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


@cache
def _globals(xsd_path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    root = load_xsd(Path(xsd_path)).getroot()
    elements = {e.get("name"): e for e in root.findall(f"{_XS}element")}
    complex_types = {e.get("name"): e for e in root.findall(f"{_XS}complexType")}
    simple_types = {e.get("name"): e for e in root.findall(f"{_XS}simpleType")}
    return elements, complex_types, simple_types


def message_elements(xsd_path: Path) -> list[str]:
    """The global ``CEBnnnMessage`` elements of a schema, in document order."""
    elements, _, _ = _globals(Path(xsd_path))
    return [n for n in elements if n.startswith("CEB") and n.endswith("Message")]


def _qname(elem: Any, value: str) -> tuple[str, str]:
    prefix, _, local = value.rpartition(":")
    return elem.nsmap.get(prefix or None, ""), local


def _occurs(decl: Any) -> tuple[int, int | None]:
    low = int(decl.get("minOccurs", "1"))
    high_text = decl.get("maxOccurs", "1")
    return low, None if high_text == "unbounded" else int(high_text)


def _is_any_only(complex_type: Any) -> bool:
    particles = [c for c in complex_type.iter() if c.tag in (f"{_XS}element", f"{_XS}any")]
    return bool(particles) and all(c.tag == f"{_XS}any" for c in particles)


def _simple_facets(xsd_path: Path, simple: Any) -> dict[str, Any]:
    restriction = simple.find(f"{_XS}restriction")
    if restriction is None:
        raise AssertionError(f"unsupported simpleType at line {simple.sourceline}")
    base_ns, base = _qname(restriction, restriction.get("base"))
    facets: dict[str, Any] = {}
    if base_ns != XS_NS:  # a named simpleType restricting another
        _, _, simple_types = _globals(xsd_path)
        facets = _simple_facets(xsd_path, simple_types[base])
    else:
        facets.update(_base_facets(base))
    for facet in restriction:
        if not isinstance(facet.tag, str):
            continue
        tag, value = facet.tag.removeprefix(_XS), facet.get("value")
        if tag == "length":
            facets["min_length"] = facets["max_length"] = int(value)
        elif tag in ("minLength", "maxLength"):
            facets["min_length" if tag == "minLength" else "max_length"] = int(value)
        elif tag == "totalDigits":
            facets["total_digits"] = int(value)
        elif tag == "fractionDigits":
            facets["fraction_digits"] = int(value)
        elif tag in ("minInclusive", "maxInclusive"):
            facets["int_min" if tag == "minInclusive" else "int_max"] = int(value)
    if facets["kind"] == "int" and facets.get("total_digits") is not None:
        bound = 10 ** facets.pop("total_digits") - 1
        low, high = facets.get("int_min"), facets.get("int_max")
        facets["int_min"] = -bound if low is None else max(low, -bound)
        facets["int_max"] = bound if high is None else min(high, bound)
    return facets


def _base_facets(base: str) -> dict[str, Any]:
    if base in _INT_BASES:
        low, high = _INT_BASES[base]
        return {"kind": "int", "int_min": low, "int_max": high}
    if base == "decimal":
        return {"kind": "decimal"}
    if base in ("string", "normalizedString", "token"):
        return {"kind": "string"}
    raise AssertionError(f"unsupported XSD base type xs:{base}")


def _element_shape(xsd_path: Path, decl: Any) -> Shape:
    """The shape of one ``xs:element`` particle (a local declaration or a ref)."""
    elements, complex_types, simple_types = _globals(xsd_path)
    low, high = _occurs(decl)
    occurs = {"required": low >= 1, "many": high != 1, "min_occurs": low, "max_occurs": high}
    target = decl
    if decl.get("ref") is not None:
        ns, name = _qname(decl, decl.get("ref"))
        if ns != CEB_NS:  # ds:Signature and the like: kept as a raw fragment
            return Shape(name, "raw", namespace=ns, **occurs)
        target = elements[name]
    name = target.get("name")
    type_ref = target.get("type")
    if type_ref is not None:
        ns, local = _qname(target, type_ref)
        if ns == XS_NS:
            return Shape(name, **_base_facets(local), **occurs)
        if local in complex_types:
            complex_type = complex_types[local]
            if _is_any_only(complex_type):
                return Shape(name, "raw", **occurs)
            return _record(xsd_path, name, complex_type, occurs)
        return Shape(name, **_simple_facets(xsd_path, simple_types[local]), **occurs)
    simple = target.find(f"{_XS}simpleType")
    if simple is not None:
        return Shape(name, **_simple_facets(xsd_path, simple), **occurs)
    complex_type = target.find(f"{_XS}complexType")
    if complex_type is not None:
        if _is_any_only(complex_type):
            return Shape(name, "raw", **occurs)
        return _record(xsd_path, name, complex_type, occurs)
    return Shape(name, "string", **occurs)  # no type at all: xs:anyType, treat as text


def _record(xsd_path: Path, name: str, complex_type: Any, occurs: dict[str, Any]) -> Shape:
    children: list[Shape] = []
    sequence = complex_type.find(f"{_XS}sequence")
    if sequence is not None:
        for particle in sequence:
            if not isinstance(particle.tag, str) or particle.tag == f"{_XS}annotation":
                continue
            if particle.tag != f"{_XS}element":
                raise AssertionError(f"unsupported particle {particle.tag} in {name} "
                                     f"(line {particle.sourceline})")
            children.append(_element_shape(xsd_path, particle))
    attributes = []
    for attr in complex_type.findall(f"{_XS}attribute"):
        simple = attr.find(f"{_XS}simpleType")
        facets = _simple_facets(xsd_path, simple) if simple is not None else {"kind": "string"}
        attributes.append(Shape(attr.get("name"), required=attr.get("use") == "required",
                                **facets))
    return Shape(name, "record", attributes=tuple(attributes), children=tuple(children),
                 **occurs)


def xsd_shape(xsd_path: Path, element: str) -> Shape:
    """The shape of a global element (e.g. ``CEB603Message``) of the schema at xsd_path."""
    xsd_path = Path(xsd_path)
    elements, _, _ = _globals(xsd_path)
    if element not in elements:
        raise KeyError(f"{element} is not a global element of {xsd_path.name}")
    return _element_shape(xsd_path, elements[element])


# ------------------------------------------------------------------ comparison


def _fits(value: str, xsd: Shape) -> bool:
    low = xsd.min_length or 0
    return len(value) >= low and (xsd.max_length is None or len(value) <= xsd.max_length)


def _compare_scalar(xsd: Shape, ours: Shape, path: str, out: list[str]) -> None:
    if xsd.kind == "string":
        if ours.literals is not None:
            bad = [v for v in ours.literals if not _fits(v, xsd)]
            if bad:
                out.append(f"{path}: code values {bad} break the XSD length "
                           f"{xsd.min_length}..{xsd.max_length}")
            if ours.max_length is not None and ours.max_length != xsd.max_length:
                out.append(f"{path}: max length xsd={xsd.max_length} model={ours.max_length}")
            return
        want_min = xsd.min_length if xsd.min_length else 1
        if ours.coded and ours.min_length is not None and ours.min_length >= want_min:
            pass  # a code table of fixed-length codes may narrow the XSD minimum
        elif xsd.min_length == 0 and ours.min_length in (0, None):
            pass  # the XSD states minLength 0: accepting an empty value is also faithful
        elif ours.min_length != want_min:
            out.append(f"{path}: min length xsd={xsd.min_length} (want {want_min}) "
                       f"model={ours.min_length}")
        if ours.max_length != xsd.max_length:
            out.append(f"{path}: max length xsd={xsd.max_length} model={ours.max_length}")
    elif xsd.kind == "decimal":
        for facet in ("total_digits", "fraction_digits"):
            if getattr(xsd, facet) != getattr(ours, facet):
                out.append(f"{path}: {facet} xsd={getattr(xsd, facet)} "
                           f"model={getattr(ours, facet)}")
    elif xsd.kind == "int":
        if (xsd.int_min, xsd.int_max) != (ours.int_min, ours.int_max):
            out.append(f"{path}: int range xsd={xsd.int_min}..{xsd.int_max} "
                       f"model={ours.int_min}..{ours.int_max}")


def _compare(xsd: Shape, ours: Shape, path: str, out: list[str]) -> None:
    if xsd.namespace != ours.namespace:
        out.append(f"{path}: namespace xsd={xsd.namespace} model={ours.namespace}")
    if xsd.kind != ours.kind:
        out.append(f"{path}: kind xsd={xsd.kind} model={ours.kind}")
        return
    for facet in ("required", "many"):
        if getattr(xsd, facet) != getattr(ours, facet):
            out.append(f"{path}: {facet} xsd={getattr(xsd, facet)} model={getattr(ours, facet)}")
    if xsd.many and ours.many:
        for facet in ("min_occurs", "max_occurs"):
            if getattr(xsd, facet) != getattr(ours, facet):
                out.append(f"{path}: {facet} xsd={getattr(xsd, facet)} "
                           f"model={getattr(ours, facet)}")
    if xsd.kind != "record":
        _compare_scalar(xsd, ours, path, out)
        return
    _compare_list(xsd.attributes, ours.attributes, f"{path}/@", out, attrs=True)
    _compare_list(xsd.children, ours.children, f"{path}/", out)


def _compare_list(xsd: tuple[Shape, ...], ours: tuple[Shape, ...], prefix: str,
                  out: list[str], attrs: bool = False) -> None:
    xsd_names = [s.name for s in xsd]
    our_names = [s.name for s in ours]
    if xsd_names != our_names:
        out.append(f"{prefix}: {'attributes' if attrs else 'elements'} differ\n"
                   f"  xsd:   {xsd_names}\n  model: {our_names}")
    by_name = {s.name: s for s in ours}
    for item in xsd:
        if item.name in by_name:
            other = by_name[item.name]
            if attrs:  # attributes: facets only (version has a default and is always written)
                _compare_scalar(item, other, f"{prefix}{item.name}", out)
            else:
                _compare(item, other, f"{prefix}{item.name}", out)


def compare(xsd: Shape, ours: Shape) -> list[str]:
    """Every difference between an XSD shape and a model shape, one line each."""
    out: list[str] = []
    _compare(xsd, ours, xsd.name, out)
    return out


def conformance_problems(xsd_path: Path, message: type) -> list[str]:
    """Differences between a registered ``CEBnnnMessage`` model and its XSD element."""
    name = getattr(message, "message_type", "") or message.__name__
    return compare(xsd_shape(Path(xsd_path), name), model_shape(message, name))

