"""Short, polite Vietnamese answers about one procedure, built from its catalog record.

The API owns the facts and how they are said; the chatbot's actions and the chat's
limited mode both ask for these texts, so a citizen reads the same answer either way.
"""

from __future__ import annotations

from typing import Literal

from api.procedures.service import ProcedureDetail

Topic = Literal["summary", "documents", "fee", "time", "online", "office", "postal"]
TOPICS: tuple[Topic, ...] = ("summary", "documents", "fee", "time", "online", "office", "postal")

CHANNEL_NAMES = {
    "truc_tiep": "nộp trực tiếp",
    "truc_tuyen": "nộp trực tuyến",
    "buu_chinh": "gửi qua bưu điện",
}
AGENCY_LEVELS = {"xa": "cấp xã", "tinh": "cấp tỉnh", "trung_uong": "cấp trung ương"}
# Which flagged facts make which answer uncertain.
TOPIC_FACTS = {
    "documents": {"documents", "forms"},
    "fee": {"fee"},
    "time": {"processing_time"},
    "online": {"online_level"},
    "office": {"agency"},
    "postal": {"online_level"},
    "summary": {"fee", "processing_time", "online_level"},
}
CAVEAT = "Thông tin này đang được kiểm tra lại, anh/chị nên hỏi lại cơ quan tiếp nhận trước khi đi."
MAX_DOCS = 6


def display_name(detail: ProcedureDetail) -> str:
    """ "Thủ tục đăng ký khai sinh" → "Đăng ký khai sinh": the word "thủ tục" is said once, by us."""
    name = detail.name
    for prefix in ("Thủ tục ", "thủ tục "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            return name[:1].upper() + name[1:]
    return name


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0].split("; ")[0].rstrip(".")
    return head


def _caveat(detail: ProcedureDetail, topic: Topic) -> str:
    return f"\n{CAVEAT}" if TOPIC_FACTS[topic] & set(detail.needs_verification) else ""


def _days(days: float | None, text: str) -> str:
    if days is None:
        return text
    if days == 0:
        return "trong ngày"
    return f"khoảng {days:g} ngày làm việc"


def _money(vnd: int | None, text: str) -> str:
    """The amount, with the condition the record attaches to it ("khi đăng ký đúng hạn")."""
    if vnd is None:
        return _first_sentence(text)
    amount = "miễn phí" if vnd == 0 else f"{vnd:,}".replace(",", ".") + " đồng"
    condition = _first_sentence(text)
    if condition and len(condition) > len(amount) + 12:
        return f"{amount} ({condition[:1].lower() + condition[1:]})"
    return amount


def documents(detail: ProcedureDetail) -> str:
    needed = [d for d in detail.documents if d.required]
    optional = [d for d in detail.documents if not d.required]
    lines = [f"Dạ, để làm “{display_name(detail)}”, anh/chị chuẩn bị:"]
    for d in needed[:MAX_DOCS]:
        count = []
        if d.originals:
            count.append(f"{d.originals} bản chính")
        if d.copies:
            count.append(f"{d.copies} bản sao")
        form = ""
        if d.form and (d.form.code or d.form.name.lower() not in d.name.lower()):
            form = f" (theo {d.form.code or d.form.name})"
        lines.append(f"• {d.name.rstrip('.')}{form}" + (f" — {', '.join(count)}" if count else ""))
    if len(needed) > MAX_DOCS:
        lines.append(
            f"• … và {len(needed) - MAX_DOCS} giấy tờ khác, anh/chị xem đủ trong danh sách kiểm tra."
        )
    if optional:
        cases = sorted({d.case for d in optional if d.case})
        extra = f" (ví dụ: {'; '.join(cases[:3]).lower()})" if cases else ""
        lines.append(f"Một số trường hợp cần thêm giấy tờ{extra}.")
    return "\n".join(lines) + _caveat(detail, "documents")


def fee(detail: ProcedureDetail) -> str:
    parts = [f"{CHANNEL_NAMES[c.channel]}: {_money(c.fee_vnd, c.fee)}" for c in detail.channels]
    head = f"Dạ, lệ phí “{display_name(detail)}”"
    same_amount = len({c.fee_vnd for c in detail.channels}) == 1 and detail.channels[0].fee_vnd is not None
    if same_amount or len({c.fee for c in detail.channels}) == 1:
        c = detail.channels[0]
        text = f"{head}: {_money(c.fee_vnd, c.fee)}, như nhau với mọi cách nộp."
        if c.fee_vnd is not None and len(c.fee) > 60:
            text += f"\nChi tiết: {c.fee}"
    else:
        text = f"{head}:\n" + "\n".join(f"• {p}" for p in parts)
    return text + _caveat(detail, "fee")


def time(detail: ProcedureDetail) -> str:
    if (
        len({c.processing_days for c in detail.channels}) == 1
        and detail.channels[0].processing_days is not None
    ):
        c = detail.channels[0]
        text = f"Dạ, “{display_name(detail)}” được giải quyết {_days(c.processing_days, c.processing_time)} kể từ khi nhận đủ hồ sơ."
    else:
        lines = [
            f"• {CHANNEL_NAMES[c.channel]}: {_days(c.processing_days, c.processing_time)}"
            for c in detail.channels
        ]
        text = f"Dạ, thời gian giải quyết “{display_name(detail)}”:\n" + "\n".join(lines)
    return text + "\nNgày nghỉ, ngày lễ không tính." + _caveat(detail, "time")


def online(detail: ProcedureDetail) -> str:
    level = detail.level_explained
    if detail.online_level == 4:
        head = f"Dạ được ạ. “{display_name(detail)}” là dịch vụ công trực tuyến toàn trình: anh/chị làm hết trên mạng."
    elif detail.online_level == 3:
        head = f"Dạ, “{display_name(detail)}” nộp trực tuyến được một phần (dịch vụ một phần)."
    else:
        head = f"Dạ, “{display_name(detail)}” hiện chưa nộp trực tuyến được; trên mạng chỉ có thông tin và mẫu đơn."
    body = [
        f"• Trên mạng: {level.online}",
        f"• Phải đến cơ quan: {level.in_person}",
        f"• Thanh toán: {level.payment}",
        f"• Nhận kết quả: {level.result}",
    ]
    return head + "\n" + "\n".join(body) + _caveat(detail, "online")


def office(detail: ProcedureDetail) -> str:
    where = detail.agency.name
    text = (
        f"Dạ, anh/chị nộp hồ sơ “{display_name(detail)}” tại {where} ({AGENCY_LEVELS[detail.agency.level]})."
    )
    if any(c.channel == "truc_tuyen" for c in detail.channels):
        text += "\nAnh/chị cũng có thể nộp trực tuyến trên Cổng Dịch vụ công quốc gia."
    if detail.agency.postal_address:
        text += f"\nĐịa chỉ nhận hồ sơ qua bưu điện: {detail.agency.postal_address}."
    return text + _caveat(detail, "office")


def postal(detail: ProcedureDetail) -> str:
    by_post = any(c.channel == "buu_chinh" for c in detail.channels)
    if detail.online_level == 4 or by_post:
        text = (
            f"Dạ, với “{display_name(detail)}”, anh/chị có thể nhận kết quả qua dịch vụ bưu chính công ích tại nhà; "
            "phí chuyển phát do anh/chị trả theo giá của bưu điện."
        )
        if by_post:
            text += "\nAnh/chị cũng có thể gửi hồ sơ qua bưu điện."
        text += "\nAnh/chị cho em xin địa chỉ nhận để em kiểm tra giúp ạ."
    else:
        text = f"Dạ, “{display_name(detail)}” hiện nhận kết quả tại cơ quan: {detail.agency.name}."
    return text + _caveat(detail, "postal")


def summary(detail: ProcedureDetail) -> str:
    level = detail.level_explained
    first = detail.channels[0]
    lines = [
        f"Dạ, anh/chị cần làm thủ tục “{display_name(detail)}”.",
        f"• Mức độ: {detail.online_level_name}. {level.summary}",
        f"• Nơi nộp: {detail.agency.name}.",
        f"• Thời gian: {_days(first.processing_days, first.processing_time)}.",
        f"• Lệ phí: {_money(first.fee_vnd, first.fee)}.",
        f"• Kết quả: {detail.result.rstrip('.')}.",
    ]
    return "\n".join(lines) + _caveat(detail, "summary")


ANSWERS = {
    "summary": summary,
    "documents": documents,
    "fee": fee,
    "time": time,
    "online": online,
    "office": office,
    "postal": postal,
}


def answer(detail: ProcedureDetail, topic: Topic) -> str:
    return ANSWERS[topic](detail)
