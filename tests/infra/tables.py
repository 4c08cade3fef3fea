"""Tables of the infra tests: plain tables for ``add_row``, table models for the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from infra.db import TableModel, UtcDateTime, new_list

metadata = MetaData()
parent = Table("parent", metadata, Column("id", Integer, primary_key=True),
               Column("name", String(20), unique=True))
child = Table("child", metadata, Column("id", Integer, primary_key=True),
              Column("parent_id", Integer, nullable=False), Column("note", String(20)))


class OwnTable(TableModel, registry=registry()):
    """Table models of the infra tests only."""


class Job(OwnTable, table=True):
    """A job outbox table, as ``infra.outbox`` describes it."""

    id: int | None = Field(default=None, primary_key=True)
    queue: str
    func: str
    args: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime())
    key: str | None = None
    stored_at: float
    sent_at: float | None = None


class Draft(OwnTable, table=True):
    """A table model with defaults of each kind, for ``new_object``."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    state: str = Field(default="new", index=True)
    tags: list[Any] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    note: str | None = None


class PlainTable(SQLModel, registry=registry()):
    """SQLModel's own base, to compare ``TableModel`` with."""


class PlainDraft(PlainTable, table=True):
    """``Draft`` on SQLModel's own base."""

    __tablename__ = "plain_draft"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    state: str = "new"
    tags: list[Any] = Field(default_factory=new_list, sa_column=Column(JSON, nullable=False))
    note: str | None = None
