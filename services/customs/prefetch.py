"""What a batch of messages will look up, looked up for the batch: documents by their
business key and the lists waiting for documents, one query each, into the unit of work's
caches that ``documents.find_live`` and ``Waiting.lists`` read.

On PostgreSQL only once the batch holds the locks of every key it looks up
(``documents.lock_ahead``): a document is never looked up before its key's lock is taken.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from infra.caches import any_of, unit_cache, unit_lookup
from services.customs.documents import LIVE, ahead
from services.customs.domain import STORED
from services.customs.models import Document, live


@dataclass(frozen=True)
class Waiting:
    """The live lists of ``kind`` at 120 whose ``party`` and ``no`` columns (Document
    attribute names) name a document: the lists that document completes."""

    kind: str
    party: str
    no: str

    def query(self) -> SelectOfScalar[Document]:
        return select(Document).where(
            Document.kind == self.kind, Document.status == STORED, live(),
            getattr(Document, self.party) == bindparam("party"),
            getattr(Document, self.no) == bindparam("no")).order_by(col(Document.id))

    def lists(self, session: Session, party: str | None, no: str | None) -> list[Document]:
        """The lists waiting for ``party`` + ``no``, by id. Answered from the unit's
        documents when ``waiting_lists`` looked them up with the batch (every such list
        is then one of them, or was made by the unit of work); otherwise one query."""
        if (self, party, no) not in unit_cache(session, _ASKED):
            return list(session.exec(_QUERIES[self], params={"party": party, "no": no}))
        found = [d for d in unit_cache(session, LIVE).values() if d is not None
                 and d.kind == self.kind and d.status == STORED and not d.deleted
                 and getattr(d, self.party) == party and getattr(d, self.no) == no]
        return sorted(found, key=lambda d: (d.id is None, d.id or 0))


_QUERIES: dict[Waiting, SelectOfScalar[Document]] = {}  # built once each (``waiting``)
_ASKED = "customs.waiting"  # unit cache: (Waiting, party, no) looked up by the batch


def waiting(kind: str, party: str, no: str) -> Waiting:
    """The ``Waiting`` lists of ``kind`` by these columns (its query built once)."""
    found = Waiting(kind, party, no)
    _QUERIES.setdefault(found, found.query())
    return found


def waiting_lists(session: Session, asks: dict[Waiting, set[tuple[str, str]]]) -> None:
    """Look the lists of every ``Waiting`` and (party, no) in ``asks`` up in one query, for
    the ``Waiting.lists`` of a batch; they join the unit's documents (``find_live``).

    On PostgreSQL only under the batch's locks (``documents.ahead``)."""
    asked = unit_cache(session, _ASKED)
    todo = {w: [k for k in keys if (w, *k) not in asked] for w, keys in asks.items()}
    waits = tuple(sorted((w for w, keys in todo.items() if keys), key=astuple))
    if not waits or not ahead(session):
        return
    cache = unit_cache(session, LIVE)
    for doc in session.exec(select(Document).where(Document.status == STORED, live(), or_(*(
            any_of(session, (col(Document.kind), getattr(Document, w.party),
                             getattr(Document, w.no)),
                   [(w.kind, party, no) for party, no in todo[w]]) for w in waits)))):
        key = (doc.kind, doc.party_code, doc.no)
        if cache.get(key) is None:
            cache[key] = doc
    for w in waits:
        asked.update(dict.fromkeys(((w, party, no) for party, no in todo[w]), True))


def documents(session: Session, keys: set[tuple[str, str, str]]) -> None:
    """Look the live documents of ``keys`` (kind, party, no) up in one query, for the
    ``find_live`` calls of a batch; a key without one is remembered as none."""
    if keys and ahead(session):
        unit_lookup(session, LIVE, keys, lambda missing: (
            ((d.kind, d.party_code, d.no), d) for d in session.exec(select(Document).where(
                any_of(session, _KEY, missing), live()))))


_KEY = (col(Document.kind), col(Document.party_code), col(Document.no))
