"""The two-stage fallback in Vietnamese, and the hand-off to a volunteer."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.texts import ASK_REPHRASE, FALLBACK, FALLBACK_BUTTONS, HANDOFF

# How each intent is offered back to a citizen when the bot is unsure what they meant.
INTENT_QUESTIONS = {
    "ask_procedure": "Cần làm thủ tục gì",
    "ask_documents": "Cần chuẩn bị giấy tờ gì",
    "ask_fee": "Lệ phí bao nhiêu",
    "ask_processing_time": "Mất bao lâu",
    "ask_online_submission": "Nộp trực tuyến được không",
    "explain_level": "Các mức độ dịch vụ công",
    "track_dossier": "Theo dõi hồ sơ đã nộp",
    "ask_postal_return": "Nhận kết quả qua bưu điện",
    "subscribe_updates": "Nhận thông báo về hồ sơ",
    "find_office": "Nộp hồ sơ ở đâu",
    "ask_account": "Tài khoản dịch vụ công, VNeID",
    "human_handoff": "Gặp tình nguyện viên",
}


class ActionDefaultAskAffirmation(Action):
    """First stage: 'Có phải anh/chị muốn hỏi về …?' with the likely intents as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [r["name"] for r in ranking if r.get("name") in INTENT_QUESTIONS][:3]
        # Keep what the citizen said about the procedure: the chosen button carries it on.
        entities = {
            e["entity"]: e["value"]
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") in {"procedure", "procedure_code", "dossier_code", "level"}
        }
        suffix = json.dumps(entities, ensure_ascii=False, separators=(",", ":")) if entities else ""
        buttons = [{"title": INTENT_QUESTIONS[i], "payload": f"/{i}{suffix}"} for i in likely]
        buttons.append({"title": "Không phải", "payload": "/deny"})
        dispatcher.utter_message(text="Dạ, có phải anh/chị muốn hỏi về:", buttons=buttons)
        return []


class ActionDefaultAskRephrase(Action):
    """Second stage: the citizen said none of the guesses was right."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=ASK_REPHRASE)
        return []


class ActionDefaultFallback(Action):
    """Still unclear: offer a guidance volunteer rather than guess."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=FALLBACK, buttons=FALLBACK_BUTTONS)
        # A structured mark, so the API files the message for volunteers to label.
        dispatcher.utter_message(json_message={"fallback": {"reason": "not_understood"}})
        # Undo the misunderstood message so it does not steer what comes next.
        return [UserUtteranceReverted()]


class ActionHandoff(Action):
    """Hands the conversation to a guidance volunteer as a structured event, not as text."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=HANDOFF)
        dispatcher.utter_message(json_message={"handoff": {"requested": True, "reason": _reason(tracker)}})
        return []


def _reason(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return "asked" if intent == "human_handoff" else "fallback"
