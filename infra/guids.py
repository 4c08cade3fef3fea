"""Random identifiers on the hot path: CEB guids (upper-case UUID text) and hex tokens.

``str(uuid.uuid4()).upper()`` builds a ``UUID`` object and checks it for every receipt;
these give the same text straight from ``os.urandom`` in about half the time.
"""

from __future__ import annotations

import os


def new_guid() -> str:
    """A random (version 4) UUID as the CEB messages write a guid: 36 upper-case characters,
    ``XXXXXXXX-XXXX-4XXX-YXXX-XXXXXXXXXXXX``."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = raw.hex().upper()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_token() -> str:
    """128 random bits as 32 lower-case hex characters (a receipt or message id)."""
    return os.urandom(16).hex()
