"""What the agencies handed to the gateway: the ingest jobs waiting in its queue."""

from __future__ import annotations

from typing import Any

from infra.outbox import INGEST, INGEST_BATCH
from infra.queue import queue, unstash


def ingest_jobs(redis: Any) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """(processed message ids, receipts) of every ingest job enqueued, in order; the
    receipts of a batch job are read from its stash."""
    out = []
    for job in queue("gateway", redis).jobs:
        assert job.func_name in (INGEST, INGEST_BATCH), job.func_name
        args = job.args if job.func_name == INGEST else unstash(redis, job.args[0])
        assert args is not None, "the stash of an ingest job is there until it ran"
        out.append((list(args[0]), list(args[1])))
    return out
