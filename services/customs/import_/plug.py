"""How the import list plugs into the customs-wide parts that act on any list.

Inspection's answers (``services.customs.answers.apply``) move a list with the export side's
``documents.move`` (500 查验, 501-503/599 detained, 700 退运): that reads the state machine
and head node from ``services.customs.domain`` and the receipt builder from
``services.customs.receipts``. ``register`` adds the import list there, with its own state
machine and CEB622 receipt, and registers the "on cleared" callback (release once the tax
bill is issued too), the key an answer about the list locks, as tax's answer does, and
the list's holds, looked up for a batch of answers at once.
Called once, when the import package is imported.
"""

from __future__ import annotations

from typing import Any

from contracts.ceb.base import ReceiptMessage
from services.customs import answers, domain, receipts, risk
from services.customs.documents import Work
from services.customs.import_ import domain as imp
from services.customs.import_ import holds, lists
from services.customs.import_.receipts import BUILDERS, ListKeys
from services.customs.models import Document


def _list_receipt(doc: Document, head: dict[str, Any], tail: dict[str, Any]) -> ReceiptMessage:
    return BUILDERS[imp.LIST](doc, head, tail, ListKeys())


def _on_cleared(work: Work, doc: Document) -> None:
    lists.release_if_ready(work=work, doc=doc)


def register() -> None:
    """Teach the shared registries the import list (idempotent)."""
    domain.FLOW[imp.LIST] = imp.FLOW[imp.LIST]  # type: ignore[index]
    domain.HEAD_NODE[imp.LIST] = imp.HEAD_NODE[imp.LIST]  # type: ignore[index]
    receipts.BUILDERS[imp.LIST] = _list_receipt
    risk.on_cleared(f"{imp.LIST}:I", _on_cleared)
    # inspection's answer and tax's, each of which may release the list, in turn
    answers.LIST_LOCKS[imp.LIST] = lambda doc: [lists.invt_lock(doc.invt_no or "")]
    answers.PREFETCH[imp.LIST] = lambda session, docs: holds.prefetch_clearances(
        session, [doc.id for doc in docs if doc.id is not None])
