"""Catalog tables.

A procedure is stored as its searchable columns plus the whole validated record
(channels, documents, steps, legal basis, sources) as JSON: the record is always
read whole, and keeping it whole means an import never loses a field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, JSONType, TimestampMixin


class Procedure(TimestampMixin, Base):
    __tablename__ = "procedures"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("ix_procedures_slug", "slug"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    replaced_by: Mapped[str | None] = mapped_column(String(40))
    slug: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(500))
    agency_name: Mapped[str] = mapped_column(String(500))
    agency_level: Mapped[str] = mapped_column(String(20))
    online_level: Mapped[int] = mapped_column(SmallInteger)
    province_code: Mapped[str | None] = mapped_column(String(2))
    # Copied out of the record because the search index reads them for every procedure.
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    result: Mapped[str] = mapped_column(Text, default="")
    # Latest date any source of this record was checked.
    checked_on: Mapped[dt.date] = mapped_column(Date)
    record: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # sha256 of the canonical record: an unchanged re-import writes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))


class CatalogState(Base):
    """One row: bumped by every import that changed something, so that each API
    process knows when to rebuild its in-memory search index."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
