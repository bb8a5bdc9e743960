"""The desk's rules: who is on duty, the queue of handoffs, live messages, call-backs,
labelling what the bot missed, feedback and figures."""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

import msgspec
import yaml
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.masking import mask_personal
from api.chat.models import ChatMessage
from api.db.base import aware, utcnow
from api.desk.auth import Forbidden
from api.desk.models import CallbackRequest, ChatFeedback, Handoff, SharedDossier, Volunteer
from api.dossiers.calendar import WorkCalendar
from api.dossiers.forms import normalise_phone
from api.errors import BadRequestError, ConflictError, NotFoundError, UnprocessableError
from api.settings import ROOT, Settings
from api.text.normalize import fold

VN = dt.timezone(dt.timedelta(hours=7))
ON_DUTY_SEEN_SECONDS = 90  # a desk page that stopped renewing for this long is off duty
DEFAULT_HANDLING_MINUTES = 5.0
INTENTS_FILE = ROOT / "bot" / "domain" / "intents.yml"

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class HandoffStatus(msgspec.Struct, omit_defaults=True):
    """What the citizen's chat window shows about their handoff."""

    id: int
    state: Literal["waiting", "live", "closed", "missed"]
    message: str  # Vietnamese, for the citizen
    position: int | None = None  # 1 = next
    wait_minutes: int | None = None
    volunteer: str | None = None  # who is helping (display name)


class QueueItem(msgspec.Struct):
    id: int
    sender_id: str
    reason: str
    state: str
    requested_at: dt.datetime
    waited_seconds: int
    position: int | None
    volunteer: str | None
    last_message: str | None  # masked
    last_message_id: int | None


class LiveMessage(msgspec.Struct):
    id: int
    direction: str  # "in" from the citizen, "out" to them
    text: str  # CCCD and phone numbers masked
    author: str | None  # None = the bot (or the citizen, for "in")
    at: dt.datetime


class CallbackItem(msgspec.Struct):
    id: int
    phone: str
    note: str | None
    created_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None


class ReviewItem(msgspec.Struct):
    id: int
    sender_id: str
    text: str
    review: str
    at: dt.datetime
    label_intent: str | None
    label_procedure: str | None
    labelled_by: str | None


class Stats(msgspec.Struct):
    days: int
    conversations: int
    messages: int
    fallback_rate: float  # share of the citizens' messages the bot could not understand
    handoffs: int
    handoff_rate: float  # share of conversations handed to a person
    missed_handoffs: int  # asked when nobody was on duty
    wait_seconds_p50: float | None
    wait_seconds_p90: float | None
    feedback_count: int
    helped_rate: float | None
    rating_average: float | None
    ratings: dict[str, int]  # "1".."5" → count
    top_procedures: list[dict[str, str | int]]
    callbacks_open: int


def known_intents() -> list[str]:
    """The chatbot's intents (bot/domain/intents.yml): the labels a volunteer may choose."""
    data = yaml.safe_load(Path(INTENTS_FILE).read_text(encoding="utf-8"))
    return [i if isinstance(i, str) else next(iter(i)) for i in data["intents"]]


class DeskService:
    def __init__(self, session: AsyncSession, settings: Settings, calendar: WorkCalendar) -> None:
        self.session = session
        self.settings = settings
        self.calendar = calendar

    # --- who is there --------------------------------------------------------------------

    def desk_hours_now(self, now: dt.datetime | None = None) -> bool:
        local = (now or utcnow()).astimezone(VN)
        if self.settings.desk_days == "working" and not self.calendar.is_working_day(local.date()):
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.settings.desk_periods)

    async def on_duty_count(self, now: dt.datetime | None = None) -> int:
        since = (now or utcnow()) - dt.timedelta(seconds=ON_DUTY_SEEN_SECONDS)
        return (
            await self.session.execute(
                select(func.count()).select_from(Volunteer).where(
                    Volunteer.on_duty.is_(True), Volunteer.active.is_(True), Volunteer.seen_at >= since)
            )
        ).scalar_one()

    async def desk_open(self) -> bool:
        return self.desk_hours_now() and await self.on_duty_count() > 0

    async def set_duty(self, volunteer: Volunteer, on: bool) -> None:
        volunteer.on_duty = on
        volunteer.seen_at = utcnow()

    # --- the citizen's side --------------------------------------------------------------

    async def active(self, sender_id: str) -> Handoff | None:
        return (
            await self.session.execute(
                select(Handoff).where(Handoff.sender_id == sender_id, Handoff.state.in_(("waiting", "live")))
                .order_by(Handoff.id.desc()).limit(1)
            )
        ).scalar_one_or_none()

    async def request(self, sender_id: str, reason: str) -> HandoffStatus:
        """The citizen asked for a person, or the bot gave up: queue them, or say nobody is there."""
        existing = await self.active(sender_id)
        if existing is not None:
            return await self.status(existing)
        state = "waiting" if await self.desk_open() else "missed"
        handoff = Handoff(sender_id=sender_id, reason=reason if reason in ("asked", "fallback") else "asked",
                          state=state, requested_at=utcnow())
        self.session.add(handoff)
        await self.session.flush()
        return await self.status(handoff)

    async def status(self, handoff: Handoff) -> HandoffStatus:
        if handoff.state == "live":
            return HandoffStatus(handoff.id, "live", f"Dạ, tình nguyện viên {handoff.volunteer_name} đang hỗ trợ "
                                 "anh/chị. Anh/chị cứ nhắn ở đây ạ.", volunteer=handoff.volunteer_name)
        if handoff.state == "closed":
            return HandoffStatus(handoff.id, "closed", "Dạ, tình nguyện viên đã kết thúc hỗ trợ. Trợ lý tiếp tục "
                                 "trả lời anh/chị ạ.", volunteer=handoff.volunteer_name)
        if handoff.state == "missed":
            return HandoffStatus(handoff.id, "missed", "Dạ, hiện chưa có tình nguyện viên trực (ngoài giờ làm việc "
                                 "hoặc ngày nghỉ). Anh/chị để lại số điện thoại, tình nguyện viên sẽ gọi lại "
                                 "trong giờ làm việc ạ.")
        position = (
            await self.session.execute(
                select(func.count()).select_from(Handoff).where(
                    Handoff.state == "waiting", Handoff.requested_at <= handoff.requested_at, Handoff.id <= handoff.id)
            )
        ).scalar_one()
        minutes = await self.handling_minutes()
        wait = max(1, math.ceil(position * minutes / max(1, await self.on_duty_count())))
        return HandoffStatus(handoff.id, "waiting", f"Dạ, em đã chuyển anh/chị đến tình nguyện viên. Anh/chị đang ở "
                             f"vị trí số {position}, chờ khoảng {wait} phút ạ.", position=position, wait_minutes=wait)

    async def handling_minutes(self) -> float:
        """How long a volunteer spends on a conversation, from the last twenty."""
        rows = (
            await self.session.execute(
                select(Handoff.taken_at, Handoff.closed_at).where(
                    Handoff.state == "closed", Handoff.taken_at.is_not(None)).order_by(Handoff.id.desc()).limit(20)
            )
        ).all()
        spans = [(aware(c) - aware(t)).total_seconds() / 60 for t, c in rows if t and c]
        return statistics.mean(spans) if spans else DEFAULT_HANDLING_MINUTES

    async def citizen_says(self, handoff: Handoff, text: str) -> None:
        self.session.add(ChatMessage(sender_id=handoff.sender_id, direction="in", text=mask_personal(text),
                                     mode="live"))
        await self.session.flush()

    async def citizen_leaves(self, sender_id: str) -> HandoffStatus | None:
        handoff = await self.active(sender_id)
        if handoff is None:
            return None
        handoff.state, handoff.closed_at, handoff.closed_by = "closed", utcnow(), "citizen"
        await self.session.flush()
        return await self.status(handoff)

    async def latest(self, sender_id: str) -> Handoff | None:
        return (
            await self.session.execute(
                select(Handoff).where(Handoff.sender_id == sender_id).order_by(Handoff.id.desc()).limit(1)
            )
        ).scalar_one_or_none()

    async def volunteer_messages_for(self, sender_id: str, after: int) -> list[LiveMessage]:
        rows = (
            await self.session.execute(
                select(ChatMessage).where(ChatMessage.sender_id == sender_id, ChatMessage.id > after,
                                          ChatMessage.direction == "out", ChatMessage.mode == "live")
                .order_by(ChatMessage.id)
            )
        ).scalars()
        return [LiveMessage(m.id, m.direction, m.text, m.author, aware(m.created_at)) for m in rows]

    async def leave_callback(self, sender_id: str, phone: str, note: str | None) -> CallbackItem:
        normal = normalise_phone(phone)
        if not normal:
            raise UnprocessableError("Dạ, số điện thoại di động gồm 10 số, ví dụ 0912345678.",
                                  developer_message="invalid phone",
                                  errors=[{"field": "phone", "message": "invalid"}])
        row = CallbackRequest(sender_id=sender_id, phone=normal, note=(note or "").strip() or None,
                              created_at=utcnow())
        self.session.add(row)
        await self.session.flush()
        return CallbackItem(row.id, row.phone, row.note, aware(row.created_at), None, None)

    async def share_dossier(self, sender_id: str, code: str) -> None:
        handoff = await self.active(sender_id)
        if handoff is None or handoff.state != "live":
            raise ConflictError("Dạ, anh/chị chỉ chia sẻ hồ sơ khi đang trò chuyện với tình nguyện viên.",
                                developer_message="no live handoff")
        self.session.add(SharedDossier(handoff_id=handoff.id, dossier_code=code))
        await self.session.flush()

    async def feedback(self, sender_id: str, helped: bool | None, rating: int | None, comment: str | None) -> None:
        self.session.add(ChatFeedback(sender_id=sender_id, helped=helped, rating=rating,
                                      comment=mask_personal(comment.strip()) if comment and comment.strip() else None))
        await self.session.flush()

    # --- the volunteer's side ------------------------------------------------------------

    async def queue(self, volunteer: Volunteer) -> list[QueueItem]:
        """Waiting conversations (oldest first), then the ones this volunteer holds."""
        now = utcnow()
        rows = list(
            (
                await self.session.execute(
                    select(Handoff).where(
                        (Handoff.state == "waiting")
                        | ((Handoff.state == "live") & (Handoff.volunteer_id == volunteer.id)))
                    .order_by(Handoff.state.desc(), Handoff.requested_at, Handoff.id)
                )
            ).scalars()
        )
        last = {}
        if rows:
            senders = {h.sender_id for h in rows}
            newest = (
                select(ChatMessage.sender_id, func.max(ChatMessage.id).label("id"))
                .where(ChatMessage.sender_id.in_(senders), ChatMessage.direction == "in")
                .group_by(ChatMessage.sender_id).subquery()
            )
            for sender, mid, text in (
                await self.session.execute(
                    select(newest.c.sender_id, ChatMessage.id, ChatMessage.text).join(
                        ChatMessage, ChatMessage.id == newest.c.id)
                )
            ).all():
                last[sender] = (mid, text)
        items, position = [], 0
        for h in rows:
            if h.state == "waiting":
                position += 1
            mid, text = last.get(h.sender_id, (None, None))
            items.append(QueueItem(h.id, h.sender_id, h.reason, h.state, aware(h.requested_at),
                                   int((now - aware(h.requested_at)).total_seconds()),
                                   position if h.state == "waiting" else None, h.volunteer_name, text, mid))
        return items

    async def _handoff(self, handoff_id: int) -> Handoff:
        handoff = await self.session.get(Handoff, handoff_id)
        if handoff is None:
            raise NotFoundError("Dạ, không tìm thấy cuộc trò chuyện này.", developer_message="unknown handoff")
        return handoff

    async def held(self, volunteer: Volunteer, handoff_id: int) -> Handoff:
        handoff = await self._handoff(handoff_id)
        if handoff.state != "live" or handoff.volunteer_id != volunteer.id:
            raise Forbidden("Dạ, anh/chị không giữ cuộc trò chuyện này.",
                            f"handoff {handoff_id} is {handoff.state}, held by {handoff.volunteer_id}")
        return handoff

    async def take(self, volunteer: Volunteer, handoff_id: int) -> Handoff:
        # One UPDATE decides between two volunteers pressing "Nhận" at the same moment.
        taken = await self.session.execute(
            update(Handoff).where(Handoff.id == handoff_id, Handoff.state == "waiting").values(
                state="live", taken_at=utcnow(), volunteer_id=volunteer.id, volunteer_name=volunteer.display_name)
        )
        if taken.rowcount != 1:
            await self._handoff(handoff_id)
            raise ConflictError("Dạ, cuộc trò chuyện này đã có người nhận hoặc đã kết thúc.",
                                developer_message="handoff not waiting")
        handoff = await self._handoff(handoff_id)
        await self.session.refresh(handoff)
        self.session.add(ChatMessage(sender_id=handoff.sender_id, direction="out", mode="live",
                                     author=volunteer.display_name,
                                     text=f"Dạ, em là {volunteer.display_name}, tình nguyện viên tại bộ phận một "
                                          "cửa. Em có thể giúp gì cho anh/chị ạ?"))
        await self.session.flush()
        return handoff

    async def history(self, volunteer: Volunteer, handoff_id: int, after: int = 0) -> list[LiveMessage]:
        """The conversation's messages, masked: for a waiting one (to decide) or one this volunteer holds."""
        handoff = await self._handoff(handoff_id)
        if handoff.state != "waiting":
            await self.held(volunteer, handoff_id)
        rows = (
            await self.session.execute(
                select(ChatMessage).where(ChatMessage.sender_id == handoff.sender_id, ChatMessage.id > after)
                .order_by(ChatMessage.id.desc()).limit(200)
            )
        ).scalars()
        return [LiveMessage(m.id, m.direction, mask_personal(m.text), m.author, aware(m.created_at))
                for m in reversed(list(rows))]

    async def say(self, volunteer: Volunteer, handoff_id: int, text: str) -> LiveMessage:
        handoff = await self.held(volunteer, handoff_id)
        message = ChatMessage(sender_id=handoff.sender_id, direction="out", mode="live",
                              author=volunteer.display_name, text=mask_personal(text.strip()))
        self.session.add(message)
        await self.session.flush()
        return LiveMessage(message.id, "out", message.text, message.author, aware(message.created_at))

    async def release(self, volunteer: Volunteer, handoff_id: int) -> Handoff:
        """Back to the bot."""
        handoff = await self.held(volunteer, handoff_id)
        handoff.state, handoff.closed_at, handoff.closed_by = "closed", utcnow(), "volunteer"
        self.session.add(ChatMessage(sender_id=handoff.sender_id, direction="out", mode="live",
                                     author=volunteer.display_name,
                                     text="Dạ, em xin phép kết thúc. Trợ lý sẽ tiếp tục trả lời anh/chị. "
                                          "Chúc anh/chị một ngày tốt lành!"))
        await self.session.flush()
        return handoff

    async def shared_codes(self, volunteer: Volunteer, handoff_id: int) -> list[str]:
        await self.held(volunteer, handoff_id)
        rows = await self.session.execute(
            select(SharedDossier.dossier_code).where(SharedDossier.handoff_id == handoff_id).order_by(SharedDossier.id)
        )
        return list(dict.fromkeys(rows.scalars()))

    async def callbacks(self, include_done: bool = False) -> list[CallbackItem]:
        query = select(CallbackRequest).order_by(CallbackRequest.id.desc()).limit(200)
        if not include_done:
            query = query.where(CallbackRequest.done_at.is_(None))
        return [CallbackItem(c.id, c.phone, c.note, aware(c.created_at), aware(c.done_at) if c.done_at else None, c.done_by)
                for c in (await self.session.execute(query)).scalars()]

    async def callback_done(self, volunteer: Volunteer, callback_id: int) -> None:
        row = await self.session.get(CallbackRequest, callback_id)
        if row is None:
            raise NotFoundError("Dạ, không tìm thấy yêu cầu gọi lại này.", developer_message="unknown callback")
        row.done_at, row.done_by = utcnow(), volunteer.display_name

    # --- learning from real chats --------------------------------------------------------

    async def review_items(self, labelled: bool | None = None, limit: int = 100) -> list[ReviewItem]:
        query = select(ChatMessage).where(ChatMessage.review.is_not(None)).order_by(ChatMessage.id.desc()).limit(limit)
        if labelled is True:
            query = query.where(ChatMessage.label_intent.is_not(None))
        elif labelled is False:
            query = query.where(ChatMessage.label_intent.is_(None))
        return [ReviewItem(m.id, m.sender_id, m.text, m.review or "", aware(m.created_at), m.label_intent,
                           m.label_procedure, m.labelled_by) for m in (await self.session.execute(query)).scalars()]

    async def label(self, volunteer: Volunteer, message_id: int, intent: str, procedure_code: str | None) -> None:
        if intent not in known_intents():
            raise BadRequestError("Dạ, ý định này không có trong danh sách của trợ lý.",
                                  developer_message=f"unknown intent {intent!r}",
                                  errors=[{"field": "intent", "message": "unknown"}])
        message = await self.session.get(ChatMessage, message_id)
        if message is None or message.review is None:
            raise NotFoundError("Dạ, không tìm thấy tin nhắn cần gán nhãn.", developer_message="not a review item")
        message.label_intent = intent
        message.label_procedure = procedure_code
        message.labelled_by = volunteer.username
        message.labelled_at = utcnow()

    async def export_nlu(self, procedure_names: dict[str, list[str]]) -> str:
        """Labelled messages in the nlu_data format (Rasa 3.x YAML), ready for the next training
        round. A labelled procedure is marked as the `procedure` entity where the citizen's words
        name it (one of its names or aliases, matched without diacritics)."""
        rows = (
            await self.session.execute(
                select(ChatMessage).where(ChatMessage.label_intent.is_not(None)).order_by(ChatMessage.id)
            )
        ).scalars()
        by_intent: dict[str, list[str]] = {}
        for m in rows:
            text = " ".join(m.text.split())
            if m.label_procedure:
                text = _mark_entity(text, procedure_names.get(m.label_procedure, []))
            by_intent.setdefault(m.label_intent or "", [])
            if text not in by_intent[m.label_intent or ""]:
                by_intent[m.label_intent or ""].append(text)
        lines = ['version: "3.1"', "# Exported from the desk: messages the bot missed, labelled by volunteers.",
                 "nlu:"]
        for intent in sorted(by_intent):
            lines += [f"- intent: {intent}", "  examples: |"]
            lines += [f"    - {t}" for t in by_intent[intent]]
        return "\n".join(lines) + "\n"

    # --- figures ---------------------------------------------------------------------------

    async def stats(self, days: int, procedure_names: dict[str, str]) -> Stats:
        since = utcnow() - dt.timedelta(days=days)
        incoming = (
            await self.session.execute(
                select(ChatMessage.sender_id, ChatMessage.review, ChatMessage.procedure_code).where(
                    ChatMessage.direction == "in", ChatMessage.created_at >= since, ChatMessage.mode != "live")
            )
        ).all()
        conversations = len({r.sender_id for r in incoming})
        fallbacks = sum(1 for r in incoming if r.review == "fallback")
        handoffs = list((await self.session.execute(select(Handoff).where(Handoff.requested_at >= since))).scalars())
        waits = sorted((aware(h.taken_at) - aware(h.requested_at)).total_seconds() for h in handoffs if h.taken_at)
        feedback = list(
            (await self.session.execute(select(ChatFeedback).where(ChatFeedback.created_at >= since))).scalars())
        helped = [f.helped for f in feedback if f.helped is not None]
        ratings = [f.rating for f in feedback if f.rating]
        top = Counter(r.procedure_code for r in incoming if r.procedure_code).most_common(10)
        open_callbacks = (
            await self.session.execute(
                select(func.count()).select_from(CallbackRequest).where(CallbackRequest.done_at.is_(None)))
        ).scalar_one()
        return Stats(
            days=days,
            conversations=conversations,
            messages=len(incoming),
            fallback_rate=round(fallbacks / len(incoming), 4) if incoming else 0.0,
            handoffs=len(handoffs),
            handoff_rate=round(len({h.sender_id for h in handoffs}) / conversations, 4) if conversations else 0.0,
            missed_handoffs=sum(1 for h in handoffs if h.state == "missed"),
            wait_seconds_p50=round(statistics.median(waits), 1) if waits else None,
            wait_seconds_p90=round(waits[min(len(waits) - 1, math.ceil(0.9 * len(waits)) - 1)], 1) if waits else None,
            feedback_count=len(feedback),
            helped_rate=round(sum(helped) / len(helped), 4) if helped else None,
            rating_average=round(statistics.mean(ratings), 2) if ratings else None,
            ratings={str(n): ratings.count(n) for n in range(1, 6)},
            top_procedures=[{"code": c, "name": procedure_names.get(c, c), "count": n} for c, n in top],
            callbacks_open=open_callbacks,
        )


def _mark_entity(text: str, names: list[str]) -> str:
    """Wraps the first words of ``text`` that spell one of ``names`` as ``[words](procedure)``."""
    words = text.split(" ")
    folded = [fold(w).strip(".,?!:;") for w in words]
    for name in sorted(names, key=len, reverse=True):
        target = fold(name).split()
        n = len(target)
        for i in range(len(words) - n + 1):
            if n and folded[i:i + n] == target:
                span = " ".join(words[i:i + n])
                tail = re.match(r"^(.*?)([.,?!:;]*)$", span)
                core, punct = (tail.group(1), tail.group(2)) if tail else (span, "")
                return " ".join([*words[:i], f"[{core}](procedure){punct}", *words[i + n:]])
    return text
