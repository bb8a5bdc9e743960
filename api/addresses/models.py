"""Commune-level postal codes, loaded from the official list by an import command."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, utcnow


class PostalCode(Base):
    __tablename__ = "postal_codes"

    ward_code: Mapped[str] = mapped_column(String(5), primary_key=True)  # the 2025 commune code
    postal_code: Mapped[str] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
