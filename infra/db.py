"""Engines and the unit of work.

One engine per part. SQLite runs in WAL mode so the API process and the worker process
of a part can share its file; PostgreSQL gets one schema per part. A ``UnitOfWork`` is a
session that commits once at the end and runs the after-commit hooks (job enqueues) only
when the commit succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from pydantic_core import PydanticUndefined
from sqlalchemy import DateTime, MetaData, Table, delete, event, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_attribute
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from infra import ids


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_list() -> list[Any]:
    """A JSON column's empty list default. (Pydantic inspects a ``default_factory`` on
    every construction: for the builtin ``list`` that costs more than the rest of it.)"""
    return []


def new_dict() -> dict[str, Any]:
    """A JSON column's empty object default (see ``new_list``)."""
    return {}


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, schema: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``; with ``schema``, every connection works in that schema.

    JSON columns are written and read with orjson (the records, receipts and requests the
    parts keep are large, and the standard library's json was a visible share of a
    message's cost)."""
    kwargs = {"json_serializer": _json_text, "json_deserializer": orjson.loads, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True,
                           pool_size=10, max_overflow=20, **kwargs)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Create the part's tables, and the indexes a table made by an earlier version lacks
    (idempotent; safe when two processes race)."""
    try:
        _create(engine, metadata)
    except Exception:  # another process made one between the check and the create
        _create(engine, metadata)


def _create(engine: Engine, metadata: MetaData) -> None:
    """The tables ``create_all`` makes come with their indexes: only a table that was
    there before is looked at for missing ones (one query each)."""
    existing = set(inspect(engine).get_table_names())
    metadata.create_all(engine)
    for table in metadata.sorted_tables:
        if table.name in existing and table.indexes:
            have = {found["name"] for found in inspect(engine).get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in have:
                    index.create(engine)


def delete_all_rows(session: Session, metadata: MetaData,
                    keep: Iterable[str] = ()) -> dict[str, int]:
    """Delete every row of the tables in ``metadata`` but those named in ``keep``
    (children first); rows per table."""
    deleted = {}
    kept = set(keep)
    for table in reversed(metadata.sorted_tables):
        if table.name in kept:
            continue
        result = session.exec(delete(table))
        deleted[table.name] = max(int(getattr(result, "rowcount", 0) or 0), 0)
    return deleted


T = TypeVar("T")
FAILED = "failed: "
_log = logging.getLogger(__name__)
_ROWS = "infra.db.rows"
_WRITTEN = "infra.db.rows.written"
_WITH_ID = "infra.db.rows.with_id"
_LISTENING = "infra.db.listening"


class TableModel(SQLModel):
    """Base of the parts' table registries: a column set on an object goes to SQLAlchemy
    (the value and its change) and is marked set for pydantic, as SQLModel does it, without
    SQLModel's per-call checks and pydantic's second write of the value (on the hot path,
    a document's status changes cost more than their UPDATE)."""

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        columns = _COLUMNS.get(cls)
        if columns is None:
            columns = _COLUMNS[cls] = _columns_of(cls)
        if name in columns:
            set_attribute(self, name, value)
            self.__pydantic_fields_set__.add(name)
        else:
            super().__setattr__(name, value)


_COLUMNS: dict[type[Any], frozenset[str]] = {}  # table model → its instrumented fields


def _columns_of(cls: type[SQLModel]) -> frozenset[str]:
    manager = getattr(cls, "_sa_class_manager", None)
    if manager is None or cls.model_config.get("validate_assignment"):
        return frozenset()
    return frozenset(name for name in cls.model_fields if name in manager
                     and name not in cls.__sqlmodel_relationships__)


M = TypeVar("M", bound=SQLModel)
# table model → its fields in order: (name, default, default factory), and the required
_FIELDS: dict[type[Any], tuple[list[tuple[str, Any, Callable[[], Any] | None]], set[str]]] = {}


def new_object(cls: type[M], **values: Any) -> M:
    """A new instance of the table model ``cls`` with ``values`` and the defaults of the
    other fields, as ``cls(**values)`` makes it, without its per-field work (SQLModel
    sets every field through both pydantic and SQLAlchemy: on the hot path of a batch
    that costs more than the INSERT). Values are not validated, as table models' are not.
    """
    fields, required = _FIELDS.get(cls) or _fields_of(cls)
    if not required <= values.keys() or not values.keys() <= cls.model_fields.keys():
        missing = sorted(required - values.keys())
        unknown = sorted(values.keys() - cls.model_fields.keys())
        raise TypeError(f"{cls.__name__}: missing {missing}, unknown {unknown}")
    obj = cls._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    attrs = obj.__dict__  # where SQLAlchemy reads a new object's values at the INSERT
    for name, default, factory in fields:
        if name in values:
            attrs[name] = values[name]
        else:
            attrs[name] = factory() if factory is not None else default
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    return obj  # type: ignore[no-any-return]


def _fields_of(cls: type[SQLModel]) -> tuple[list[tuple[str, Any, Callable[[], Any] | None]],
                                             set[str]]:
    takes_data = [name for name, field in cls.model_fields.items()
                  if field.default_factory_takes_validated_data]
    if takes_data:
        raise TypeError(f"{cls.__name__}: the default factory of {takes_data} takes the "
                        "validated data; make this model with its constructor")
    fields = [(name, None if field.default is PydanticUndefined else field.default,
               field.default_factory) for name, field in cls.model_fields.items()]
    required = {name for name, field in cls.model_fields.items() if field.is_required()}
    _FIELDS[cls] = (fields, required)  # type: ignore[assignment]
    return _FIELDS[cls]


def id_of(session: Session, obj: Any) -> int:
    """The primary key of ``obj`` (a table model with an ``id``), flushing the session
    first when it has none yet. Objects are otherwise left to the next autoflush, which
    writes a unit of work's new and changed objects together."""
    if obj.id is None:
        session.add(obj)
        session.flush()
    return int(obj.id)


def add_row(session: Session, table: Any, values: Callable[[], dict[str, Any]], *,
            with_id: bool = False) -> None:
    """Insert a row of ``table`` (a table model or a ``Table``) when ``session`` commits.

    For rows written many times per unit of work and never read back in it (timelines,
    outboxes): no ORM object is built, and the rows of each table go in with one
    ``executemany``, in the order they were added. ``values`` is called then, after the
    session's last flush, so it may read the ids that flush gave new objects. A rollback
    drops the rows. ``with_id``: the rows ``written_rows`` gives get the ids the database
    gave them (an INSERT with RETURNING: on SQLite that goes row by row, to keep the
    rows' order, where a plain ``executemany`` is one call).
    """
    pending: dict[Table, list[Callable[[], dict[str, Any]]]] | None = session.info.get(_ROWS)
    if pending is None:
        pending = session.info[_ROWS] = {}
        on_transaction(session, _ROWS, commit=_insert_rows, rollback=_drop_rows)
    key = getattr(table, "__table__", table)
    pending.setdefault(key, []).append(values)
    if with_id:
        session.info.setdefault(_WITH_ID, set()).add(key)


def on_transaction(session: Session, name: str, *, commit: Callable[[Session], None],
                   rollback: Callable[[Session], None]) -> None:
    """Have ``commit(session)`` run before each commit of ``session`` and ``rollback
    (session)`` after each rollback, once per ``name`` (a savepoint's commit and rollback
    call them too: ``session.in_nested_transaction()`` tells)."""
    listening: set[str] = session.info.setdefault(_LISTENING, set())
    if name not in listening:
        listening.add(name)
        event.listen(session, "before_commit", commit)
        event.listen(session, "after_rollback", rollback)


def pending_count(session: Session, table: Any) -> int:
    """How many rows of ``table`` ``add_row`` holds for the next commit."""
    return len(session.info.get(_ROWS, {}).get(getattr(table, "__table__", table), ()))


def pending_rows(session: Session, table: Any) -> list[dict[str, Any]]:
    """The rows of ``table`` ``add_row`` holds for the next commit (ids not resolved)."""
    makers = session.info.get(_ROWS, {}).get(getattr(table, "__table__", table), [])
    return [make() for make in makers]


def written_rows(session: Session, table: Any) -> list[dict[str, Any]]:
    """The rows of ``table`` ``add_row`` wrote with the session's last commit, with their
    ``id`` where they were added ``with_id`` (for its after-commit hooks: what to hand
    over, without reading it back)."""
    return list(session.info.get(_WRITTEN, {}).get(getattr(table, "__table__", table), []))


def _insert_rows(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the rows wait for the real commit
        return
    pending = session.info.pop(_ROWS, None)
    with_id = session.info.pop(_WITH_ID, set())
    session.info[_WRITTEN] = written = {}
    if not pending:
        return
    session.flush()
    connection = session.connection()
    for table, makers in pending.items():
        written[table] = rows = [make() for make in makers]
        key = table.c.get("id")
        if table not in with_id or key is None or not key.primary_key:
            connection.execute(insert(table), rows)
            continue
        # one statement for all, with the ids the database gave, in the rows' order
        ids = connection.execute(insert(table).returning(key, sort_by_parameter_order=True),
                                 rows).scalars().all()
        for row, ident in zip(rows, ids, strict=True):
            row["id"] = ident


def _drop_rows(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's rollback keeps them
        session.info.pop(_WRITTEN, None)
        session.info.pop(_ROWS, None)
        session.info.pop(_WITH_ID, None)


class UnitOfWork:
    """A session plus the work to do once its transaction has committed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], object]] = []
        self._gathered: dict[str, list[Any]] = {}

    def after_commit(self, hook: Callable[[], object]) -> None:
        """Run ``hook`` after a successful commit; dropped on rollback."""
        self._after_commit.append(hook)

    def gather(self, key: str, send: Callable[[list[Any]], object]) -> list[Any]:
        """The list this unit of work gathers under ``key``; after the commit ``send``
        gets it once, whatever was added (one hand-over for a whole batch)."""
        gathered = self._gathered.get(key)
        if gathered is None:
            gathered = self._gathered[key] = []
            self.after_commit(lambda: send(gathered))
        return gathered

    def run_hooks(self) -> None:
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()


def run_batch(engine: Engine, items: Sequence[T], handle: Callable[[UnitOfWork, T], str],
              *, log: logging.Logger | None = None) -> list[str]:
    """Handle every item in one unit of work; what happened to each, in order.

    When an item fails, that work is rolled back (its after-commit hooks never run) and
    every item is handled again in a unit of work of its own: the failing ones answer
    ``failed: <Error>``, the others are kept. ``handle`` must be idempotent (a redelivered
    job runs it again).
    """
    try:
        with unit_of_work(engine) as uow:
            return [handle(uow, item) for item in items]
    except Exception:
        if len(items) == 1:
            raise
        (log or _log).warning("a batch of %d failed as a whole: one unit of work per item",
                              len(items), exc_info=True)
    outcomes = []
    for item in items:
        try:
            with unit_of_work(engine) as uow:
                outcomes.append(handle(uow, item))
        except Exception as exc:
            (log or _log).exception("an item of a batch failed")
            outcomes.append(f"{FAILED}{exc.__class__.__name__}")
    return outcomes


class BatchFailed(Exception):
    """Some items of a batch failed (the others were kept): the job fails, rq retries it."""


def raise_if_failed(outcomes: list[str]) -> list[str]:
    """``outcomes`` of ``run_batch``; raises ``BatchFailed`` with them if an item failed."""
    if any(o.startswith(FAILED) for o in outcomes):
        raise BatchFailed(outcomes)
    return outcomes


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[UnitOfWork]:
    """Commit once at the end, roll back on error, then run the after-commit hooks.

    What the unit of work reads stays true until it commits: on PostgreSQL, where the
    work locks what it reads (as customs' ``documents.lock`` does); on SQLite, by taking
    the database's write lock before its first read (``BEGIN IMMEDIATE``: SQLite's driver
    would begin the transaction at the first write, and another process's commit could
    fall between a read and the write that rests on it). Units of work of one SQLite
    database therefore run one at a time; reads outside a unit of work do not wait.
    """
    with Session(engine, expire_on_commit=False) as session:
        uow = UnitOfWork(session)
        try:
            if engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                ids.hold(session)  # its new rows get their ids from it (``infra.ids``)
            yield uow
            session.commit()
        except BaseException:
            session.rollback()
            raise
    uow.run_hooks()
