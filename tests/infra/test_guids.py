"""The random identifiers: well-formed, and not repeated."""

from __future__ import annotations

import re
import uuid

from infra.guids import new_guid, new_token


def test_a_guid_is_an_upper_case_version_4_uuid() -> None:
    guids = [new_guid() for _ in range(2000)]
    for guid in guids:
        assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}",
                            guid), guid
        parsed = uuid.UUID(guid)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed).upper() == guid
    assert len(set(guids)) == len(guids)


def test_a_token_is_32_hex_characters() -> None:
    tokens = [new_token() for _ in range(2000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens)
    assert len(set(tokens)) == len(tokens)
