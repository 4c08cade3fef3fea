"""Jobs customs sends the tax service (and itself, on the simulator clock), durably.

``request`` writes a ``JobOutbox`` row in the unit of work that decided the job; once that
unit commits, the rows go onto their queues (``infra.outbox``). What a crash left unsent is
sent again by ``resend`` (the sweep): every receiver is idempotent.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlmodel import Session

from contracts import tax
from infra import outbox
from services.customs.db import resources
from services.customs.import_.models import JobOutbox

_PENDING = "customs.import_.jobs"


def request(session: Session, queue: str, func: str, *args: Any,
            due_at: datetime | None = None, key: str | None = None) -> None:
    """Send ``func(*args)`` on ``queue`` once ``session`` commits (at ``due_at`` on the
    simulator clock when given)."""
    row = JobOutbox(queue=queue, func=func, args=list(args), due_at=due_at, key=key,
                    stored_at=time.time())
    session.add(row)
    session.flush()
    assert row.id is not None
    pending: list[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        outbox.on_commit(session, lambda: _send(session.info.pop(_PENDING, [])))
    pending.append(row.id)


def _send(ids: list[int]) -> None:
    if ids:
        outbox.send_jobs(resources.engine(), resources.redis(), JobOutbox, ids, tax.MANY)


def resend() -> int:
    """Send again the jobs still unsent 10 s after they were written."""
    return outbox.resend_jobs(resources.engine(), resources.redis(), JobOutbox, many=tax.MANY)
