"""The one-stop desk in real Chromium: a citizen's phone and a volunteer's desk PC, two browser
contexts, through a whole handoff and back to the bot; then the desk's other screens."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.bot.stack import require_bot
from tests.browser.conftest import Phone


def test_handoff_round_trip_between_citizen_and_volunteer(browser, stack, volunteer):
    if not stack["bot"]:
        require_bot()
    desk, citizen = Phone(browser, stack["url"]), Phone(browser, stack["url"])
    try:
        d, c = desk.page, citizen.page
        desk.open("/#/ban-ho-tro")
        expect(d.get_by_role("heading", level=1)).to_have_text("Đăng nhập bàn hỗ trợ")
        d.get_by_label("Tên đăng nhập").fill(volunteer["username"])
        d.get_by_label("Mật khẩu").fill("sai mat khau")
        d.get_by_role("button", name="Đăng nhập").click()
        expect(d.locator(".error-summary")).to_contain_text("mật khẩu chưa đúng")
        desk.screen("20-desk-login")
        d.get_by_label("Mật khẩu").fill(volunteer["password"])
        d.get_by_role("button", name="Đăng nhập").click()
        expect(d.get_by_role("heading", level=1)).to_have_text("Bàn hỗ trợ")
        duty = d.get_by_role("switch")
        duty.click()
        expect(duty).to_have_attribute("aria-checked", "true")

        citizen.open("/")
        box = c.get_by_label("Nhắn cho trợ lý")
        box.fill("cho em gặp người thật được không")
        box.press("Enter")
        expect(c.locator(".handoff-panel")).to_contain_text("Đang chờ tình nguyện viên")
        expect(c.locator(".handoff-panel")).to_contain_text("vị trí số 1")
        box.fill("em muốn hỏi về làm căn cước cho con, CCCD của em 001203004567")
        box.press("Enter")
        citizen.screen("22-chat-waiting")

        # The queue is live: no reload on the desk.
        expect(d.get_by_role("heading", name=re.compile("Người dân số 1"))).to_be_visible()
        expect(d.locator("main")).not_to_contain_text("001203004567")  # masked
        desk.screen("21-desk-queue")
        d.get_by_role("button", name="Nhận hỗ trợ").click()
        expect(d.get_by_role("heading", level=1)).to_have_text("Trò chuyện với người dân")
        expect(d.locator(".chat-log")).to_contain_text("làm căn cước cho con")
        assert "001203004567" not in d.locator(".chat-log").inner_text()

        expect(c.locator(".handoff-panel")).to_contain_text("Chị Lan (tình nguyện viên) đang hỗ trợ anh/chị")
        expect(c.locator(".msg.person").last).to_contain_text("Em có thể giúp gì")
        c.get_by_label("Nhắn cho tình nguyện viên").fill("con em 15 tuổi ạ")
        c.get_by_label("Nhắn cho tình nguyện viên").press("Enter")
        expect(d.locator(".chat-log")).to_contain_text("con em 15 tuổi ạ")
        d.get_by_label("Nhắn cho người dân").fill("Dạ, cháu đủ 14 tuổi nên làm thẻ căn cước được ạ.")
        d.get_by_role("button", name="Gửi").click()
        expect(c.locator(".msg.person").last).to_contain_text("cháu đủ 14 tuổi")
        desk.screen("26-desk-conversation")
        citizen.screen("27-chat-live")

        d.get_by_role("button", name="Trả lại cho trợ lý").click()
        expect(d.get_by_role("heading", level=1)).to_have_text("Bàn hỗ trợ")
        expect(c.get_by_role("heading", name="Đánh giá cuộc trò chuyện")).to_be_visible()
        c.get_by_role("button", name="Có", exact=True).click()
        c.get_by_label("5 sao").check()
        citizen.screen("23-chat-feedback")
        c.get_by_role("button", name="Gửi đánh giá").click()
        expect(c.locator(".msg.bot").last).to_contain_text("cảm ơn anh/chị đã góp ý")
        # Back with the bot.
        box.fill("làm căn cước cần giấy tờ gì")
        box.press("Enter")
        expect(c.locator(".msg.bot").last).to_contain_text("căn cước", ignore_case=True)

        desk.open("/#/ban-ho-tro/so-lieu")
        expect(d.get_by_role("heading", level=1)).to_have_text("Số liệu 30 ngày qua")
        expect(d.locator("dl.facts")).to_contain_text("100,0 % nhận được thông tin cần")
        expect(d.locator("figure svg").first).to_be_visible()
        desk.screen("24-desk-stats")
        desk.open("/#/ban-ho-tro/gan-nhan")
        expect(d.get_by_role("heading", level=1)).to_have_text("Dạy trợ lý")
        item = d.locator(".results li").filter(has_text="gặp người thật").first
        item.get_by_label("Ý định").select_option("human_handoff")
        item.get_by_role("button", name="Lưu nhãn").click()
        expect(item.get_by_role("status")).to_have_text("Đã lưu nhãn.")
        desk.screen("25-desk-labels")
        desk.open("/#/ban-ho-tro/goi-lai")
        expect(d.get_by_role("heading", level=1)).to_have_text("Người dân cần gọi lại")
        desk.screen("28-desk-callbacks")
    finally:
        desk.context.close()
        citizen.context.close()
    assert not desk.errors and not citizen.errors, desk.errors + citizen.errors


def test_assisted_filling_at_the_desk_continues_on_the_citizens_phone(browser, stack):
    desk, citizen = Phone(browser, stack["url"]), Phone(browser, stack["url"])
    try:
        d, c = desk.page, citizen.page
        desk.open("/#/thu-tuc/3.000333")  # the volunteer opens the procedure with the citizen
        expect(d.get_by_role("button", name="In danh sách giấy tờ")).to_be_visible()
        d.get_by_role("link", name="Điền tờ khai và nộp trực tuyến").click()
        d.get_by_label("Họ, chữ đệm và tên của anh/chị").fill("Đỗ Văn Nam")
        d.get_by_role("button", name="Tiếp tục").click()
        expect(d.get_by_text(re.compile(r"Câu 2/\d+"))).to_be_visible()
        d.get_by_role("link", name="Lưu lại, làm tiếp sau").click()
        expect(d.get_by_role("heading", level=1)).to_have_text("Đã lưu tờ khai")
        # What the QR code holds is this link: the citizen's phone opens it.
        link = d.get_by_role("link", name="Đường dẫn mở lại tờ khai").get_attribute("href")
        assert re.search(r"/#/nhap/[0-9a-f-]{36}\?t=", link)
        citizen.open(link)
        expect(c.get_by_text(re.compile(r"Câu 2/\d+"))).to_be_visible()  # where the volunteer stopped
        c.get_by_role("link", name="Quay lại").click()
        expect(c.get_by_label("Họ, chữ đệm và tên của anh/chị")).to_have_value("Đỗ Văn Nam")
        assert "?t=" not in c.url  # the secret leaves the address bar once kept on the phone
    finally:
        desk.context.close()
        citizen.context.close()
    assert not desk.errors and not citizen.errors, desk.errors + citizen.errors
