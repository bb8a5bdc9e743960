"""Chat transcripts, stored masked, for review and for improving the assistant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, BigId, utcnow


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_sender_created", "sender_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # "in" from the citizen, "out" to them
    text: Mapped[str] = mapped_column(Text)  # CCCD and phone numbers masked
    # "assistant" when Rasa answered, "limited" when the API answered from the catalog alone.
    mode: Mapped[str] = mapped_column(String(10))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
