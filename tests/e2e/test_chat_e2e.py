"""Whole conversations through POST /api/chat with the real API, Rasa and action server running,
then limited mode once Rasa is stopped."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.bot.stack import chatbot, require_bot
from tests.conftest import api_server, free_port


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_bot()
    work = tmp_path_factory.mktemp("e2e-chat")
    rasa_port = free_port()
    with api_server(work, DVC_RASA_URL=f"http://127.0.0.1:{rasa_port}") as api_url:
        with chatbot(api_url, work, rasa_port=rasa_port) as (_rasa_url, rasa_proc):
            yield api_url, rasa_proc


class Citizen:
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(self, message: str) -> dict:
        response = httpx.post(f"{self.api_url}/api/chat", json={"sender_id": self.sender, "message": message},
                              timeout=15)
        assert response.status_code == 200, response.text
        return response.json()

    def text(self, message: str) -> str:
        body = self.say(message)
        assert body["mode"] == "assistant", body
        return "\n".join(m.get("text", "") for m in body["messages"])


def test_done_when_conversation_about_a_lost_motorbike_licence(stack):
    citizen = Citizen(stack[0])
    first = citizen.text("mat bang lai xe may thi lam lai the nao")
    assert "Cấp lại giấy phép lái xe" in first
    time = citizen.text("mất bao lâu?")
    assert "Cấp lại giấy phép lái xe" in time and "ngày làm việc" in time
    online = citizen.text("nộp online được không?")
    assert "Cấp lại giấy phép lái xe" in online and "trực tuyến" in online


def test_documents_then_fee_for_the_same_procedure(stack):
    citizen = Citizen(stack[0])
    docs = citizen.say("làm giấy khai sinh cần gì")
    assert "Đăng ký khai sinh" in docs["messages"][0]["text"] and "Tờ khai" in docs["messages"][0]["text"]
    titles = [b["title"] for b in docs["messages"][0]["buttons"]]
    assert {"Nộp trực tuyến", "Giấy tờ cần chuẩn bị", "Nhận kết quả qua bưu điện", "Theo dõi hồ sơ"} <= set(titles)
    fee = citizen.text("phí bao nhiêu?")
    assert "lệ phí" in fee.lower() and "Đăng ký khai sinh" in fee


def test_tracking_needs_code_and_phone(stack):
    citizen = Citizen(stack[0])
    assert "mã hồ sơ" in citizen.text("tra cứu hồ sơ")
    assert "số điện thoại" in citizen.text("000.00.53.H48-220921-0099")
    answer = citizen.text("0912345678")
    assert "000.00.53.H48-220921-0099" in answer


def test_postal_return_confirms_the_address_on_the_new_map(stack):
    citizen = Citizen(stack[0])
    assert "địa chỉ" in citizen.text("muốn nhận kết quả qua bưu điện")
    body = citizen.say("12 Nguyễn Huệ p ben nghe q1 tphcm")
    text = "\n".join(m.get("text", "") for m in body["messages"])
    assert "Phường Sài Gòn, Thành phố Hồ Chí Minh (trước đây: Phường Bến Nghé, Quận 1" in text
    assert [b["title"] for m in body["messages"] for b in m.get("buttons", [])] == ["Đúng", "Chưa đúng"]
    assert "đã ghi nhận" in citizen.text("/affirm")


def test_split_ward_asks_the_citizen_to_choose(stack):
    citizen = Citizen(stack[0])
    citizen.text("gửi kết quả về nhà qua bưu điện được không")
    body = citizen.say("12/5 ngõ 34 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN")
    choices = [b["title"] for m in body["messages"] for b in m.get("buttons", [])]
    assert "Phường Đống Đa, Thành phố Hà Nội" in choices and "Phường Ô Chợ Dừa, Thành phố Hà Nội" in choices


def test_asking_for_a_person_is_a_structured_handoff(stack):
    body = Citizen(stack[0]).say("cho tôi gặp nhân viên")
    assert any((m.get("custom") or {}).get("handoff", {}).get("requested") for m in body["messages"])


def test_limited_mode_when_rasa_is_stopped(stack):
    api_url, rasa_proc = stack
    rasa_proc.terminate()
    rasa_proc.wait(30)
    body = Citizen(api_url).say("làm giấy khai sinh cần gì")
    assert body["mode"] == "limited" and "Đăng ký khai sinh" in body["messages"][1]["text"]
    health = httpx.get(f"{api_url}/health").json()
    assert health["status"] == "degraded" and health["components"]["bot"]["status"] == "unavailable"
