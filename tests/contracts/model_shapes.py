"""Our models as comparable shapes: what the codec writes for each field, with its facets.

The other half of the XSD oracle (``xsd_oracle.py`` reads the official schemas into the same
``Shape`` and compares the two). ``model_shape`` follows ``contracts.ceb.codec.plan_for``:
the child elements in the codec's order, lists and their bounds, and the facets our
constrained types carry (lengths, decimal digits, xs:int ranges, code tables).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Union

import annotated_types
from pydantic import AfterValidator
from pydantic.fields import FieldInfo

CEB_NS = "http://www.chinaport.gov.cn/ceb"

Kind = Literal["record", "string", "decimal", "int", "raw"]


@dataclass(frozen=True)
class Shape:
    """One element (or attribute) as seen by the XSD or by our model."""

    name: str
    kind: Kind
    namespace: str = CEB_NS
    required: bool = True
    many: bool = False
    min_occurs: int = 1
    max_occurs: int | None = 1  # None: unbounded
    min_length: int | None = None
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    int_min: int | None = None
    int_max: int | None = None
    literals: tuple[str, ...] | None = None
    coded: bool = False  # a code-table check (AfterValidator) narrows the value further
    attributes: tuple[Shape, ...] = ()
    children: tuple[Shape, ...] = field(default=())



def _metadata_facets(items: list[Any], out: dict[str, Any]) -> None:
    for m in items:
        if isinstance(m, FieldInfo):
            _metadata_facets(list(m.metadata), out)
        elif isinstance(m, annotated_types.MinLen):
            out["min_length"] = m.min_length
        elif isinstance(m, annotated_types.MaxLen):
            out["max_length"] = m.max_length
        elif isinstance(m, annotated_types.Ge):
            out["int_min"] = m.ge
        elif isinstance(m, annotated_types.Gt):
            out["int_min"] = m.gt + 1
        elif isinstance(m, annotated_types.Le):
            out["int_max"] = m.le
        elif isinstance(m, annotated_types.Lt):
            out["int_max"] = m.lt - 1
        elif isinstance(m, annotated_types.GroupedMetadata):  # StringConstraints, Interval
            _metadata_facets(list(m), out)
        elif isinstance(m, AfterValidator):
            out["coded"] = True
        else:
            if getattr(m, "max_digits", None) is not None:
                out["total_digits"] = m.max_digits
            if getattr(m, "decimal_places", None) is not None:
                out["fraction_digits"] = m.decimal_places


def _field_facets(info: FieldInfo) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(list-level facets, item-level facets, core type) of a model field."""
    outer: dict[str, Any] = {}
    inner: dict[str, Any] = {}
    current = inner
    pending = list(info.metadata)
    annotation = info.annotation
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            pending.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        elif origin is list:
            _metadata_facets(pending, outer)
            pending = []
            annotation = typing.get_args(annotation)[0]
        else:
            break
    _metadata_facets(pending, current)
    return outer, inner, annotation


def _scalar_shape(name: str, core: Any, facets: dict[str, Any], **occurs: Any) -> Shape:
    if typing.get_origin(core) is Literal:
        literals = tuple(str(v) for v in typing.get_args(core))
        return Shape(name, "string", literals=literals, **facets, **occurs)
    if core is Decimal:
        return Shape(name, "decimal", **facets, **occurs)
    if core is int:
        return Shape(name, "int", **facets, **occurs)
    return Shape(name, "string", **facets, **occurs)


def model_shape(model: type, name: str | None = None, *, required: bool = True,
                many: bool = False, min_occurs: int = 1, max_occurs: int | None = 1) -> Shape:
    """The shape of a model as the codec writes it (``contracts.ceb.codec.plan_for``)."""
    from contracts.ceb.codec import plan_for

    plan = plan_for(model)
    fields = model.model_fields  # type: ignore[attr-defined]
    attributes = []
    for node in plan.attrs:
        _, facets, core = _field_facets(fields[node.name])
        attributes.append(_scalar_shape(node.name, core, facets,
                                        required=fields[node.name].is_required()))
    children = []
    for node in plan.elements:
        info = fields[node.name]
        outer, inner, core = _field_facets(info)
        if node.many:
            low = outer.get("min_length", 0)
            occurs = {"required": info.is_required(), "many": True, "min_occurs": low,
                      "max_occurs": outer.get("max_length")}
        else:
            req = info.is_required()
            if node.name == "Signature" and getattr(model, "signature_required", False):
                req = True  # optional field, required by parse_xml (``signature_required``)
            occurs = {"required": req, "many": False, "min_occurs": int(req), "max_occurs": 1}
        if node.kind == "record":
            children.append(model_shape(node.model, node.name, **occurs))
        elif node.kind == "raw":
            children.append(Shape(node.name, "raw", namespace=node.namespace, **occurs))
        else:
            children.append(_scalar_shape(node.name, core, inner, **occurs))
    return Shape(name or model.__name__, "record", required=required, many=many,
                 min_occurs=min_occurs, max_occurs=max_occurs,
                 attributes=tuple(attributes), children=tuple(children))
