"""Jobs customs sends the tax service (and itself, on the simulator clock), durably.

``request`` writes a ``JobOutbox`` row in the unit of work that decided the job; once that
unit commits, the rows go onto their queues (``infra.outbox``). What a crash left unsent is
sent again by ``resend`` (the sweep): every receiver is idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from contracts import tax
from infra import outbox
from services.customs.db import resources
from services.customs.import_.models import JobOutbox


def request(session: Session, queue: str, func: str, *args: Any,
            due_at: datetime | None = None, key: str | None = None) -> None:
    """Send ``func(*args)`` on ``queue`` once ``session`` commits (at ``due_at`` on the
    simulator clock when given)."""
    outbox.write_job(session, resources.redis(), JobOutbox, queue, func, *args,
                     due_at=due_at, key=key, many=tax.MANY)


def resend() -> int:
    """Send again the jobs still unsent 10 s after they were written."""
    return outbox.resend_jobs(resources.engine(), resources.redis(), JobOutbox, many=tax.MANY)
