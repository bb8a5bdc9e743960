"""Agencies, drafts, dossiers and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, JSONType, TimestampMixin, utcnow


class Agency(TimestampMixin, Base):
    """An agency's one-stop system that pushes status changes (HMAC-signed)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # mã đơn vị, e.g. 000.00.53.H48
    name: Mapped[str] = mapped_column(String(300))
    # Where dossiers sent by post are received, when known.
    receiving_address: Mapped[str | None] = mapped_column(String(500))
    # Which citizens it serves: its level ("xa", "tinh", "trung_uong") and area (2025 codes).
    level: Mapped[str | None] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(String(2))
    ward_code: Mapped[str | None] = mapped_column(String(5))
    # The shared HMAC secret. It must be kept whole to verify signatures; it is shown once,
    # at registration, and never logged.
    secret: Mapped[str] = mapped_column(String(128))


class Draft(TimestampMixin, Base):
    """A form being filled. Everything typed is kept, valid or not."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    form_slug: Mapped[str] = mapped_column(String(120))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    errors: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    resume_token_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    dossier_code: Mapped[str | None] = mapped_column(String(60))
    # For a paper dossier sent by post: the sender's address as typed and as confirmed.
    sending_address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class DailySequence(Base):
    """The per-agency daily counter in dossier codes (…-YYMMDD-0099)."""

    __tablename__ = "dossier_sequences"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Dossier(TimestampMixin, Base):
    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[int] = mapped_column(SmallInteger)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # "office", "post" or "online": how the citizen receives the result.
    delivery: Mapped[str] = mapped_column(String(10))
    fee_vnd: Mapped[int | None] = mapped_column(Integer)
    applicant_name: Mapped[str] = mapped_column(String(200))
    # Normalised phone used when submitting: with the code, it opens the dossier.
    phone: Mapped[str] = mapped_column(String(15))
    tracking_token_hash: Mapped[str] = mapped_column(String(64))
    # {"input": what the citizen typed, "formatted", "ward", "province"} — confirmed by them.
    return_address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class DossierEvent(Base):
    """Every status change, in order: when, who, and why."""

    __tablename__ = "dossier_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    status_from: Mapped[int | None] = mapped_column(SmallInteger)
    status_to: Mapped[int] = mapped_column(SmallInteger)
    actor: Mapped[str] = mapped_column(String(100))  # "citizen", "agency:<code>", "system"
    note: Mapped[str | None] = mapped_column(Text)
    # The agency system's event id, for idempotency; NULL for our own events.
    source: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attachment(Base):
    """An uploaded file. The bytes live on disk (DVC_DATA_DIR/uploads), not in the database."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(String(36), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))  # relative to the uploads directory
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
