"""CEB900: the format-validation receipt (报文格式校验回执), ceb-messages.md §5.3.

Sent by the E-port for any submitted message that fails the format checks: exactly one
``MessageReturn`` and no BaseTransfer. The XSD (in the import schema) allows empty
returnInfo, oriCopMsgId, oriMessageType and oriBizMessage (minLength 0): a document may
arrive without a DXP CopMsgId, or with an empty body.
"""

from __future__ import annotations

from contracts.ceb.base import CebModel, ReceiptMessage
from contracts.ceb.types import (
    CebTime17,
    Len36,
    Str0to15,
    Str0to255,
    Str0to5000,
    Str10,
)


class MessageReturn900(CebModel):
    guid: Len36
    returnStatus: Str10  # negative: format error (codes.FORMAT_ERROR_STATUS)
    returnInfo: Str0to5000
    returnTime: CebTime17
    oriCopMsgId: Str0to255
    oriMessageType: Str0to15  # e.g. CEB621Message, or "Unknown"
    oriBizMessage: str  # the original XML, as text (xs:string, no length limit)


class CEB900Message(ReceiptMessage):
    """报文格式校验回执 format-validation receipt."""

    flow = "import"

    MessageReturn: MessageReturn900
