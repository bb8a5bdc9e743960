"""Custom actions against a fake API served on a real local port (aiohttp)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import api as api_module
from bot.actions.dossiers import (
    ActionCheckAddress,
    ActionTrackDossier,
    ValidateTrackDossierForm,
    confirmation,
    normalise_phone,
)
from bot.actions.fallback import ActionDefaultAskAffirmation, ActionHandoff
from bot.actions.procedures import ActionExplainLevel, ActionProcedureAnswer, levels_asked

GPLX = {"code": "3.000348", "name": "Cấp lại giấy phép lái xe"}
DOI_GPLX = {"code": "3.000347", "name": "Đổi giấy phép lái xe"}
KHAI_SINH = {"code": "1.001193", "name": "Đăng ký khai sinh"}


class FakeApi:
    def __init__(self) -> None:
        self.down = False
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.dossier: dict[str, Any] | None = None
        self.address: dict[str, Any] = {"status": "not_found"}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else {}
        self.requests.append((request.path, {**request.query, **body}))
        if self.down:
            return web.Response(status=503)
        path = request.path
        if path == "/api/procedures":
            q = request.query["q"]
            if "mat bang lai" in q or "lam lai bang lai" in q:
                return web.json_response({"items": [GPLX, DOI_GPLX], "confident": True})
            if "bằng lái" in q or "bang lai" in q:
                return web.json_response({"items": [GPLX, DOI_GPLX], "confident": False})
            if "khai sinh" in q or "nộp" in q:
                return web.json_response({"items": [KHAI_SINH], "confident": True})
            return web.json_response({"items": [], "confident": False})
        if path.startswith("/api/procedures/") and path.endswith("/answer"):
            code = path.split("/")[3]
            known = {p["code"]: p for p in (GPLX, DOI_GPLX, KHAI_SINH)}
            if code not in known:
                return web.json_response({"status": 404}, status=404)
            topic = request.query["topic"]
            return web.json_response(
                {**known[code], "topic": topic, "text": f"Dạ, {topic} của {known[code]['name']}.",
                 "buttons": [{"title": "Giấy tờ cần chuẩn bị", "payload": "/ask_documents"}]}
            )
        if path == "/api/levels":
            return web.json_response({"levels": [
                {"level": n, "name": name, "old_name": f"Mức độ {n}", "summary": f"tóm tắt {n}", "online": "a",
                 "in_person": "b", "payment": "c", "result": "d"}
                for n, name in [(1, "Thông tin"), (2, "Thông tin"), (3, "Một phần"), (4, "Toàn trình")]
            ]})
        if path == "/api/dossiers/lookup":
            if self.dossier and body.get("phone") == "0912345678":
                return web.json_response(self.dossier)
            return web.json_response({"status": 404}, status=404)
        if path == "/api/addresses/resolve":
            return web.json_response(self.address)
        return web.Response(status=404)


@pytest.fixture
async def fake_api():
    fake = FakeApi()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    old = api_module.api.base_url
    api_module.api.base_url = f"http://127.0.0.1:{port}"
    api_module.api._session = None  # a session belongs to one event loop
    yield fake
    await api_module.api._http().close()
    api_module.api.base_url = old
    await runner.cleanup()


def tracker(text: str, intent: str, entities: list[dict] | None = None, slots: dict | None = None,
            ranking: list[dict] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
               "intent_ranking": ranking or []}
    return Tracker("citizen", slots or {}, message, [], False, None, None, "action_listen")


async def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


def slots_of(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_whole_message_resolves_the_procedure(fake_api):
    messages, events = await run(ActionProcedureAnswer(), tracker(
        "mat bang lai xe may thi lam lai the nao", "ask_procedure",
        [{"entity": "procedure", "value": "bang lai xe may"}]))
    assert messages[0]["text"] == "Dạ, summary của Cấp lại giấy phép lái xe."
    assert messages[0]["buttons"]
    assert slots_of(events) == {"procedure_code": "3.000348", "procedure_name": GPLX["name"], "pending_topic": None}


async def test_follow_up_question_uses_the_procedure_in_the_slot(fake_api):
    messages, _ = await run(ActionProcedureAnswer(), tracker("phí bao nhiêu?", "ask_fee",
                                                               slots={"procedure_code": "1.001193"}))
    assert messages[0]["text"] == "Dạ, fee của Đăng ký khai sinh."


async def test_follow_up_keeps_the_procedure_even_if_the_words_match_another(fake_api):
    messages, _ = await run(ActionProcedureAnswer(), tracker("nộp ở đâu", "find_office",
                                                               slots={"procedure_code": "3.000348"}))
    assert messages[0]["text"] == "Dạ, office của Cấp lại giấy phép lái xe."


async def test_unsure_search_offers_the_top_three_as_buttons(fake_api):
    messages, events = await run(ActionProcedureAnswer(), tracker(
        "phí bằng lái", "ask_fee", [{"entity": "procedure", "value": "bằng lái"}]))
    assert [b["title"] for b in messages[0]["buttons"]] == [GPLX["name"], DOI_GPLX["name"]]
    assert messages[0]["buttons"][0]["payload"] == '/ask_fee{"procedure_code":"3.000348"}'
    assert slots_of(events) == {"pending_topic": "fee"}


async def test_a_button_code_wins_and_the_pending_topic_is_answered(fake_api):
    messages, _ = await run(ActionProcedureAnswer(), tracker(
        '/inform{"procedure_code":"3.000347"}', "inform", [{"entity": "procedure_code", "value": "3.000347"}],
        slots={"pending_topic": "time"}))
    assert messages[0]["text"] == "Dạ, time của Đổi giấy phép lái xe."


async def test_no_procedure_at_all_asks_which_one(fake_api):
    messages, events = await run(ActionProcedureAnswer(), tracker("mất bao lâu", "ask_processing_time"))
    assert messages[0]["text"].startswith("Dạ, anh/chị đang hỏi về thủ tục nào")
    assert slots_of(events) == {"pending_topic": "time"}


async def test_api_down_gives_a_friendly_message(fake_api):
    fake_api.down = True
    messages, events = await run(ActionProcedureAnswer(), tracker("lam giay khai sinh", "ask_procedure"))
    assert "thử lại sau" in messages[0]["text"] and events == []


async def test_api_unreachable_gives_a_friendly_message():
    old = api_module.api.base_url
    api_module.api.base_url, api_module.api._session = "http://127.0.0.1:9", None
    try:
        messages, _ = await run(ActionProcedureAnswer(), tracker("lam giay khai sinh", "ask_procedure"))
    finally:
        await api_module.api._http().close()
        api_module.api.base_url = old
    assert "thử lại sau" in messages[0]["text"]


async def test_explain_level_for_a_named_level(fake_api):
    messages, _ = await run(ActionExplainLevel(), tracker("toàn trình là gì", "explain_level",
                                                            [{"entity": "level", "value": "toàn trình"}]))
    assert "Toàn trình" in messages[0]["text"]


@pytest.mark.parametrize(("asked", "levels"), [("mức độ 3", {3}), ("mức 4", {4}), ("toàn trình", {4}),
                                               ("một phần", {3}), ("muc do 2", {2})])
def test_levels_asked(asked, levels):
    assert levels_asked(asked) == levels


async def test_track_dossier_needs_code_and_phone_and_forgets_the_phone(fake_api):
    fake_api.dossier = {"status_name": "Đang xử lý", "due_date": "05/12/2026"}
    messages, events = await run(ActionTrackDossier(), tracker("0912345678", "inform", slots={
        "dossier_code": "000.00.53.H48-220921-0099", "phone": "0912345678"}))
    assert "Đang xử lý" in messages[0]["text"] and "05/12/2026" in messages[0]["text"]
    assert slots_of(events) == {"phone": None, "dossier_code": None}
    assert fake_api.requests[-1] == ("/api/dossiers/lookup", {"code": "000.00.53.H48-220921-0099",
                                                               "phone": "0912345678"})
    wrong, _ = await run(ActionTrackDossier(), tracker("0987654321", "inform", slots={
        "dossier_code": "000.00.53.H48-220921-0099", "phone": "0987654321"}))
    assert "không tìm thấy" in wrong[0]["text"]
    missing, _ = await run(ActionTrackDossier(), tracker("x", "inform", slots={"dossier_code": "H47.03-261005-0089"}))
    assert "cả mã hồ sơ và số điện thoại" in missing[0]["text"]


def test_dossier_code_and_phone_validation():
    form, dispatcher = ValidateTrackDossierForm(), CollectingDispatcher()
    t = tracker("", "inform")
    assert form.validate_dossier_code("000.00.53.h48-220921-0099", dispatcher, t, {}) == {
        "dossier_code": "000.00.53.H48-220921-0099"}
    assert form.validate_dossier_code("H47.03-261005-0089", dispatcher, t, {})["dossier_code"]
    assert form.validate_dossier_code("12345", dispatcher, t, {}) == {"dossier_code": None}
    assert normalise_phone("0912 345 678") == "0912345678"
    assert normalise_phone("+84912345678") == "+84912345678"
    assert normalise_phone("0123") is None and normalise_phone("0212345678") is None


async def test_check_address_confirms_the_new_units_and_the_old_ones(fake_api):
    fake_api.address = {
        "status": "resolved", "street": "12/5 ngõ 34 Hào Nam", "formatted": "x",
        "ward": {"code": "00001", "name": "Phường Ô Chợ Dừa"}, "province": {"code": "01", "name": "Thành phố Hà Nội"},
        "legacy": {"district": {"name": "Quận Đống Đa"}},
    }
    messages, events = await run(ActionCheckAddress(), tracker("...", "inform", slots={"address": "12/5 ngo 34"}))
    assert "Phường Ô Chợ Dừa, Thành phố Hà Nội (trước đây: Quận Đống Đa)" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    fake_api.address = {"status": "ambiguous", "street": "", "candidates": [
        {"ward": {"name": "Phường A"}, "province": {"name": "Tỉnh B"}},
        {"ward": {"name": "Phường C"}, "province": {"name": "Tỉnh B"}}]}
    messages, events = await run(ActionCheckAddress(), tracker("...", "inform", slots={"address": "p1 q3"}))
    assert len(messages[0]["buttons"]) == 2 and slots_of(events) == {"address": None}


def test_confirmation_without_legacy():
    assert confirmation({"street": "1 Lê Lợi", "ward": {"name": "Phường Bến Thành"},
                         "province": {"name": "Thành phố Hồ Chí Minh"}}) == (
        "1 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh")


async def test_ask_affirmation_offers_likely_intents_in_vietnamese():
    ranking = [{"name": "nlu_fallback"}, {"name": "ask_fee"}, {"name": "ask_documents"}, {"name": "greet"}]
    messages, _ = await run(ActionDefaultAskAffirmation(), tracker(
        "giay to phi", "nlu_fallback", [{"entity": "procedure", "value": "khai sinh"}], ranking=ranking))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert messages[0]["text"].startswith("Dạ, có phải")
    assert titles == ["Lệ phí bao nhiêu", "Cần chuẩn bị giấy tờ gì", "Không phải"]
    assert messages[0]["buttons"][0]["payload"] == '/ask_fee{"procedure":"khai sinh"}'


async def test_handoff_is_a_structured_event():
    messages, _ = await run(ActionHandoff(), tracker("cho gặp nhân viên", "human_handoff"))
    assert "tình nguyện viên" in messages[0]["text"]
    assert messages[1]["custom"] == {"handoff": {"requested": True, "reason": "asked"}}

