"""One chat turn: ask the assistant (Rasa); if it is down or slow, answer from the catalog.

The PWA talks only to ``POST /api/chat``. When Rasa answers within the time limit its
messages are passed on as they are. Otherwise the API answers by itself in *limited
mode*: it searches the catalog, offers the likely procedures as buttons, and answers the
buttons' questions (documents, fee, time, online, office, post) from the record — and it
says it is in limited mode. Every turn is stored with personal numbers masked.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Annotated, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.answers import Topic, answer
from api.chat.masking import mask_personal
from api.chat.models import ChatMessage
from api.chat.rasa import AssistantUnavailable, RasaClient
from api.desk.live import Notifier
from api.desk.service import DeskService, HandoffStatus
from api.dossiers.calendar import WorkCalendar
from api.errors import NotFoundError
from api.observability import CHAT_FALLBACKS, CHAT_HANDOFFS, CHAT_TURNS
from api.procedures.service import CatalogIndex, ProcedureDetail, ProcedureService
from api.settings import Settings
from api.text.normalize import nfc

log = logging.getLogger("api.chat")

SenderId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
MessageText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]

LIMITED_NOTICE = "Dạ, trợ lý đang chạy ở chế độ hạn chế nên em chỉ tra cứu được thông tin thủ tục ạ."
# A button's payload: "/intent" or "/intent{json}".
_PAYLOAD_RE = re.compile(r"^/(\w+)(\{.*\})?\s*$", re.S)
# The procedure an answer is about, from its buttons (figures: most asked procedures).
_PROCEDURE_IN_PAYLOAD = re.compile(r'"procedure_code":"([0-9A-Za-z.]+)"')
INTENT_TOPICS: dict[str, Topic] = {
    "ask_procedure": "summary",
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_processing_time": "time",
    "ask_online_submission": "online",
    "explain_level": "online",
    "find_office": "office",
    "ask_postal_return": "postal",
}


class ChatRequest(msgspec.Struct):
    sender_id: SenderId
    message: MessageText


class Button(msgspec.Struct, omit_defaults=True):
    title: str
    payload: str
    # Set for buttons that open a page of the app instead of sending a message.
    url: str | None = None


class OutMessage(msgspec.Struct, omit_defaults=True):
    text: str = ""
    buttons: list[Button] = []
    custom: dict[str, Any] | None = None


class ChatReply(msgspec.Struct):
    messages: list[OutMessage]
    # "assistant": Rasa answered; "limited": the API answered from the catalog alone;
    # "live": a volunteer has the conversation (their answers arrive on the live stream).
    mode: str
    # Set when the conversation is (or was just) handed to a person: queue place, who helps.
    handoff: HandoffStatus | None = None


def procedure_payload(intent: str, code: str) -> str:
    return f"/{intent}" + json.dumps({"procedure_code": code}, separators=(",", ":"))


def procedure_buttons(detail: ProcedureDetail) -> list[Button]:
    """The buttons offered under an answer about one procedure."""
    buttons = []
    if detail.online_level >= 3:
        link = f"#/thu-tuc/{detail.code}/nop"
        buttons.append(Button("Nộp trực tuyến", link, url=link))
    buttons.append(Button("Giấy tờ cần chuẩn bị", procedure_payload("ask_documents", detail.code)))
    buttons.append(Button("Nhận kết quả qua bưu điện", procedure_payload("ask_postal_return", detail.code)))
    buttons.append(Button("Theo dõi hồ sơ", "/track_dossier"))
    return buttons


def _from_rasa(message: dict[str, Any]) -> OutMessage:
    buttons = []
    for b in message.get("buttons") or []:
        if isinstance(b, dict) and b.get("title") and b.get("payload"):
            url = b.get("url") or (b["payload"] if str(b["payload"]).startswith("#/") else None)
            buttons.append(Button(str(b["title"]), str(b["payload"]), url=url))
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else None
    return OutMessage(text=str(message.get("text") or ""), buttons=buttons, custom=custom)


class ChatService:
    def __init__(
        self, rasa: RasaClient, catalog: CatalogIndex, sessions: async_sessionmaker[AsyncSession],
        settings: Settings, calendar: WorkCalendar, notifier: Notifier,
    ) -> None:
        self.rasa = rasa
        self.catalog = catalog
        self.sessions = sessions
        self.settings = settings
        self.calendar = calendar
        self.notifier = notifier

    async def turn(self, request: ChatRequest) -> ChatReply:
        # Some Android keyboards send NFD; the NLU and the catalog speak NFC.
        text = nfc(request.message).replace("\x00", "").strip()
        async with self.sessions() as session:
            desk = DeskService(session, self.settings, self.calendar)
            live = await desk.active(request.sender_id)
            if live is not None:  # a volunteer has (or is about to take) this conversation
                await desk.citizen_says(live, text)
                status = await desk.status(live)
                await session.commit()
                self.notifier.notify()
                CHAT_TURNS.labels("live").inc()
                return ChatReply([], "live", status)
        try:
            raw = await self.rasa.send(request.sender_id, text)
            reply = ChatReply(
                [m for m in map(_from_rasa, raw) if m.text or m.buttons or m.custom], "assistant"
            )
            if not reply.messages:
                raise AssistantUnavailable("empty answer")
        except AssistantUnavailable as exc:
            log.warning("assistant unavailable, answering in limited mode: %s", exc)
            reply = await self.limited(text)
        # The bot hands over with a structured event (custom "handoff"), never by its wording.
        handoff = next((m.custom["handoff"] for m in reply.messages
                        if m.custom and isinstance(m.custom.get("handoff"), dict)), None)
        fell_back = any(m.custom and m.custom.get("fallback") for m in reply.messages)
        review = None
        if handoff is not None:
            review = "asked" if handoff.get("reason") == "asked" else "fallback"
            async with self.sessions() as session:
                reply.handoff = await DeskService(session, self.settings, self.calendar).request(
                    request.sender_id, review)
                await session.commit()
            self.notifier.notify()
        elif fell_back:
            review = "fallback"
        await self._store(request.sender_id, text, reply, review)
        CHAT_TURNS.labels(reply.mode).inc()
        if review == "fallback":
            CHAT_FALLBACKS.inc()
        if reply.handoff is not None:
            CHAT_HANDOFFS.labels(reply.handoff.state).inc()
        return reply

    async def limited(self, text: str) -> ChatReply:
        """Answer from the catalog alone."""
        notice = OutMessage(LIMITED_NOTICE)
        match = _PAYLOAD_RE.match(text)
        if match and match.group(1) == "human_handoff":  # the button still works without the bot
            return ChatReply([notice, OutMessage("Dạ, em chuyển anh/chị đến tình nguyện viên ạ.",
                                                 custom={"handoff": {"requested": True, "reason": "asked"}})],
                             "limited")
        if match:
            intent, entities = match.group(1), _json_object(match.group(2))
            code = str(entities.get("procedure_code") or "")
            if code and intent in INTENT_TOPICS:
                detail = await self._detail(code)
                if detail:
                    return ChatReply(
                        [
                            notice,
                            OutMessage(answer(detail, INTENT_TOPICS[intent]), procedure_buttons(detail)),
                        ],
                        "limited",
                    )
            text = ""  # a button we cannot follow without the assistant
        result = self.catalog.search(text, limit=3) if text else None
        if result and result.hits and result.confident:
            detail = await self._detail(result.hits[0].doc.code)
            if detail:
                return ChatReply(
                    [notice, OutMessage(answer(detail, "summary"), procedure_buttons(detail))], "limited"
                )
        if result and result.hits:
            buttons = [
                Button(h.doc.name[:80], procedure_payload("ask_procedure", h.doc.code))
                for h in result.hits[:3]
            ]
            return ChatReply(
                [notice, OutMessage("Anh/chị đang hỏi về thủ tục nào ạ? Anh/chị chọn giúp em nhé.", buttons)],
                "limited",
            )
        return ChatReply(
            [
                notice,
                OutMessage(
                    "Anh/chị cho em biết tên thủ tục hoặc việc cần làm, ví dụ: “làm giấy khai sinh”, "
                    "“đổi bằng lái xe”, “đăng ký tạm trú” ạ."
                ),
            ],
            "limited",
        )

    async def _detail(self, code: str) -> ProcedureDetail | None:
        async with self.sessions() as session:
            try:
                return await ProcedureService(session).get(code)
            except NotFoundError:
                return None

    async def _store(self, sender_id: str, text: str, reply: ChatReply, review: str | None = None) -> None:
        codes = [m.group(1) for msg in reply.messages for b in msg.buttons
                 if (m := _PROCEDURE_IN_PAYLOAD.search(b.payload))]
        rows = [ChatMessage(sender_id=sender_id, direction="in", text=mask_personal(text), mode=reply.mode,
                            review=review, procedure_code=codes[0] if codes else None)]
        for m in reply.messages:
            if m.text:
                rows.append(
                    ChatMessage(
                        sender_id=sender_id, direction="out", text=mask_personal(m.text), mode=reply.mode
                    )
                )
        try:
            async with self.sessions() as session, session.begin():
                session.add_all(rows)
        except Exception:  # the citizen still gets the answer; the review log misses a turn
            log.exception("could not store the chat transcript")


def _json_object(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
