"""Answers about procedures: which one, papers, fee, time, online, office, levels."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api import UNAVAILABLE, ApiUnavailable, NotFound, api
from bot.actions.texts import ASK_WHICH_PROCEDURE

# What each question is about; the API words the answer (GET /api/procedures/{code}/answer).
TOPIC_BY_INTENT = {
    "ask_procedure": "summary",
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_processing_time": "time",
    "ask_online_submission": "online",
    "find_office": "office",
    "ask_postal_return": "postal",
    "explain_level": "online",
}
INTENT_BY_TOPIC = {topic: intent for intent, topic in TOPIC_BY_INTENT.items() if intent != "explain_level"}


def button_payload(intent: str, code: str) -> str:
    return f"/{intent}" + json.dumps({"procedure_code": code}, separators=(",", ":"))


async def resolve_procedure(tracker: Tracker) -> tuple[str | None, list[dict[str, Any]]]:
    """The procedure this message is about: (code, []) when sure, (None, candidates) when not.

    A button's code wins; then the whole message (its context — "mất", "đổi" — matters);
    then the words the NLU tagged as the procedure; then the one already being discussed.
    """
    picked = next(tracker.get_latest_entity_values("procedure_code"), None)
    if picked:
        return str(picked), []
    text = (tracker.latest_message.get("text") or "").strip()
    named = next(tracker.get_latest_entity_values("procedure"), None)
    current = tracker.get_slot("procedure_code")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    # "phí bao nhiêu?", "nộp ở đâu?": a follow-up about the procedure already being discussed.
    if current and not named and intent not in ("ask_procedure", "inform"):
        return str(current), []
    candidates: list[dict[str, Any]] = []
    if text and not text.startswith("/"):
        found = await api.search(text)
        if found.get("confident") and found.get("items"):
            return found["items"][0]["code"], []
        candidates = found.get("items") or []
    if named:
        found = await api.search(str(named))
        if found.get("confident") and found.get("items"):
            return found["items"][0]["code"], []
        candidates = candidates or found.get("items") or []
        return None, candidates
    if current:
        return str(current), []
    return None, candidates


class ActionProcedureAnswer(Action):
    def name(self) -> str:
        return "action_procedure_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = TOPIC_BY_INTENT.get(intent or "") or tracker.get_slot("pending_topic") or "summary"
        try:
            code, candidates = await resolve_procedure(tracker)
            if code is None:
                return self._ask_which(dispatcher, topic, candidates)
            found = await api.answer(code, topic)
        except ApiUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        except NotFound:
            dispatcher.utter_message(text=ASK_WHICH_PROCEDURE)
            return [SlotSet("procedure_code", None), SlotSet("pending_topic", topic)]
        dispatcher.utter_message(text=found["text"], buttons=found.get("buttons") or [])
        return [
            SlotSet("procedure_code", found["code"]),
            SlotSet("procedure_name", found["name"]),
            SlotSet("pending_topic", None),
        ]

    @staticmethod
    def _ask_which(dispatcher: CollectingDispatcher, topic: str, candidates: list[dict[str, Any]]) -> list[EventType]:
        if candidates:
            intent = INTENT_BY_TOPIC.get(topic, "ask_procedure")
            dispatcher.utter_message(
                text="Dạ, có phải anh/chị hỏi về một trong các thủ tục này không ạ?",
                buttons=[{"title": c["name"][:80], "payload": button_payload(intent, c["code"])} for c in candidates[:3]],
            )
        else:
            dispatcher.utter_message(text=ASK_WHICH_PROCEDURE)
        return [SlotSet("pending_topic", topic)]


class ActionExplainLevel(Action):
    """What the online levels mean; for the procedure at hand when there is one."""

    def name(self) -> str:
        return "action_explain_level"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = " ".join(str(v) for v in tracker.get_latest_entity_values("level")).lower()
        try:
            levels = (await api.levels())["levels"]
        except (ApiUnavailable, NotFound, KeyError):
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        wanted = levels_asked(asked)
        chosen = [lv for lv in levels if lv["level"] in wanted]
        if chosen:
            lines = [f"Dạ, {lv['old_name'].lower()} nay gọi là “{lv['name']}”: {lv['summary']}" for lv in chosen[:2]]
            lines += [f"• Trên mạng: {chosen[0]['online']}", f"• Phải đến cơ quan: {chosen[0]['in_person']}",
                      f"• Thanh toán: {chosen[0]['payment']}", f"• Nhận kết quả: {chosen[0]['result']}"]
            dispatcher.utter_message(text="\n".join(lines))
            return []
        code = tracker.get_slot("procedure_code")
        if code:
            try:
                found = await api.answer(str(code), "online")
                dispatcher.utter_message(text=found["text"], buttons=found.get("buttons") or [])
                return []
            except (ApiUnavailable, NotFound):
                pass
        lines = ["Dạ, dịch vụ công trực tuyến có các mức:"]
        for lv in levels[1:]:
            lines.append(f"• {lv['old_name']} — {lv['name']}: {lv['summary']}")
        dispatcher.utter_message(text="\n".join(lines))
        return []


LEVEL_PHRASES = {3: ("một phần", "mot phan"), 4: ("toàn trình", "toan trinh")}
LEVEL_WORDS = {1: ("1", "một", "mot"), 2: ("2", "hai"), 3: ("3", "ba"), 4: ("4", "bốn", "bon")}


def levels_asked(asked: str) -> set[int]:
    """Which levels a "level" entity names: "mức độ 3", "mức 4", "toàn trình", "một phần"."""
    by_phrase = {n for n, phrases in LEVEL_PHRASES.items() if any(p in asked for p in phrases)}
    if by_phrase:
        return by_phrase
    words = set(asked.split())
    return {n for n, names in LEVEL_WORDS.items() if words & set(names)}
