"""The round trips a part makes to Redis, to check how it talks to it (not how fast)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis import Redis
from rq.utils import get_version


@contextmanager
def round_trips(redis: Redis) -> Iterator[list[str]]:
    """One entry per request sent on ``redis``'s connections meanwhile."""
    get_version(redis)  # rq asks the server's version once per connection: not counted
    sent: list[str] = []
    connection_class = redis.connection_pool.connection_class
    original = connection_class.send_packed_command

    def counted(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append("sent")
        return original(self, command, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection_class, "send_packed_command", counted)
        yield sent
