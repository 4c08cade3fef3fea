"""CEB messages: models, codec, errors."""

from contracts.ceb import ceb900 as ceb900  # noqa: F401  (registers CEB900)
from contracts.ceb import export as export  # noqa: F401  (registers the message types)
from contracts.ceb import export_receipts as export_receipts  # noqa: F401
from contracts.ceb import export_returns as export_returns  # noqa: F401
from contracts.ceb import export_summary as export_summary  # noqa: F401
from contracts.ceb import export_transport as export_transport  # noqa: F401
from contracts.ceb import import_inventory as import_inventory  # noqa: F401
from contracts.ceb import import_orders as import_orders  # noqa: F401
from contracts.ceb import import_receipts as import_receipts  # noqa: F401
from contracts.ceb.base import CebMessage, CebModel
from contracts.ceb.codec import message_class, parse_json, parse_xml, to_json, to_xml
from contracts.ceb.errors import CebFormatError, FieldError

__all__ = [
    "CebFormatError",
    "CebMessage",
    "CebModel",
    "FieldError",
    "message_class",
    "parse_json",
    "parse_xml",
    "to_json",
    "to_xml",
]
