"""The tax service's rq jobs (queue ``tax``), referenced by dotted path.

``assess`` and ``list_event`` are what customs sends (``contracts.tax``); ``fall_due`` and
``pay`` are scheduled on the simulator clock; ``resend_outbox`` is the sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.clock import SimClock
from infra.db import UnitOfWork, raise_if_failed, run_batch, unit_of_work
from services.tax import models, outbox, service  # noqa: F401  (models: registers the tables)
from services.tax.db import resources

QUEUE = "tax"


def _run(use_case: Callable[..., str], bill_id: int) -> str:
    """``use_case`` about one bill, in a unit of work of its own (its guarantee locked
    before the clock is read, as ``_run_many`` does)."""
    with unit_of_work(resources.engine()) as uow:
        bill = uow.session.get(models.TaxBill, bill_id)
        service.lock_guarantees(uow.session, [service.guarantor(bill)] if bill else [])
        return use_case(session=uow.session, settings=resources.config(),
                        now=SimClock(resources.redis()).now_of(uow.session), bill_id=bill_id)


def assess(request: dict[str, Any]) -> str:
    """Customs asks for the tax bill of a list (``contracts.tax.TaxRequest``)."""
    return assess_many([request])[0]


def _run_many(use_case: Callable[..., str], name: str, items: list[dict[str, Any]]
              ) -> list[str]:
    """``use_case`` for each item (passed as ``name``) in one unit of work, item by item
    when one fails: what they write goes out together. The guarantees the items are about
    are locked first, then the clock read: a batch that waited for another tells the time
    after it."""
    settings, clock = resources.config(), SimClock(resources.redis())
    # the lists the batch is about (one without an invtNo fails alone, in its turn)
    lists = [item["invtNo"] for item in items if isinstance(item.get("invtNo"), str)]

    def handle(uow: UnitOfWork, item: dict[str, Any]) -> str:
        bills = service.prefetch(uow.session, lists)  # the batch's bills: one query
        service.lock_guarantees(uow.session, service.guarantors(items, bills))
        return use_case(session=uow.session, settings=settings,
                        now=clock.now_of(uow.session), **{name: item})

    return raise_if_failed(run_batch(resources.engine(), items, handle))


def assess_many(requests: list[dict[str, Any]]) -> list[str]:
    """Customs' requests of one batch, as ``assess`` each: the bills and answers go out
    together."""
    return _run_many(service.assess, "request", requests)


def list_event(event: dict[str, Any]) -> str:
    """What happened to a list tax has a bill for (``contracts.tax.ListEvent``)."""
    return list_events([event])[0]


def list_events(events: list[dict[str, Any]]) -> list[str]:
    """Customs' list events of one batch, as ``list_event`` each, in order."""
    return _run_many(service.list_event, "event", events)


def fall_due(bill_id: int) -> str:
    """Day 31 after release: the bill is summarised for payment (CEB818 status 2)."""
    return _run(service.fall_due, bill_id)


def pay(bill_id: int) -> str:
    """End of day 45: the withholding agent paid; its guarantee is restored."""
    return _run(service.pay, bill_id)


def resend_outbox() -> int:
    """Send again what tax wrote for the gateway or customs and a crash left unsent."""
    return outbox.resend()


def reset() -> dict[str, int]:
    """Delete all of the tax service's data (the sandbox reset, run by a worker)."""
    with unit_of_work(resources.engine()) as uow:
        return service.reset(session=uow.session)
