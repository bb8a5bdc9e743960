"""The chat screen with the real bot (Rasa + action server + API) in real Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.bot.stack import require_bot
from tests.browser.conftest import Phone

WATCH_TYPING = """() => {
  window.sawTyping = false;
  new MutationObserver(() => {
    const dots = document.querySelector('.typing [role=status]');
    if (dots && dots.getAttribute('aria-label') === 'Trợ lý đang trả lời') window.sawTyping = true;
  }).observe(document.body, { childList: true, subtree: true });
}"""


def test_chat_round_trip_with_quick_replies_retry_and_memory(phone: Phone, stack):
    if not stack["bot"]:
        require_bot()
    page = phone.page
    phone.open("/")
    log = page.locator(".chat-log")
    expect(log).to_contain_text("em là trợ lý dịch vụ công")
    phone.screen("01-chat-start")

    page.evaluate(WATCH_TYPING)
    box = page.get_by_label("Nhắn cho trợ lý")
    box.fill("lam giay khai sinh can gi")  # no diacritics, as people type on phones
    box.press("Enter")
    answer = page.locator(".msg.bot").last
    expect(answer).to_contain_text("Đăng ký khai sinh")
    expect(answer).to_contain_text("Tờ khai")
    assert page.evaluate("window.sawTyping"), "no typing indicator while the bot was answering"
    expect(page.locator(".typing")).to_have_count(0)
    # Quick replies: a link into the app, and buttons that answer for the citizen.
    quick = page.locator(".quick")
    expect(quick.get_by_role("link", name="Nộp trực tuyến")).to_have_attribute("href", "#/thu-tuc/1.001193/nop")
    quick.get_by_role("button", name="Nhận kết quả qua bưu điện").click()
    expect(page.locator(".msg.user .bubble").last).to_have_text("Nhận kết quả qua bưu điện")
    expect(page.locator(".msg.bot").last).to_contain_text("địa chỉ nhận kết quả")
    box.fill("12 nguyen hue, phuong sai gon, tp hcm")
    box.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Phường Sài Gòn")
    phone.screen("01-chat")

    # The conversation survives a reload.
    count = page.locator(".msg").count()
    page.reload()
    expect(page.locator(".msg")).to_have_count(count)

    # No connection: the message is kept, marked, and "Gửi lại" sends it when the network is back.
    phone.context.set_offline(True)
    box = page.get_by_label("Nhắn cho trợ lý")
    box.fill("phí bao nhiêu?")
    box.press("Enter")
    expect(page.get_by_text("Chưa gửi được.")).to_be_visible()
    phone.screen("01-chat-failed")
    phone.context.set_offline(False)
    page.get_by_role("button", name="Gửi lại").click()
    expect(page.get_by_text("Chưa gửi được.")).to_have_count(0)
    expect(page.locator(".msg.bot").last).to_contain_text("Đăng ký khai sinh")
    expect(page.locator(".msg.bot").last).to_contain_text("phí")


def test_keyboard_only_from_chat_to_a_procedure(phone: Phone, stack):
    page = phone.page
    phone.open("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    for _ in range(6):  # skip link, brand, three tabs: the search tab is reached by Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Thủ tục":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Anh/chị cần làm thủ tục gì?")).to_be_focused()
    page.keyboard.type("cap lai gplx")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả tìm thủ tục")
    first = page.locator(".results a").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("giấy phép lái xe")
