"""The CEB codec: XML and the JSON mirror, in both directions.

``parse_xml`` and ``parse_json`` return a validated message or raise ``CebFormatError``
listing *every* bad field with its path (``CEB603Message/Inventory[1]/InventoryHead/orderNo``).
``to_xml`` writes the namespace ``http://www.chinaport.gov.cn/ceb`` with the ``ceb:`` prefix
and the XSD element order; ``to_json`` writes the mirror ``{"messageType": ..., ...}``.
"""

from __future__ import annotations

import types
import typing
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union

from lxml import etree
from pydantic import BaseModel, ValidationError

from contracts.ceb.base import CEB_NS, CebMessage, CebModel, RawXml, XmlAttribute
from contracts.ceb.errors import CebFormatError, FieldError

Kind = Literal["attr", "text", "record", "raw"]


@dataclass(frozen=True)
class Node:
    name: str
    kind: Kind
    many: bool
    required: bool
    namespace: str = CEB_NS
    model: type[CebModel] | None = None
    scalar: type | None = None


@dataclass
class Plan:
    attrs: list[Node] = field(default_factory=list)
    elements: list[Node] = field(default_factory=list)
    index: dict[tuple[str, str], int] = field(default_factory=dict)
    # "{namespace}local" (as lxml names elements) → (position, node): the parse hot path
    by_tag: dict[str, tuple[int, Node]] = field(default_factory=dict)


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(core type, Annotated metadata, many) of a field annotation."""
    metadata: list[Any] = []
    many = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        elif origin is list:
            many = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, metadata, many


@cache
def plan_for(model: type[CebModel]) -> Plan:
    """The XML layout of a model: attributes, then child elements in XSD order."""
    plan = Plan()
    fields = model.model_fields
    tail: tuple[str, ...] = getattr(model, "envelope_tail", ())
    names = [n for n in fields if n not in tail] + [n for n in tail if n in fields]
    for name in names:
        info = fields[name]
        core, metadata, many = _unwrap(info.annotation)
        metadata += info.metadata
        required = info.is_required()
        raw = next((m for m in metadata if isinstance(m, RawXml)), None)
        if any(isinstance(m, XmlAttribute) for m in metadata):
            plan.attrs.append(Node(name, "attr", False, required))
            continue
        if raw is not None:
            node = Node(name, "raw", many, required, namespace=raw.namespace)
        elif isinstance(core, type) and issubclass(core, CebModel):
            node = Node(name, "record", many, required, model=core)
        else:
            scalar = core if core in (int, Decimal) else str
            node = Node(name, "text", many, required, scalar=scalar)
        plan.index[(node.namespace, name)] = len(plan.elements)
        plan.by_tag[f"{{{node.namespace}}}{name}"] = (len(plan.elements), node)
        plan.elements.append(node)
    return plan


# ---------------------------------------------------------------- XML -> model

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_comments=True, remove_pis=True,
)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def parse_document(body: bytes) -> etree._Element:
    """Parse raw XML safely: no DTD, no entities, no network."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or b"<!doctype" in head:
        raise CebFormatError([FieldError("", "a DTD or entity declaration is not allowed")])
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CebFormatError([FieldError("", f"not well-formed XML: {exc}")]) from None


def _read(elem: etree._Element, model: type[CebModel], path: str,
          errors: list[FieldError]) -> dict[str, Any]:
    """The children of ``elem`` as a dict for ``model``; problems go to ``errors``.

    Element paths are built only when something is wrong (this is the intake hot path).
    """
    plan = plan_for(model)
    data: dict[str, Any] = {}
    for node in plan.attrs:
        attribute = elem.get(node.name)
        if attribute is not None:
            data[node.name] = attribute
    last = -1
    counts: dict[str, int] = {}
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        entry = plan.by_tag.get(tag)
        if entry is None:
            ns, local = _split(tag)
            n = counts[local] = counts.get(local, 0) + 1
            where = "in namespace " + (ns or "(none)")
            errors.append(FieldError(_child_path(path, local, n),
                                     f"unexpected element {local!r} {where}"))
            continue
        position, node = entry
        name = node.name
        n = counts[name] = counts.get(name, 0) + 1
        if position < last:
            errors.append(FieldError(_child_path(path, name, n),
                                     f"element {name!r} is out of order"))
        last = position
        if n > 1 and not node.many:
            errors.append(FieldError(_child_path(path, name, n),
                                     f"element {name!r} may appear only once"))
            continue
        kind = node.kind
        if kind == "text":
            if len(child):
                errors.append(FieldError(_child_path(path, name, n),
                                         f"element {name!r} must hold text only"))
                continue
            value: Any = child.text or ""
            if node.scalar is not str:
                value = value.strip()
            if value == "" and not node.required:
                continue
        elif kind == "record":
            assert node.model is not None
            indexed = f"{path}/{name}[{n}]" if node.many else f"{path}/{name}"
            value = _read(child, node.model, indexed, errors)
        else:
            value = _raw(child, inner=node.namespace == CEB_NS)
        if node.many:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value
    return data


def _child_path(path: str, local: str, n: int) -> str:
    return f"{path}/{local}" if n == 1 else f"{path}/{local}[{n}]"


def _raw(elem: etree._Element, inner: bool) -> str:
    """A raw fragment: the whole element (ds:Signature) or its content (ExtendMessage/Message)."""
    if not inner:
        return _fragment(elem)
    children = "".join(_fragment(c) + _escape(c.tail or "") for c in elem)
    return _escape(elem.text or "") + children


def _fragment(elem: etree._Element) -> str:
    """One element as text, without the namespace declarations it merely inherits (so
    parse -> write -> parse gives back the same fragment)."""
    copy = deepcopy(elem)
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode", with_tail=False)


def _loc_path(root: str, loc: tuple[Any, ...]) -> str:
    parts = [root] if root else []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item + 1}]"
        else:
            parts.append(str(item))
    return "/".join(parts)


def _validation_errors(root: str, exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "required element is missing"
        value = err.get("input") if err["type"] != "missing" else None
        shown = value if isinstance(value, str | int | Decimal) else None
        errors.append(FieldError(_loc_path(root, loc), msg, None if shown is None else str(shown)))
    return errors


def message_class(name: str) -> type[CebMessage]:
    """The model of a message type, e.g. ``CEB603Message``; ``CebFormatError`` if unknown."""
    cls = CebMessage.registry.get(name)
    if cls is None:
        raise CebFormatError([FieldError(name or "messageType",
                                         f"unknown message type {name!r}")], name or "Unknown")
    return cls


def parse_xml(body: bytes) -> CebMessage:
    """Parse and validate one CEB document."""
    root = parse_document(body)
    ns, local = _split(root.tag)
    if ns != CEB_NS:
        raise CebFormatError([FieldError(local, f"root element must be in namespace {CEB_NS}, "
                                                f"not {ns or '(none)'}")], "Unknown")
    cls = message_class(local)
    errors: list[FieldError] = []
    data = _read(root, cls, local, errors)
    if getattr(cls, "signature_required", False) and "Signature" not in data:
        errors.append(FieldError(f"{local}/Signature", "required element is missing"))
    try:
        message = cls.model_validate(data)
    except ValidationError as exc:
        errors.extend(_validation_errors(local, exc))
        raise CebFormatError(_dedupe(errors), local) from None
    if errors:
        raise CebFormatError(_dedupe(errors), local)
    return message


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: dict[tuple[str, str], FieldError] = {}
    for e in errors:
        seen.setdefault((e.path, e.message), e)
    return list(seen.values())


def parse_json(data: Any) -> CebMessage:
    """Validate the JSON mirror of one CEB document (``{"messageType": ..., ...}``)."""
    if not isinstance(data, dict):
        raise CebFormatError([FieldError("", "the JSON body must be an object")])
    data = dict(data)
    name = data.pop("messageType", None)
    if not isinstance(name, str):
        raise CebFormatError([FieldError("messageType", "required string is missing")])
    cls = message_class(name)
    errors: list[FieldError] = []
    if getattr(cls, "signature_required", False) and data.get("Signature") is None:
        errors.append(FieldError(f"{name}/Signature", "required element is missing"))
    try:
        message = cls.model_validate(data)
    except ValidationError as exc:
        errors.extend(_validation_errors(name, exc))
        raise CebFormatError(_dedupe(errors), name) from None
    if errors:
        raise CebFormatError(errors, name)
    return message


# ---------------------------------------------------------------- model -> XML

def _escape(text: str, attr: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attr else text


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write(model: BaseModel, out: list[str], tag: str, root_ns: bool = False) -> None:
    plan = plan_for(type(model))  # type: ignore[arg-type]
    attrs = "".join(f' {n.name}="{_escape(_text(getattr(model, n.name)), True)}"'
                    for n in plan.attrs if getattr(model, n.name) is not None)
    if root_ns:
        attrs += f' xmlns:ceb="{CEB_NS}"'
    out.append(f"<ceb:{tag}{attrs}>")
    for node in plan.elements:
        value = getattr(model, node.name)
        if value is None:
            continue
        for item in value if node.many else (value,):
            if node.kind == "record":
                _write(item, out, node.name)
            elif node.kind == "raw":
                out.append(item if node.namespace != CEB_NS else
                           f"<ceb:{node.name}>{item}</ceb:{node.name}>")
            else:
                out.append(f"<ceb:{node.name}>{_escape(_text(item))}</ceb:{node.name}>")
    out.append(f"</ceb:{tag}>")


def to_xml(message: CebMessage) -> bytes:
    """The CEB XML of a message (UTF-8, with declaration)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(message, out, message.message_type, root_ns=True)
    return "".join(out).encode()


def to_json(message: CebMessage) -> dict[str, Any]:
    """The JSON mirror of a message: ``{"messageType": "CEB603Message", ...}``."""
    body = message.model_dump(mode="json", exclude_none=True)
    return {"messageType": message.message_type, **body}
