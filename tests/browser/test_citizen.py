"""A citizen's whole path in real Chromium at 360×740: search → procedure → form wizard → submit →
tracking, with axe and a screenshot on every screen."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Phone, send_agency_event, submitted_dossier

LY_LICH = "3.000333"  # Cấp Phiếu lý lịch tư pháp: level 4, by post, every kind of question
# Answers by question type, as the citizen would type them (the API's own tests use the same).
TYPED = {
    "text": "Nguyễn Văn An",
    "textarea": "Từ 2010 đến nay ở Thành phố Hồ Chí Minh.",
    "date": "2015-03-15",
    "cccd": "001203004567",
    "phone": "0912345678",
    "email": "an.nguyen@example.com",
    "number": "1",
}
QR_LOADED = "() => { const img = document.querySelector('img.qr'); return Boolean(img && img.complete && img.naturalWidth > 0); }"
ADDRESS = "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh"


def answer_current_question(page) -> str:
    """Answers the question on screen by its control; returns the field id."""
    form = page.locator("main form")
    control = form.locator("input, select, textarea").first
    field_id = control.get_attribute("name") or control.get_attribute("id")
    kind = control.get_attribute("type") or control.evaluate("e => e.tagName.toLowerCase()")
    if kind == "radio":
        control.check()
    elif kind == "checkbox":
        control.check()
    elif kind == "select":
        control.select_option(index=1)
    elif kind == "file":
        control.set_input_files(files=[{"name": "cccd.pdf", "mimeType": "application/pdf",
                                        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
        expect(page.get_by_text("Đã tải lên: cccd.pdf")).to_be_visible()
    elif control.get_attribute("role") == "combobox":
        control.fill(ADDRESS)
    else:
        field_type = {"tel": "phone", "email": "email", "date": "date"}.get(kind)
        if control.get_attribute("inputmode") == "numeric" and control.get_attribute("maxlength") == "12":
            field_type = "cccd"
        elif control.get_attribute("inputmode") in ("numeric", "decimal"):
            field_type = "number"
        elif control.evaluate("e => e.tagName") == "TEXTAREA":
            field_type = "textarea"
        control.fill(TYPED[field_type or "text"])
    return field_id


def test_search_detail_form_submit_and_tracking(phone: Phone, stack):
    page = phone.page
    phone.open("/#/thu-tuc")
    page.get_by_label("Anh/chị cần làm thủ tục gì?").fill("xin phieu ly lich tu phap")
    page.get_by_role("button", name="Tìm thủ tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả tìm thủ tục")
    expect(page.get_by_role("status").filter(has_text="thủ tục phù hợp")).to_be_visible()
    phone.screen("02-search")

    page.get_by_role("link", name=re.compile("Cấp Phiếu lý lịch tư pháp")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("lý lịch tư pháp")
    main = page.locator("main")
    expect(main).to_contain_text("Dịch vụ công trực tuyến toàn trình")
    expect(main).to_contain_text("Không phải đến cơ quan")  # the level, as what the citizen must do
    expect(main).to_contain_text("Thời hạn giải quyết")
    expect(main).to_contain_text("Nộp ở đâu")
    boxes = page.locator(".checklist input[type=checkbox]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    expect(page.get_by_text(re.compile(r"Đã chuẩn bị 1/\d+ giấy tờ"))).to_be_visible()
    phone.screen("03-procedure")
    page.reload()
    page.locator(".checklist").wait_for()
    assert page.locator(".checklist input[type=checkbox]").nth(0).is_checked()  # the tick is kept

    page.get_by_role("link", name="Điền tờ khai và nộp trực tuyến").click()
    expect(page.get_by_text(re.compile(r"Câu 1/\d+"))).to_be_visible()
    # Continue without an answer: an error summary and a message by the field.
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".field .error-message")).to_have_text(re.compile("chưa trả lời"))
    phone.screen("04-question-error")

    seen = []
    while "/kiem-tra" not in page.url:
        expect(page.locator("main form")).to_be_visible()
        field_id = answer_current_question(page)
        if len(seen) == 1:
            phone.screen("05-question")
        seen.append(field_id)
        page.get_by_role("button", name="Tiếp tục").click()
        # The next question is on screen once the previous control is gone.
        page.wait_for_function("(prev) => !location.hash.includes('/cau/' + prev + '?') && !location.hash.endsWith("
                               "'/cau/' + prev) && !document.querySelector(`[name='${prev}']`)", arg=field_id)
        assert len(seen) < 40, seen
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại trước khi nộp")
    expect(page.locator(".error-summary")).to_have_count(0)
    phone.screen("06-check-answers")
    page.wait_for_function(QR_LOADED)

    # "Thay đổi" goes to that one question and comes back to the check page.
    page.get_by_role("link", name="Thay đổi Anh/chị xin phiếu để làm gì?").click()
    page.locator("main form input").first.fill("Bổ sung hồ sơ xin việc")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại trước khi nộp")
    expect(page.locator("main")).to_contain_text("Bổ sung hồ sơ xin việc")

    page.get_by_role("link", name="Tiếp tục để nộp hồ sơ").click()
    page.get_by_label("Họ và tên người nộp hồ sơ").fill("Trần Thị Bình")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Nhận qua bưu điện (bưu chính công ích)").check()
    address = page.get_by_role("combobox", name="Địa chỉ nhận kết quả")
    address.press_sequentially("45 Lê Lợi, ben thanh", delay=20)
    expect(page.get_by_role("option").first).to_be_visible()
    phone.screen("07-address-suggestions")
    address.press("ArrowDown")
    address.press("Enter")
    expect(address).to_have_value(re.compile(r"^45 Lê Lợi, Phường .+, Thành phố Hồ Chí Minh$"))
    expect(page.locator(".resolved")).to_contain_text("Địa chỉ theo đơn vị hành chính mới")
    page.get_by_label("Đúng, đây là địa chỉ của tôi").check()
    phone.screen("08-submit")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    code = page.locator(".panel-ok .big").inner_text()
    assert re.fullmatch(r"[0-9.A-Z-]+", code), code
    expect(page.locator("main")).to_contain_text("Việc tiếp theo")
    phone.screen("09-confirmation")

    page.get_by_role("link", name="Theo dõi hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")
    expect(page.locator(".timeline li")).to_have_count(1)
    expect(page.get_by_role("switch", name="Bật thông báo")).to_be_visible()
    phone.screen("10-tracking")

    send_agency_event(stack, code, 2, "Hồ sơ đủ giấy tờ.")
    page.get_by_role("button", name="Cập nhật").click()
    expect(page.locator(".timeline li").first).to_contain_text("Được tiếp nhận")
    expect(page.locator(".timeline li")).to_have_count(2)

    phone.open("/#/ho-so")
    expect(page.get_by_role("link", name=re.compile(f"Hồ sơ {re.escape(code)}"))).to_be_visible()
    phone.screen("11-my-dossiers")


def test_answers_typed_off_line_are_kept_and_saved_when_the_network_returns(phone: Phone, stack):
    page = phone.page
    created = httpx.post(f"{stack['url']}/api/drafts", json={"procedure_code": LY_LICH, "answers": {}}).json()
    draft_id, token = created["draft"]["id"], created["resume_token"]
    phone.open(f"/#/nhap/{draft_id}?t={token}")
    expect(page.get_by_text(re.compile(r"Câu 1/\d+"))).to_be_visible()
    phone.context.set_offline(True)
    page.get_by_label("Họ, chữ đệm và tên của anh/chị").fill("Phạm Thị Lan")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text(re.compile(r"Câu 2/\d+"))).to_be_visible()  # goes on without a network
    expect(page.locator("#offline")).to_be_visible()
    assert page.evaluate(f"JSON.parse(localStorage.getItem('dvc.pending.{draft_id}')).ho_ten") == "Phạm Thị Lan"
    page.reload()  # even a reload while off-line loses nothing: the shell comes from the service worker
    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    def saved() -> str | None:
        draft = httpx.get(f"{stack['url']}/api/drafts/{draft_id}", headers={"X-Resume-Token": token}).json()
        return draft["answers"].get("ho_ten")

    deadline = time.monotonic() + 10
    while saved() != "Phạm Thị Lan" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert saved() == "Phạm Thị Lan"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate(f"localStorage.getItem('dvc.pending.{draft_id}')") is None


def test_save_for_later_and_lookup_screens(phone: Phone, stack):
    page = phone.page
    created = httpx.post(f"{stack['url']}/api/drafts", json={"procedure_code": LY_LICH, "answers": {}}).json()
    phone.open(f"/#/nhap/{created['draft']['id']}?t={created['resume_token']}")
    page.get_by_role("link", name="Lưu lại, làm tiếp sau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã lưu tờ khai")
    page.wait_for_function(QR_LOADED)
    phone.screen("13-saved-for-later")
    phone.open("/#/ho-so")
    expect(page.get_by_role("link", name=re.compile("Cấp Phiếu lý lịch tư pháp"))).to_be_visible()  # in progress
    page.get_by_label("Mã hồ sơ", exact=True).fill("000.00.00.T00-000000-9999")
    page.get_by_label("Số điện thoại đã khai khi nộp").fill("0912345678")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("không tìm thấy hồ sơ")
    phone.screen("14-lookup-not-found")


def test_supplement_request_answered_from_the_tracking_page(phone: Phone, stack):
    page = phone.page
    code, token = submitted_dossier(stack["url"])
    for status, note in ((2, None), (4, None), (5, "Thiếu bản sao giấy chứng sinh.")):
        send_agency_event(stack, code, status, note)
    phone.open(f"/#/ho-so/{code}?t={token}")
    expect(page.locator(".badge")).to_have_text("Yêu cầu bổ sung giấy tờ")
    expect(page.locator("main")).to_contain_text("Cơ quan yêu cầu: Thiếu bản sao giấy chứng sinh.")
    page.get_by_role("button", name="Gửi bổ sung").click()  # nothing attached: said, not sent
    expect(page.locator(".error-summary")).to_contain_text("tải lên giấy tờ bổ sung")
    page.get_by_label("Giấy tờ bổ sung", exact=True).set_input_files(files=[{
        "name": "giay-chung-sinh.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
    expect(page.get_by_text("Đã tải lên “giay-chung-sinh.pdf”.")).to_be_visible()
    page.get_by_label("Ghi chú cho cơ quan (không bắt buộc)").fill("Em gửi bản sao có chứng thực.")
    phone.screen("15-supplement")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator(".timeline li").first).to_contain_text("Giấy tờ bổ sung: giay-chung-sinh.pdf")
    expect(page.get_by_role("heading", name="Gửi giấy tờ bổ sung")).to_have_count(0)
