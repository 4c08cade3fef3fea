"""Tax bills: made from an assessment, shown, and written as CEB816 (电子税单) and CEB818
(电子税单状态) for the enterprise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from contracts.ceb import CebMessage
from contracts.ceb.import_receipts import (
    CEB816Message,
    CEB818Message,
    Tax816,
    Tax818,
    TaxHeadRd816,
    TaxHeadStatus818,
    TaxListRd816,
)
from contracts.tax import TaxRequest
from infra.db import add_row, new_object
from infra.guids import new_guid
from services.tax import domain
from services.tax.models import TaxBill, TaxBillLine

CST = timezone(timedelta(hours=8), "CST")
STATUS_NAMES = {"1": "已生成 generated", "2": "已汇总 summarised for payment",
                "3": "作废 cancelled"}


def return_time(at: datetime) -> str:
    """``yyyyMMddHHmmssfff`` in Beijing time."""
    local = at.astimezone(CST)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


M = TypeVar("M", bound=CebMessage)


def _guid() -> str:
    return new_guid()


def new_bill(req: TaxRequest, assessment: domain.Assessment, now: datetime) -> TaxBill:
    """The (not yet issued) bill of a list."""
    bill = new_object(
        TaxBill, guid=_guid(), invt_guid=req.invtGuid, tax_no=f"TAX{req.invtNo}",
        invt_no=req.invtNo,
        order_no=req.orderNo, logistics_no=req.logisticsNo, trade_mode=req.tradeMode,
        customs_code=req.customsCode, ebc_code=req.ebcCode, ebp_code=req.ebpCode,
        logistics_code=req.logisticsCode, agent_code=req.agentCode,
        assure_code=req.assureCode, buyer_id_number=req.buyerIdNumber,
        dutiable_value=assessment.dutiable, customs_tax=Decimal(0),
        value_added_tax=Decimal(0), consumption_tax=Decimal(0), tax_total=Decimal(0),
        in_limit=req.inLimit, status="1", state="held", created_at=now,
        recipient=req.recipient, conversation_id=req.conversationId, message_id=req.messageId)
    set_totals(bill, assessment)
    return bill


def set_totals(bill: TaxBill, assessment: domain.Assessment) -> None:
    bill.customs_tax, bill.value_added_tax = assessment.customs, assessment.vat
    bill.consumption_tax, bill.tax_total = assessment.consumption, assessment.total


def add_lines(session: Session, bill: TaxBill, taxes: Sequence[domain.LineTax],
              quantities: Sequence[Decimal]) -> None:
    """The bill's lines, written with the commit (``infra.db.add_row``: one statement for
    a batch's lines, with the id the bill got at its flush)."""
    def line(tax: domain.LineTax, qty: Decimal) -> Callable[[], dict[str, Any]]:
        return lambda: {"bill_id": bill.id, "gnum": tax.gnum, "gcode": tax.gcode, "qty": qty,
                        "tax_price": tax.tax_price, "customs_tax": tax.customs,
                        "value_added_tax": tax.vat, "consumption_tax": tax.consumption}

    for tax, qty in zip(taxes, quantities, strict=True):
        add_row(session, TaxBillLine, line(tax, qty))


def line_tax(row: TaxBillLine) -> domain.LineTax:
    return domain.LineTax(gnum=row.gnum, gcode=row.gcode, tax_price=row.tax_price,
                          customs=row.customs_tax, vat=row.value_added_tax,
                          consumption=row.consumption_tax)


def set_line(row: TaxBillLine, tax: domain.LineTax) -> None:
    row.tax_price, row.customs_tax = tax.tax_price, tax.customs
    row.value_added_tax, row.consumption_tax = tax.vat, tax.consumption


def issued_info(bill: TaxBill) -> str:
    treatment = "70% within the limits" if bill.in_limit else "full rates (over the limit)"
    return (f"电子税单 {bill.tax_no}: duty {bill.customs_tax:.2f} + VAT "
            f"{bill.value_added_tax:.2f} + consumption tax {bill.consumption_tax:.2f} = "
            f"{bill.tax_total:.2f} CNY ({treatment})")


def recipients(bill: TaxBill) -> list[str]:
    """Who receives the bill: the enterprise that declared the list, and the withholding
    agent when it is another one."""
    out = [bill.recipient] if bill.recipient else []
    if bill.assure_code and bill.assure_code not in out:
        out.append(bill.assure_code)
    return out


_LINES = select(TaxBillLine).where(TaxBillLine.bill_id == bindparam("bill")).order_by(
    col(TaxBillLine.gnum))


def rows(session: Session, bill: TaxBill) -> list[TaxBillLine]:
    """The bill's stored lines, by gnum."""
    return list(session.exec(_LINES, params={"bill": bill.id}).all())


def taxes(session: Session, bill: TaxBill) -> list[domain.LineTax]:
    """The tax of each of the bill's stored lines, by gnum."""
    return [line_tax(r) for r in rows(session, bill)]


def ceb816(bill: TaxBill, taxes: Sequence[domain.LineTax], at: datetime) -> CEB816Message:
    """The electronic tax bill as it stands, with the tax of each of its lines."""
    head = TaxHeadRd816(
        guid=bill.guid, returnTime=return_time(at), invtNo=bill.invt_no or "",
        taxNo=bill.tax_no, customsTax=domain.fen(bill.customs_tax),
        valueAddedTax=domain.fen(bill.value_added_tax),
        consumptionTax=domain.fen(bill.consumption_tax), status=bill.status,  # type: ignore[arg-type]
        entDutyNo=bill.ent_duty_no, note=issued_info(bill)[:1000],
        assureCode=bill.assure_code, ebcCode=bill.ebc_code, logisticsCode=bill.logistics_code,
        agentCode=bill.agent_code, customsCode=bill.customs_code)
    fen = domain.fen
    lines = [TaxListRd816(gnum=t.gnum, gcode=t.gcode, taxPrice=fen(t.tax_price),
                          customsTax=fen(t.customs), valueAddedTax=fen(t.vat),
                          consumptionTax=fen(t.consumption)) for t in taxes]
    return CEB816Message(guid=_guid(), Tax=[Tax816(TaxHeadRd=head, TaxListRd=lines)])


def addressed_copy(message: M) -> M:
    """The same message for one more recipient: its own message guid."""
    return message.model_copy(update={"guid": _guid()})


def ceb818(bill: TaxBill, at: datetime) -> CEB818Message:
    """The bill's new status: 2 summarised for payment, 3 cancelled."""
    head = TaxHeadStatus818(guid=bill.guid, returnTime=return_time(at),
                            invtNo=bill.invt_no or "", taxNo=bill.tax_no,
                            status=bill.status,  # type: ignore[arg-type]
                            entDutyNo=bill.ent_duty_no, assureCode=bill.assure_code)
    return CEB818Message(guid=_guid(), Tax=[Tax818(TaxHeadStatus=head)])


def view(session: Session, bill: TaxBill) -> dict[str, Any]:
    """A bill with its lines, state and payment window."""
    def iso(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    return {
        "taxNo": bill.tax_no, "invtNo": bill.invt_no, "orderNo": bill.order_no,
        "tradeMode": bill.trade_mode, "status": bill.status,
        "statusName": STATUS_NAMES.get(bill.status, bill.status), "state": bill.state,
        "inLimit": bill.in_limit, "assureCode": bill.assure_code,
        "buyerIdNumber": bill.buyer_id_number, "dutiableValue": f"{bill.dutiable_value:.2f}",
        "customsTax": f"{bill.customs_tax:.2f}", "valueAddedTax": f"{bill.value_added_tax:.2f}",
        "consumptionTax": f"{bill.consumption_tax:.2f}", "taxTotal": f"{bill.tax_total:.2f}",
        "entDutyNo": bill.ent_duty_no, "returnPending": bill.return_pending,
        "parties": sorted({c for c in (bill.recipient, bill.agent_code, bill.ebc_code,
                                       bill.assure_code, bill.ebp_code) if c}),
        "releasedAt": iso(bill.released_at), "dueFrom": iso(bill.due_from),
        "dueUntil": iso(bill.due_until), "paidAt": iso(bill.paid_at),
        "cancelledAt": iso(bill.cancelled_at),
        "lines": [{"gnum": r.gnum, "gcode": r.gcode, "qty": str(r.qty),
                   "taxPrice": f"{r.tax_price:.2f}", "customsTax": f"{r.customs_tax:.2f}",
                   "valueAddedTax": f"{r.value_added_tax:.2f}",
                   "consumptionTax": f"{r.consumption_tax:.2f}"} for r in rows(session, bill)],
    }
