"""Push subscriptions, the dossiers they follow, and the outbox of notifications to send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, JSONType, TimestampMixin, utcnow


class PushSubscription(TimestampMixin, Base):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))


class PushFollow(Base):
    """One device may follow several dossiers; a dossier may be followed by several devices."""

    __tablename__ = "push_follows"
    __table_args__ = (UniqueConstraint("subscription_id", "dossier_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PushNotification(Base):
    """The outbox: written in the same transaction as the status change it announces."""

    __tablename__ = "push_notifications"
    __table_args__ = (Index("ix_push_notifications_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Kept (NULL) when the push service says the subscription is gone, so the history stays.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    status: Mapped[int] = mapped_column(SmallInteger)  # the dossier status announced
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    topic: Mapped[str] = mapped_column(String(32))  # one per dossier: a newer status replaces an older one
    urgency: Mapped[str] = mapped_column(String(10))
    # pending → sent | failed | gone (subscription ended) | cancelled (unfollowed) | replaced (a newer
    # status for the same dossier and device came first)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Also the lease: a worker that claims a notification moves this forward by the lease time,
    # so a worker killed mid-send leaves it due again once the lease runs out.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PushAttempt(Base):
    """Every request made to a push service, with what it answered."""

    __tablename__ = "push_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("push_notifications.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    http_status: Mapped[int | None] = mapped_column(SmallInteger)  # None: timeout or connection error
    outcome: Mapped[str] = mapped_column(String(10))  # sent | gone | retry | failed
    detail: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
