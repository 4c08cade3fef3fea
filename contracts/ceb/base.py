"""Base classes of the CEB messages: records, the envelope, and the message registry.

Field names are the XML element names, so the JSON mirror and the XML carry the same
names and an error path reads the same in both. Field order is the XSD sequence order.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.ceb.types import (
    AppStatus,
    AppType,
    CebTime14,
    DxpMode,
    Len36,
    Str10,
    Str18,
    Str30,
    Str100,
    Str1000,
    SubscribeStatus,
)

CEB_NS = "http://www.chinaport.gov.cn/ceb"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

Flow = Literal["export", "import"]
Direction = Literal["declaration", "receipt"]


class XmlAttribute:
    """Marks a field written as an XML attribute of its element (the root guid/version)."""


class RawXml:
    """Marks a field kept as a raw XML fragment (ds:Signature, ExtendMessage/Message)."""

    def __init__(self, namespace: str = CEB_NS) -> None:
        self.namespace = namespace


class CebModel(BaseModel):
    """A CEB record: an XML element whose children are the fields, in order."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=False)


class ExportHead(CebModel):
    """The common head fields of an export declaration record (ceb-messages.md §2.4)."""

    guid: Len36
    appType: AppType
    appTime: CebTime14
    appStatus: AppStatus


class ImportHead(ExportHead):
    """The common head fields of an import declaration record: the same fields (appStatus
    is C..3 in the import XSD; its values are the same 1 and 2)."""


class BaseTransferRecord(CebModel):
    copCode: Str18
    copName: Str100
    dxpMode: DxpMode
    dxpId: Str30
    note: Str1000 | None = None


class BaseSubscribeRecord(CebModel):
    status: Annotated[SubscribeStatus, Field(max_length=100)]
    dxpMode: DxpMode
    dxpAddress: Str100
    note: Str1000 | None = None


class ExtendMessageRecord(CebModel):
    name: Str30
    version: Str30
    Message: Annotated[str, RawXml()]


SignatureXml = Annotated[str, RawXml(DS_NS)]


class CebMessage(CebModel):
    """A whole CEB document: the root element ``CEBnnnMessage``."""

    message_type: ClassVar[str] = ""
    flow: ClassVar[Flow] = "export"
    direction: ClassVar[Direction] = "declaration"
    # Fields written after the business nodes, in this order (the rest keep declared order).
    envelope_tail: ClassVar[tuple[str, ...]] = ()
    registry: ClassVar[dict[str, type[CebMessage]]] = {}

    guid: Annotated[Len36, XmlAttribute()]
    version: Annotated[Str10, XmlAttribute()] = "1.0"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if name.startswith("CEB") and name.endswith("Message"):
            cls.message_type = name
            CebMessage.registry[name] = cls

    def records(self) -> list[CebModel]:
        """The business records of the message (the repeated top-level nodes)."""
        for name in type(self).model_fields:
            if name in ("guid", "version") or name in self.envelope_tail:
                continue
            value = getattr(self, name)
            return list(value) if isinstance(value, list) else [value]
        return []


class ExportDeclaration(CebMessage):
    """Export declarations: business nodes, BaseTransfer, BaseSubscribe, Signature, Extend."""

    flow = "export"
    envelope_tail = ("BaseTransfer", "BaseSubscribe", "Signature", "ExtendMessage")
    signature_required: ClassVar[bool] = False

    BaseTransfer: BaseTransferRecord
    BaseSubscribe: Annotated[list[BaseSubscribeRecord], Field(max_length=5)] = []
    Signature: SignatureXml | None = None
    ExtendMessage: ExtendMessageRecord | None = None


class ImportDeclaration(CebMessage):
    """Import declarations: the ExtendMessage comes before the Signature."""

    flow = "import"
    envelope_tail = ("BaseTransfer", "BaseSubscribe", "ExtendMessage", "Signature")
    signature_required: ClassVar[bool] = False

    BaseTransfer: BaseTransferRecord
    BaseSubscribe: Annotated[list[BaseSubscribeRecord], Field(max_length=5)] = []
    ExtendMessage: ExtendMessageRecord | None = None
    Signature: SignatureXml | None = None


class ReceiptMessage(CebMessage):
    """A message customs sends back: receipt records only, no BaseTransfer."""

    direction = "receipt"


__all__ = [
    "CEB_NS",
    "DS_NS",
    "BaseSubscribeRecord",
    "BaseTransferRecord",
    "CebMessage",
    "CebModel",
    "ExportDeclaration",
    "ExportHead",
    "ExtendMessageRecord",
    "ImportDeclaration",
    "ImportHead",
    "RawXml",
    "ReceiptMessage",
    "SignatureXml",
    "XmlAttribute",
]
