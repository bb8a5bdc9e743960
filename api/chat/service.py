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
from api.errors import NotFoundError
from api.procedures.service import CatalogIndex, ProcedureDetail, ProcedureService
from api.text.normalize import nfc

log = logging.getLogger("api.chat")

SenderId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
MessageText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]

LIMITED_NOTICE = "Dạ, trợ lý đang chạy ở chế độ hạn chế nên em chỉ tra cứu được thông tin thủ tục ạ."
# A button's payload: "/intent" or "/intent{json}".
_PAYLOAD_RE = re.compile(r"^/(\w+)(\{.*\})?\s*$", re.S)
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
    # "assistant": Rasa answered; "limited": the API answered from the catalog alone.
    mode: str


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
        self, rasa: RasaClient, catalog: CatalogIndex, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        self.rasa = rasa
        self.catalog = catalog
        self.sessions = sessions

    async def turn(self, request: ChatRequest) -> ChatReply:
        # Some Android keyboards send NFD; the NLU and the catalog speak NFC.
        text = nfc(request.message).replace("\x00", "").strip()
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
        await self._store(request.sender_id, text, reply)
        return reply

    async def limited(self, text: str) -> ChatReply:
        """Answer from the catalog alone."""
        notice = OutMessage(LIMITED_NOTICE)
        match = _PAYLOAD_RE.match(text)
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

    async def _store(self, sender_id: str, text: str, reply: ChatReply) -> None:
        rows = [ChatMessage(sender_id=sender_id, direction="in", text=mask_personal(text), mode=reply.mode)]
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
