"""The one-stop desk through the API: volunteer sessions and CSRF, live handoff, call-backs,
sharing a dossier, labelling what the bot missed, feedback and figures — and who may see what."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid

import pytest
from litestar.testing import AsyncTestClient

from api.chat.models import ChatMessage
from api.db.engine import create_engine, session_factory
from api.desk.auth import COOKIE, hash_password
from api.desk.models import Volunteer
from api.desk.service import _mark_entity
from tests.integration.test_dossiers_api import agency as agency  # noqa: F401 - a fixture used below
from tests.integration.test_dossiers_api import submitted

KHAI_SINH = "1.001193"
PASSWORD = "mat-khau-du-dai-123"


@pytest.fixture(scope="module")
async def desk(db_settings):
    """The API with the desk open all day, every day (tests run at any hour)."""
    from api.app import create_app

    settings = dataclasses.replace(db_settings, desk_hours="00:00-24:00", desk_days="all")
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


class Person:
    """A volunteer's browser: its own cookie and CSRF token on a shared test client."""

    def __init__(self, client: AsyncTestClient, cookie: str, csrf: str, me: dict) -> None:
        self.client, self.cookie, self.csrf, self.me = client, cookie, csrf, me

    def headers(self, csrf: bool = True) -> dict[str, str]:
        h = {"Cookie": f"{COOKIE}={self.cookie}"}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        return h

    async def get(self, url: str, **kw):
        return await self.client.get(url, headers=self.headers(False), **kw)

    async def post(self, url: str, body=None, csrf: bool = True):
        return await self.client.post(url, json=body if body is not None else {}, headers=self.headers(csrf))


async def make_volunteer(settings, role: str = "volunteer", name: str = "Chị Lan") -> str:
    username = f"tnv{uuid.uuid4().hex[:8]}"
    engine = create_engine(settings)
    async with session_factory(engine)() as session, session.begin():
        session.add(Volunteer(username=username, display_name=name, role=role, active=True, on_duty=False,
                              password_hash=hash_password(PASSWORD)))
    await engine.dispose()
    return username


async def login(client: AsyncTestClient, username: str) -> Person:
    response = await client.post("/api/desk/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    set_cookie = response.headers["set-cookie"]
    assert "httponly" in set_cookie.lower() and "samesite=strict" in set_cookie.lower()
    client.cookies.clear()  # each Person sends its own cookie
    cookie = set_cookie.split(";")[0].split("=", 1)[1]
    return Person(client, cookie, response.json()["csrf_token"], response.json())


async def on_duty(person: Person) -> None:
    assert (await person.post("/api/desk/duty", {"on": True})).status_code == 200
    # The desk page's live stream keeps a volunteer "seen"; here the duty call did it.


async def citizen_asks_for_a_person(client: AsyncTestClient) -> tuple[str, dict]:
    sender = f"web-{uuid.uuid4().hex[:12]}"
    reply = (await client.post("/api/chat", json={"sender_id": sender, "message": "/human_handoff"})).json()
    return sender, reply


async def test_login_sets_an_httponly_cookie_and_every_change_needs_the_csrf_token(desk, db_settings):
    person = await login(desk, await make_volunteer(db_settings))
    assert person.me["display_name"] == "Chị Lan" and person.me["role"] == "volunteer"
    assert (await person.get("/api/desk/me")).json()["csrf_token"] == person.csrf
    refused = await person.post("/api/desk/duty", {"on": True}, csrf=False)
    assert refused.status_code == 403 and "phiên làm việc" in refused.json()["detail"]
    wrong = await desk.post("/api/desk/duty", json={"on": True},
                            headers={"Cookie": f"{COOKIE}={person.cookie}", "X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert (await person.post("/api/desk/duty", {"on": True})).json()["on_duty"] is True
    assert (await person.post("/api/desk/logout")).status_code == 204
    assert (await person.get("/api/desk/me")).status_code == 401  # the session is gone on the server


async def test_wrong_passwords_are_refused_in_vietnamese_and_rate_limited(desk, db_settings):
    username = await make_volunteer(db_settings)
    for _ in range(5):
        response = await desk.post("/api/desk/login", json={"username": username, "password": "sai-mat-khau"})
        assert response.status_code == 401 and "mật khẩu chưa đúng" in response.json()["detail"]
    blocked = await desk.post("/api/desk/login", json={"username": username, "password": PASSWORD})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    unknown = await desk.post("/api/desk/login", json={"username": "khong-co-ai", "password": PASSWORD})
    assert unknown.status_code == 401


async def test_citizens_never_reach_desk_endpoints_and_only_admins_see_figures(desk, db_settings):
    desk.cookies.clear()
    for method, url in [("GET", "/api/desk/queue"), ("GET", "/api/desk/events"), ("GET", "/api/desk/callbacks"),
                        ("GET", "/api/desk/review"), ("GET", "/api/stats"), ("POST", "/api/desk/handoffs/1/take"),
                        ("POST", "/api/desk/handoffs/1/messages"), ("GET", "/api/desk/review/export")]:
        response = await desk.request(method, url, json={"text": "x"} if method == "POST" else None)
        assert response.status_code == 401, (method, url, response.text)
        assert "đăng nhập" in response.json()["detail"]
    forged = await desk.get("/api/desk/queue", headers={"Cookie": f"{COOKIE}=made-up"})
    assert forged.status_code == 401
    volunteer = await login(desk, await make_volunteer(db_settings))
    assert (await volunteer.get("/api/stats")).status_code == 403
    assert (await volunteer.get("/api/desk/review/export")).status_code == 403
    admin = await login(desk, await make_volunteer(db_settings, role="admin", name="Anh Minh"))
    assert (await admin.get("/api/stats")).status_code == 200


async def test_handoff_queue_live_chat_masked_history_and_back_to_the_bot(desk, db_settings):
    lan = await login(desk, await make_volunteer(db_settings, name="Chị Lan"))
    hung = await login(desk, await make_volunteer(db_settings, name="Anh Hùng"))
    await on_duty(lan)
    sender, reply = await citizen_asks_for_a_person(desk)
    assert reply["handoff"]["state"] == "waiting" and reply["handoff"]["position"] >= 1
    assert reply["handoff"]["wait_minutes"] >= 1 and "vị trí số" in reply["handoff"]["message"]
    # While waiting, what the citizen writes goes to the volunteers, not to the bot.
    waiting = await desk.post("/api/chat", json={"sender_id": sender,
                                                 "message": "CCCD của tôi 001203004567, sđt 0912345678"})
    assert waiting.json()["mode"] == "live" and waiting.json()["messages"] == []

    queue = (await lan.get("/api/desk/queue")).json()
    mine = next(q for q in queue["queue"] if q["sender_id"] == sender)
    assert mine["state"] == "waiting" and mine["reason"] == "asked"
    assert "001203004567" not in mine["last_message"] and "0912345678" not in mine["last_message"]

    history = (await lan.post(f"/api/desk/handoffs/{mine['id']}/take")).json()
    texts = " ".join(m["text"] for m in history)
    assert "001203004567" not in texts and "0912345678" not in texts and "CCCD của tôi" in texts
    assert history[-1]["author"] == "Chị Lan"  # her greeting
    assert (await hung.post(f"/api/desk/handoffs/{mine['id']}/take")).status_code == 409
    assert (await hung.get(f"/api/desk/handoffs/{mine['id']}/messages")).status_code == 403
    assert (await hung.post(f"/api/desk/handoffs/{mine['id']}/messages", {"text": "chào"})).status_code == 403
    assert (await hung.post(f"/api/desk/handoffs/{mine['id']}/release")).status_code == 403

    state = (await desk.get(f"/api/chat/{sender}/handoff")).json()["handoff"]
    assert state["state"] == "live" and state["volunteer"] == "Chị Lan"
    said = await lan.post(f"/api/desk/handoffs/{mine['id']}/messages", {"text": "Anh/chị cần làm khai sinh ạ?"})
    assert said.status_code == 201
    answer = await desk.post("/api/chat", json={"sender_id": sender, "message": "vâng ạ"})
    assert answer.json()["mode"] == "live"
    after = (await lan.get(f"/api/desk/handoffs/{mine['id']}/messages", params={"after": said.json()["id"]})).json()
    assert [m["text"] for m in after] == ["vâng ạ"]

    released = (await lan.post(f"/api/desk/handoffs/{mine['id']}/release")).json()
    assert released["handoff"]["state"] == "closed"
    # The live stream gives the volunteer's messages, then the end of the handoff, and closes.
    events = parse_sse((await desk.get(f"/api/chat/{sender}/events")).text)
    messages = [json.loads(d) for e, d in events if e == "message"]
    assert "Anh/chị cần làm khai sinh ạ?" in [m["text"] for m in messages]
    assert all(m["author"] == "Chị Lan" for m in messages)
    assert json.loads([d for e, d in events if e == "handoff"][-1])["state"] == "closed"
    # Back to the bot (limited mode in these tests: Rasa is not running).
    back = await desk.post("/api/chat", json={"sender_id": sender, "message": "làm giấy khai sinh cần gì"})
    assert back.json()["mode"] == "limited"


def parse_sse(body: str) -> list[tuple[str, str]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "data" in fields:
            events.append((fields.get("event", "message"), fields["data"]))
    return events


async def test_a_volunteer_sees_a_dossier_only_when_shared_in_a_conversation_they_hold(desk, db_settings, agency):  # noqa: F811
    from api.dossiers.forms import load_forms

    lan = await login(desk, await make_volunteer(db_settings, name="Chị Lan"))
    hung = await login(desk, await make_volunteer(db_settings, name="Anh Hùng"))
    await on_duty(lan)
    done = await submitted(desk, load_forms()["dang-ky-khai-sinh"], agency)
    code, token = done["dossier"]["code"], done["tracking_token"]
    sender, reply = await citizen_asks_for_a_person(desk)
    handoff = reply["handoff"]["id"]
    early = await desk.post(f"/api/chat/{sender}/share-dossier", json={"code": code, "tracking_token": token})
    assert early.status_code == 409  # nobody holds the conversation yet
    await lan.post(f"/api/desk/handoffs/{handoff}/take")
    assert (await lan.get(f"/api/desk/handoffs/{handoff}/dossiers")).json() == []
    bad = await desk.post(f"/api/chat/{sender}/share-dossier", json={"code": code, "tracking_token": "sai"})
    assert bad.status_code == 404  # only the dossier's owner can share it
    shared = await desk.post(f"/api/chat/{sender}/share-dossier", json={"code": code, "tracking_token": token})
    assert shared.status_code == 201
    seen = (await lan.get(f"/api/desk/handoffs/{handoff}/dossiers")).json()
    assert [d["code"] for d in seen] == [code]
    assert (await hung.get(f"/api/desk/handoffs/{handoff}/dossiers")).status_code == 403
    await lan.post(f"/api/desk/handoffs/{handoff}/release")
    assert (await lan.get(f"/api/desk/handoffs/{handoff}/dossiers")).status_code == 403
    assert (await lan.get(f"/api/dossiers/{code}")).status_code == 404  # no back door without the token


async def test_nobody_on_duty_means_a_call_back_the_volunteers_see(db_settings):
    from api.app import create_app

    closed = dataclasses.replace(db_settings, desk_hours="00:00-00:01", desk_days="all")
    async with AsyncTestClient(app=create_app(closed)) as client:
        sender, reply = await citizen_asks_for_a_person(client)
        assert reply["handoff"]["state"] == "missed" and "số điện thoại" in reply["handoff"]["message"]
        bad = await client.post(f"/api/chat/{sender}/callback", json={"phone": "123"})
        assert bad.status_code == 400  # not a mobile number: refused by the schema itself
        ok = await client.post(f"/api/chat/{sender}/callback", json={"phone": "0912 345 678", "note": "khai sinh"})
        assert ok.status_code == 201
        lan = await login(client, await make_volunteer(db_settings))
        waiting = (await lan.get("/api/desk/callbacks")).json()
        mine = next(c for c in waiting if c["note"] == "khai sinh")
        assert mine["phone"] == "0912345678"
        assert (await lan.post(f"/api/desk/callbacks/{mine['id']}/done")).status_code == 204
        assert mine["id"] not in [c["id"] for c in (await lan.get("/api/desk/callbacks")).json()]


async def test_labelled_messages_export_in_the_nlu_data_format(desk, db_settings):
    engine = create_engine(db_settings)
    async with session_factory(engine)() as session, session.begin():
        row = ChatMessage(sender_id="web-review", direction="in", mode="assistant", review="fallback",
                          text="mat bang lai xe may roi lam lai o dau vay")
        session.add(row)
    await engine.dispose()
    lan = await login(desk, await make_volunteer(db_settings))
    items = (await lan.get("/api/desk/review", params={"labelled": "false"})).json()
    assert row.id in [i["id"] for i in items]
    assert "ask_documents" in (await lan.get("/api/desk/intents")).json()
    wrong = await lan.post(f"/api/desk/review/{row.id}", {"intent": "mua_nha"})
    assert wrong.status_code == 400 and "ý định" in wrong.json()["detail"]
    unknown = await lan.post(f"/api/desk/review/{row.id}", {"intent": "find_office", "procedure_code": "9.999999"})
    assert unknown.status_code == 400
    labelled = await lan.post(f"/api/desk/review/{row.id}", {"intent": "find_office", "procedure_code": "3.000348"})
    assert labelled.status_code == 204
    admin = await login(desk, await make_volunteer(db_settings, role="admin"))
    exported = await admin.get("/api/desk/review/export")
    assert exported.headers["content-type"].startswith("application/x-yaml")
    import yaml

    data = yaml.safe_load(exported.text)
    assert data["version"] == "3.1"
    examples = next(i for i in data["nlu"] if i["intent"] == "find_office")["examples"]
    line = next(x for x in examples.splitlines() if "lam lai o dau vay" in x)
    assert "](procedure)" in line  # the procedure, where the citizen's words name it (an alias)
    assert re.sub(r"\[([^\]]+)\]\(procedure\)", r"\1", line) == "- mat bang lai xe may roi lam lai o dau vay"


def test_entity_marking_finds_the_procedure_without_diacritics():
    names = ["Cấp lại giấy phép lái xe", "bằng lái xe"]
    assert _mark_entity("mat bang lai xe roi", names) == "mat [bang lai xe](procedure) roi"
    assert _mark_entity("làm lại Giấy phép lái xe?", ["giấy phép lái xe"]) == "làm lại [Giấy phép lái xe](procedure)?"
    assert _mark_entity("không liên quan", names) == "không liên quan"


async def test_feedback_and_figures(desk, db_settings):
    sender = f"web-{uuid.uuid4().hex[:12]}"
    await desk.post("/api/chat", json={"sender_id": sender, "message": "làm giấy khai sinh cần gì"})
    empty = await desk.post(f"/api/chat/{sender}/feedback", json={})
    assert empty.status_code == 400  # "helped" is required
    assert (await desk.post(f"/api/chat/{sender}/feedback", json={"helped": 0})).status_code == 400
    assert (await desk.post(f"/api/chat/{sender}/feedback", json={"helped": True, "rating": 5})).status_code == 201
    bad = await desk.post(f"/api/chat/{sender}/feedback", json={"rating": 9})
    assert bad.status_code == 400
    admin = await login(desk, await make_volunteer(db_settings, role="admin"))
    figures = (await admin.get("/api/stats", params={"days": 7})).json()
    assert figures["conversations"] >= 1 and figures["feedback_count"] >= 1
    assert figures["ratings"]["5"] >= 1 and 0 <= figures["fallback_rate"] <= 1
    assert figures["handoffs"] >= 1 and figures["handoff_rate"] > 0
    assert any(p["code"] == KHAI_SINH for p in figures["top_procedures"])
