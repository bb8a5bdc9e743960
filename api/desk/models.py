"""Volunteers, their sessions, handoffs from the bot, call-back requests and chat feedback."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, utcnow


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(10))  # "volunteer" | "admin"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # On duty while the desk page is open and the volunteer said so; seen_at is renewed by it.
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VolunteerSession(Base):
    __tablename__ = "volunteer_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's secret
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Handoff(Base):
    """A conversation handed from the bot to a person: waiting → live → closed, or missed
    (nobody on duty) when the citizen could only leave a number."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_state_requested", "state", "requested_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    reason: Mapped[str] = mapped_column(String(10))  # "asked" | "fallback"
    state: Mapped[str] = mapped_column(String(10))  # waiting | live | closed | missed
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    volunteer_name: Mapped[str | None] = mapped_column(String(100))
    closed_by: Mapped[str | None] = mapped_column(String(10))  # volunteer | citizen


class CallbackRequest(Base):
    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(20))  # normalised 10-digit mobile number
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(100))


class ChatFeedback(Base):
    __tablename__ = "chat_feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    helped: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1–5
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SharedDossier(Base):
    """A dossier the citizen showed the volunteer holding their conversation; readable by that
    volunteer only while the conversation is live."""

    __tablename__ = "shared_dossiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    dossier_code: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
