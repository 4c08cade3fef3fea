"""The tax service's use cases (shared by the routes and the rq jobs).

Import tax: ``assess`` makes the bill of a list customs approved (CEB816 to the enterprise
once the withholding agent's guarantee covers it, held otherwise) and answers customs;
``list_event`` follows the list (released: due from day 31; cancelled or returned:
cancelled or reduced; a return pending holds the due date); ``fall_due`` (day 31: status
2, CEB818) and ``pay`` (end of day 45: the guarantee is restored) run on the simulator
clock; ``set_guarantee`` lodges a guarantee and issues what it now covers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from contracts import tax as contract
from infra.caches import unit_cache, unit_lookup
from infra.db import delete_all_rows
from infra.errors import NotFound
from services.tax import bills, domain, outbox
from services.tax.config import Settings
from services.tax.db import TaxTable
from services.tax.models import Guarantee, TaxBill
from services.tax.rates import rates

QUEUE = "tax"
FALL_DUE, PAY = "services.tax.tasks.fall_due", "services.tax.tasks.pay"
ISSUED_STATES = frozenset({"issued", "due", "paid"})


def reset(*, session: Session) -> dict[str, int]:
    """Delete every row of the tax service's tables; returns the rows deleted per table."""
    return delete_all_rows(session, TaxTable.metadata)


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


_BILLS = "tax.bills"  # unit cache: invtNo → its bill (None: it has none), as of this unit


def _bill(session: Session, invt_no: str) -> TaxBill | None:
    return prefetch(session, [invt_no])[invt_no]  # type: ignore[no-any-return]


def prefetch(session: Session, invt_nos: Iterable[str]) -> dict[str, TaxBill | None]:
    """The bills of these lists, looked up in one query for the rest of the unit of work
    (what a batch of questions or events asks about)."""
    def load(wanted: set[str]) -> list[tuple[str | None, TaxBill]]:
        bills = session.exec(select(TaxBill).where(col(TaxBill.invt_no).in_(wanted))).all()
        return [(bill.invt_no, bill) for bill in bills]

    return unit_lookup(session, _BILLS, invt_nos, load)


# ------------------------------------------------------------------ assessment


def assess(*, session: Session, settings: Settings, now: datetime,
           request: dict[str, Any]) -> str:
    """Make the tax bill of a list (once per invtNo), issue it if guaranteed, answer customs."""
    req = contract.TaxRequest.model_validate(request)
    bill = _bill(session, req.invtNo)
    if bill is not None:  # asked again: answer again
        _answer(session, bill, now, "answered again")
        return f"already assessed: {bill.state}"
    lines = [domain.Line(gnum=t.gnum, gcode=t.gcode, qty=t.qty, unit=t.unit,
                         total_price=t.totalPrice, qty1=t.qty1, unit1=t.unit1) for t in req.lines]
    default = domain.Rate(hs8="", vat=settings.default_vat_rate)
    assessment = domain.assess(lines, freight=req.freight, insurance=req.insuredFee,
                               rates=rates(), default=default, in_limit=req.inLimit,
                               factor=settings.in_limit_tax_factor)
    bill = bills.new_bill(req, assessment, now)
    # written by the next flush; a concurrent run of the same question fails the unit of
    # work on the unique taxNo, and the retry finds its bill and answers again
    session.add(bill)
    unit_cache(session, _BILLS)[req.invtNo] = bill
    bills.add_lines(session, bill, assessment.lines, [line.qty for line in req.lines])
    issued = _issue(session, settings, bill, assessment.lines, now)
    _answer(session, bill, now, bills.issued_info(bill) if issued else
            _held_info(session, settings, bill, now))
    return bill.state


def _issue(session: Session, settings: Settings, bill: TaxBill,
           taxes: Sequence[domain.LineTax], now: datetime) -> bool:
    """Reduce the guarantee by the bill and send the CEB816; False if it does not cover it."""
    amount = _fen(bill.tax_total)
    if not _reserve(session, settings, guarantor(bill), amount, now):
        bill.state = "held"
        return False
    bill.state, bill.guarantee_held, bill.status = "issued", amount, "1"
    message = bills.ceb816(bill, taxes, now)
    for n, recipient in enumerate(bills.recipients(bill)):
        copy = message if n == 0 else bills.addressed_copy(message)  # a message guid each
        outbox.emit(session, message=copy, recipient=recipient, record_guid=bill.guid,
                    status=bill.status, at=now, conversation_id=bill.conversation_id,
                    message_id=bill.message_id)
    return True


def _held_info(session: Session, settings: Settings, bill: TaxBill, now: datetime) -> str:
    row = _guarantee(session, settings, guarantor(bill), now)
    return (f"担保额度不足 the guarantee of withholding agent {row.assure_code} does not cover "
            f"the tax: {bill.tax_total:.2f} CNY needed, {Decimal(row.balance) / 100:.2f} CNY "
            "available; raise the guarantee to release the list")


def _answer(session: Session, bill: TaxBill, now: datetime, info: str) -> None:
    answer = contract.TaxAnswer(
        answerId=str(uuid.uuid4()), invtNo=bill.invt_no or "", taxNo=bill.tax_no,
        state="issued" if bill.state in ISSUED_STATES else "held",
        customsTax=bill.customs_tax, valueAddedTax=bill.value_added_tax,
        consumptionTax=bill.consumption_tax, taxTotal=bill.tax_total, info=info[:1000],
        answeredAt=now)
    outbox.request(session, contract.ANSWER_QUEUE, contract.ANSWER, answer.model_dump(mode="json"))


# ------------------------------------------------------------------ guarantees


def _guarantee(session: Session, settings: Settings, code: str, now: datetime) -> Guarantee:
    """The agent's guarantee as it stands (lodged with the default amount on first use)."""
    row = session.get(Guarantee, code, populate_existing=True)
    if row is not None:
        return row
    amount = _fen(settings.default_guarantee)
    try:
        with session.begin_nested():
            row = Guarantee(assure_code=code, amount=amount, balance=amount, updated_at=now)
            session.add(row)
    except IntegrityError:  # lodged concurrently
        row = session.get(Guarantee, code)
    assert row is not None
    return row


_LOCKED = "tax.guarantees.locked"  # unit cache: the guarantees this unit of work locked


def lock_guarantees(session: Session, codes: Iterable[str | None]) -> None:
    """On PostgreSQL, lock the guarantees of these agents (those lodged), in the order of
    their codes, once per unit of work: two batches about the same agents then wait for
    each other before either reads the clock or a guarantee, never in opposite orders.
    (On SQLite the unit of work holds the database.)"""
    locked = unit_cache(session, _LOCKED)
    wanted = sorted({code for code in codes if code} - locked.keys())
    if not wanted or session.get_bind().dialect.name != "postgresql":
        return
    session.connection().execute(select(Guarantee.assure_code).where(  # type: ignore[call-overload]
        col(Guarantee.assure_code).in_(wanted)).order_by(col(Guarantee.assure_code))
        .with_for_update())
    locked.update(dict.fromkeys(wanted, True))


def guarantor(bill: TaxBill) -> str:
    """The withholding agent whose guarantee covers ``bill``."""
    return bill.assure_code or bill.ebc_code


# the list events that give a bill's guarantee back (a release only sets its due dates)
_RESTORING = frozenset({"cancelled", "returned", "return_failed"})


def guarantors(items: Iterable[dict[str, Any]], bills: dict[str, TaxBill | None]
               ) -> list[str | None]:
    """The agents whose guarantees a batch of customs' requests (``assess``) or list
    events (``list_event``) changes: a request's guarantor, and for an event that gives
    a guarantee back, its bill's."""
    codes: list[str | None] = []
    for item in items:
        if "event" not in item:
            codes.append(item.get("assureCode") or item.get("ebcCode"))
        elif item["event"] in _RESTORING:
            bill = bills.get(str(item.get("invtNo")))
            codes.append(guarantor(bill) if bill is not None else None)
    return codes


# Built once, run as plain SQL for every bill issued (no ORM bookkeeping; ``_guarantee``
# reads the row afresh)
_RESERVE = update(Guarantee).where(
    col(Guarantee.assure_code) == bindparam("code"),
    col(Guarantee.balance) >= bindparam("fen")).values(
    balance=col(Guarantee.balance) - bindparam("fen"), updated_at=bindparam("at"))


def _reserve(session: Session, settings: Settings, code: str, amount: int,
             now: datetime) -> bool:
    """Take ``amount`` fen off the agent's guarantee, if its balance covers it."""
    params = {"code": code, "fen": amount, "at": now}
    if session.connection().execute(_RESERVE, params).rowcount == 1:
        return True
    if session.get(Guarantee, code) is not None:  # there, but too small
        return False
    _guarantee(session, settings, code, now)  # first used: lodged with the default
    return bool(session.connection().execute(_RESERVE, params).rowcount == 1)


def _restore(session: Session, bill: TaxBill, amount: int, now: datetime) -> None:
    if amount <= 0:
        return
    session.exec(update(Guarantee).where(  # type: ignore[call-overload]
        col(Guarantee.assure_code) == guarantor(bill))
        .values(balance=col(Guarantee.balance) + amount, updated_at=now))
    bill.guarantee_held -= amount


def set_guarantee(*, session: Session, settings: Settings, now: datetime, assure_code: str,
                  amount: Decimal) -> dict[str, Any]:
    """Lodge ``amount`` CNY as the agent's guarantee; issue the held bills it now covers."""
    row = _guarantee(session, settings, assure_code, now)
    new = _fen(amount)
    session.exec(update(Guarantee).where(  # type: ignore[call-overload]
        col(Guarantee.assure_code) == assure_code)
        .values(amount=new, balance=col(Guarantee.balance) + (new - row.amount), updated_at=now))
    session.refresh(row)
    held = session.exec(select(TaxBill).where(
        TaxBill.state == "held", col(TaxBill.assure_code) == assure_code)
        .order_by(col(TaxBill.id))).all()
    for bill in held:
        if _issue(session, settings, bill, bills.taxes(session, bill), now):
            _answer(session, bill, now, bills.issued_info(bill))
    return guarantee(session=session, settings=settings, now=now, assure_code=assure_code)


def guarantee(*, session: Session, settings: Settings, now: datetime,
              assure_code: str) -> dict[str, Any]:
    """A withholding agent's guarantee: lodged, available, and the bills held for it."""
    row = _guarantee(session, settings, assure_code, now)
    held = session.exec(select(TaxBill.tax_no).where(
        TaxBill.state == "held", col(TaxBill.assure_code) == assure_code)).all()
    return {"assureCode": assure_code, "amount": f"{Decimal(row.amount) / 100:.2f}",
            "available": f"{Decimal(row.balance) / 100:.2f}", "heldBills": list(held)}


# ------------------------------------------------------------------ what happens to the list


def list_event(*, session: Session, settings: Settings, now: datetime,
               event: dict[str, Any]) -> str:
    """Follow a list: released, cancelled, return pending, returned, return failed."""
    ev = contract.ListEvent.model_validate(event)
    bill = _bill(session, ev.invtNo)
    if bill is None:
        return "no bill"
    if ev.event == "released":
        return _released(session, settings, bill, ev.at)
    if ev.event == "cancelled":
        return _cancel(session, bill, now)
    if ev.event == "return_pending":
        bill.return_pending = True
        return "return pending"
    bill.return_pending = False
    if ev.event == "returned":
        return _returned(session, bill, now, ev.returned)
    # the return failed: what fell due meanwhile falls due now
    if bill.due_from is not None and now >= bill.due_from:
        fall_due(session=session, settings=settings, now=now, bill_id=bill.id or 0)
    if bill.due_until is not None and now >= bill.due_until and settings.pay_at_window_end:
        pay(session=session, settings=settings, now=now, bill_id=bill.id or 0)
    return "return failed: tax stands"


def _released(session: Session, settings: Settings, bill: TaxBill, at: datetime) -> str:
    if bill.released_at is not None:
        return "already released"
    bill.released_at = at
    bill.due_from, bill.due_until = domain.payment_window(
        at, settings.payment_window_first_day, settings.payment_window_last_day)
    outbox.request(session, QUEUE, FALL_DUE, bill.id, due_at=bill.due_from,
                   key=f"tax-due-{bill.id}")
    if settings.pay_at_window_end:
        outbox.request(session, QUEUE, PAY, bill.id, due_at=bill.due_until,
                       key=f"tax-pay-{bill.id}")
    return f"due from {bill.due_from.isoformat()}"


def _cancel(session: Session, bill: TaxBill, now: datetime) -> str:
    if bill.state in ("cancelled", "paid"):
        return f"already {bill.state}"
    was_issued = bill.state in ISSUED_STATES
    _restore(session, bill, bill.guarantee_held, now)
    bill.state, bill.status, bill.cancelled_at = "cancelled", "3", now
    if was_issued:
        for recipient in bills.recipients(bill):
            outbox.emit(session, message=bills.ceb818(bill, now), recipient=recipient,
                        record_guid=bill.guid, status=bill.status, at=now,
                        conversation_id=bill.conversation_id, message_id=bill.message_id)
    return "cancelled"


def _returned(session: Session, bill: TaxBill, now: datetime,
              returned: dict[int, Decimal]) -> str:
    if bill.state in ("cancelled", "paid"):
        return f"already {bill.state}"
    rows = bills.rows(session, bill)
    kept = domain.after_return([bills.line_tax(r) for r in rows], {r.gnum: r.qty for r in rows},
                               returned)
    if all(t.total == 0 for t in kept):
        return _cancel(session, bill, now)
    for row, tax in zip(rows, kept, strict=True):
        bills.set_line(row, tax)
    before = _fen(bill.tax_total)
    bills.set_totals(bill, domain.Assessment(kept))
    _restore(session, bill, before - _fen(bill.tax_total), now)
    for recipient in bills.recipients(bill):
        outbox.emit(session, message=bills.ceb816(bill, kept, now), recipient=recipient,
                    record_guid=bill.guid, status=bill.status, at=now,
                    conversation_id=bill.conversation_id, message_id=bill.message_id)
    return "reduced"


def fall_due(*, session: Session, settings: Settings, now: datetime, bill_id: int) -> str:
    """Day 31 after release: an issued bill, not being returned, is summarised (status 2)."""
    bill = session.get(TaxBill, bill_id)
    if bill is None or bill.state != "issued" or bill.return_pending:
        return "nothing to do"
    bill.state, bill.status = "due", "2"
    bill.ent_duty_no = f"{bill.customs_code or '0000'}{now:%Y%m%d}{bill.id:08d}"
    for recipient in bills.recipients(bill):
        outbox.emit(session, message=bills.ceb818(bill, now),
                    recipient=recipient, record_guid=bill.guid, status=bill.status, at=now,
                    conversation_id=bill.conversation_id, message_id=bill.message_id)
    return "due"


def pay(*, session: Session, settings: Settings, now: datetime, bill_id: int) -> str:
    """End of day 45: the withholding agent paid; its guarantee is restored."""
    bill = session.get(TaxBill, bill_id)
    if bill is None or bill.state != "due":
        return "nothing to do"
    _restore(session, bill, bill.guarantee_held, now)
    bill.state, bill.paid_at = "paid", now
    return "paid"


def find_bill(*, session: Session, ref: str) -> dict[str, Any]:
    """A tax bill by its taxNo or its list's invtNo."""
    bill = session.exec(select(TaxBill).where(
        (col(TaxBill.tax_no) == ref) | (col(TaxBill.invt_no) == ref))).first()
    if bill is None:
        raise NotFound(f"no tax bill {ref!r}", code="tax_bill_not_found")
    return bills.view(session, bill)
