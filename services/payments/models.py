"""Payments' tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from infra.db import UtcDateTime
from services.payments.db import PaymentsTable

# Amounts keep the precision the CEB411/CEB403 XSDs allow (N19,5).


def _at(nullable: bool = True) -> Any:
    return Column(UtcDateTime(), nullable=nullable)


class PaymentRecord(PaymentsTable, table=True):
    """One money flow as the payment side sees it (rules.md §5).

    ``direction`` ``payment``: an import buyer paid (CEB411 PaymentHead); ``receipt``: an
    export seller collected (CEB403 Receipts). ``fx_kind`` is ``settlement`` (结汇, FX
    sold for CNY), ``purchase`` (购汇) or ``none`` for CNY flows. ``matched_*`` tie the
    money to the declaration it backs (交易真实性审核).
    """

    __tablename__ = "payment_record"
    __table_args__ = (
        UniqueConstraint("guid", name="uq_payment_record_guid"),
        UniqueConstraint("pay_code", "pay_transaction_id", name="uq_payment_record_transaction"),
    )

    id: int | None = Field(default=None, primary_key=True)
    guid: str = Field(max_length=36)  # the declared record's guid
    message_type: str = Field(max_length=6)  # CEB411 or CEB403
    direction: str = Field(max_length=8)  # payment | receipt
    order_no: str = Field(max_length=60, index=True)
    pay_code: str = Field(max_length=18)  # payment enterprise's customs code
    pay_name: str = Field(max_length=100)
    pay_transaction_id: str = Field(max_length=60)  # 支付流水号 / payNo
    ebp_code: str = Field(max_length=18, index=True)
    ebp_name: str = Field(max_length=100)
    ebc_code: str | None = Field(default=None, max_length=18, index=True)
    ebc_name: str | None = Field(default=None, max_length=100)
    payer_id_type: str | None = Field(default=None, max_length=1)  # 1 = ID card
    payer_id_number: str | None = Field(default=None, max_length=60, index=True)
    payer_name: str | None = Field(default=None, max_length=60)
    telephone: str | None = Field(default=None, max_length=60)
    # amountPaid (CEB411) or charge (CEB403)
    amount: Decimal = Field(max_digits=19, decimal_places=5)
    currency: str = Field(default="142", max_length=3)
    fx_kind: str = Field(default="none", max_length=10)
    # The USD equivalent, counted against the FX quotas
    amount_usd: Decimal | None = Field(default=None, max_digits=19, decimal_places=5)
    paid_at: datetime = Field(sa_column=_at(nullable=False))  # payTime / accountingDate
    received_at: datetime = Field(sa_column=_at(nullable=False))
    matched_invt_no: str | None = Field(default=None, max_length=18)
    matched_at: datetime | None = Field(default=None, sa_column=_at())
    note: str | None = Field(default=None, max_length=1000)
