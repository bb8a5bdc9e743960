"""POST /api/chat: forwarded to Rasa, limited mode when Rasa is down or slow, masked transcripts."""

import dataclasses
import time

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from api.app import create_app
from api.chat.models import ChatMessage
from api.db.engine import create_engine, session_factory
from tests.fake_rasa import FakeRasa


@pytest.fixture(scope="module")
def fake_rasa():
    server = FakeRasa().start()
    yield server
    server.stop()


@pytest.fixture
async def assistant_client(db_settings, fake_rasa):
    fake_rasa.mode = "ok"
    app = create_app(dataclasses.replace(db_settings, rasa_url=fake_rasa.url))
    async with AsyncTestClient(app=app) as client:
        yield client


async def say(client, message, sender="test-sender"):
    response = await client.post("/api/chat", json={"sender_id": sender, "message": message})
    assert response.status_code == 200, response.text
    return response.json()


async def test_limited_mode_answers_from_the_catalog(client):
    body = await say(client, "làm giấy khai sinh cho con cần gì")
    assert body["mode"] == "limited"
    assert "chế độ hạn chế" in body["messages"][0]["text"]
    answer = body["messages"][1]
    assert "Đăng ký khai sinh" in answer["text"]
    titles = [b["title"] for b in answer["buttons"]]
    assert titles[:2] == ["Nộp trực tuyến", "Giấy tờ cần chuẩn bị"] and "Theo dõi hồ sơ" in titles


async def test_limited_mode_offers_choices_when_unsure_and_follows_the_buttons(client):
    body = await say(client, "giấy phép lái xe")
    choices = body["messages"][1]["buttons"]
    assert len(choices) == 3 and {"Cấp lại giấy phép lái xe", "Đổi giấy phép lái xe"} <= {
        b["title"] for b in choices
    }
    fee = await say(client, choices[0]["payload"].replace("/ask_procedure", "/ask_fee"))
    assert "lệ phí" in fee["messages"][1]["text"].lower() and "đồng" in fee["messages"][1]["text"]


async def test_limited_mode_asks_again_when_nothing_matches(client):
    body = await say(client, "xin chào")
    assert "tên thủ tục" in body["messages"][1]["text"]


async def test_transcripts_mask_cccd_and_phone(client, db_settings):
    await say(client, "tra hồ sơ cccd 001203004567 sdt 0912345678", sender="mask-check")
    engine = create_engine(db_settings)
    async with session_factory(engine)() as session:
        texts = (
            (await session.execute(select(ChatMessage.text).where(ChatMessage.sender_id == "mask-check")))
            .scalars()
            .all()
        )
    await engine.dispose()
    assert texts and "001203004567" not in " ".join(texts) and "0912345678" not in " ".join(texts)
    assert "*********567" in texts[0] and "*******678" in texts[0]


@pytest.mark.parametrize(
    "payload",
    [
        {"sender_id": "", "message": "hi"},
        {"sender_id": "a b", "message": "hi"},
        {"sender_id": "abc", "message": ""},
        {"sender_id": "abc", "message": "x" * 2001},
        {"sender_id": "abc"},
        ["not", "an", "object"],
    ],
)
async def test_bad_chat_requests_are_400_in_vietnamese(client, payload):
    response = await client.post("/api/chat", json=payload)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Dạ,")


async def test_assistant_answers_are_forwarded(assistant_client, fake_rasa):
    fake_rasa.reply = [
        {"recipient_id": "s1", "text": "Dạ, anh/chị cần làm thủ tục “Cấp lại giấy phép lái xe”."},
        {
            "recipient_id": "s1",
            "text": "Chọn giúp em:",
            "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}],
        },
    ]
    body = await say(assistant_client, "mat bang lai xe", sender="s1")
    assert body["mode"] == "assistant"
    assert body["messages"][0]["text"].startswith("Dạ, anh/chị cần làm")
    assert body["messages"][1]["buttons"] == [{"title": "Lệ phí", "payload": "/ask_fee"}]
    assert fake_rasa.received[-1] == {"sender": "s1", "message": "mat bang lai xe"}


@pytest.mark.parametrize("mode", ["error", "garbage"])
async def test_broken_assistant_means_limited_mode(assistant_client, fake_rasa, mode):
    fake_rasa.mode = mode
    body = await say(assistant_client, "đăng ký tạm trú")
    assert body["mode"] == "limited"


async def test_slow_assistant_is_cut_off_at_three_seconds(assistant_client, fake_rasa):
    fake_rasa.mode, fake_rasa.delay = "slow", 5.0
    started = time.monotonic()
    body = await say(assistant_client, "đăng ký tạm trú")
    assert body["mode"] == "limited"
    assert time.monotonic() - started < 4.0


async def test_health_reports_the_bot(assistant_client, client):
    up = (await assistant_client.get("/health")).json()
    assert up["status"] == "ok" and up["components"]["bot"]["status"] == "ok"
    down = await client.get("/health")
    assert down.status_code == 200 and down.json()["status"] == "degraded"


@pytest.mark.parametrize("topic", ["summary", "documents", "fee", "time", "online", "office", "postal"])
async def test_answer_endpoint_gives_each_topic(client, topic):
    response = await client.get("/api/procedures/1.001193/answer", params={"topic": topic})
    assert response.status_code == 200
    body = response.json()
    assert body["text"].startswith("Dạ") and body["name"] == "Đăng ký khai sinh" and body["buttons"]


async def test_answer_endpoint_rejects_unknown_topic_and_code(client):
    assert (
        await client.get("/api/procedures/1.001193/answer", params={"topic": "weather"})
    ).status_code == 400
    assert (await client.get("/api/procedures/9.999999/answer")).status_code == 404
