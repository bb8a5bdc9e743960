"""Chat transcripts, stored masked, for review and for improving the assistant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, utcnow


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_sender_created", "sender_id", "created_at"),
        Index("ix_chat_messages_review", "review"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # "in" from the citizen, "out" to them
    text: Mapped[str] = mapped_column(Text)  # CCCD and phone numbers masked
    # "assistant" when Rasa answered, "limited" when the API answered from the catalog alone.
    mode: Mapped[str] = mapped_column(String(10))  # also "live": a handoff to a volunteer
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What the bot could not handle, for volunteers to label: "fallback" or "asked" (a person).
    review: Mapped[str | None] = mapped_column(String(10))
    # The procedure the answer was about (from the answer's buttons): most asked procedures.
    procedure_code: Mapped[str | None] = mapped_column(String(40))
    # Who wrote an "out" message in a live handoff (a volunteer's display name); None = the bot.
    author: Mapped[str | None] = mapped_column(String(100))
    label_intent: Mapped[str | None] = mapped_column(String(64))
    label_procedure: Mapped[str | None] = mapped_column(String(40))
    labelled_by: Mapped[str | None] = mapped_column(String(64))
    labelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
