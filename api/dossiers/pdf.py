"""Printable documents: the receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) and the
filled-in form to bring or mail when a procedure cannot be submitted online.

Rendered with ReportLab and the DejaVu Sans fonts shipped in data/fonts, which have every
Vietnamese letter; the QR code on the receipt opens the dossier's page.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from api.settings import ROOT

FONTS = ROOT / "data" / "fonts"
VN_TZ = dt.timezone(dt.timedelta(hours=7))
DELIVERY = {
    "office": "Nhận trực tiếp tại cơ quan",
    "post": "Nhận qua dịch vụ bưu chính công ích",
    "online": "Nhận bản điện tử trực tuyến",
}


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("DejaVu", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    return "DejaVu", "DejaVu-Bold"


class _Page:
    """A top-to-bottom writer that wraps long lines and starts new pages."""

    def __init__(self, title: str) -> None:
        self.regular, self.bold = _fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.width, self.height = A4
        self.left, self.right = 20 * mm, self.width - 20 * mm
        self.y = self.height - 20 * mm

    def _room(self, needed: float) -> None:
        if self.y - needed < 20 * mm:
            self.canvas.showPage()
            self.y = self.height - 20 * mm

    def center(self, text: str, size: float = 12, bold: bool = False) -> None:
        self._room(size * 1.6)
        self.canvas.setFont(self.bold if bold else self.regular, size)
        self.canvas.drawCentredString(self.width / 2, self.y, text)
        self.y -= size * 1.6

    def line(self, text: str, size: float = 10.5, bold: bool = False, indent: float = 0) -> None:
        font = self.bold if bold else self.regular
        for part in self._wrap(text, font, size, self.right - self.left - indent):
            self._room(size * 1.5)
            self.canvas.setFont(font, size)
            self.canvas.drawString(self.left + indent, self.y, part)
            self.y -= size * 1.5

    def field(self, label: str, value: str) -> None:
        self.line(f"{label}: {value}")

    def gap(self, size: float = 6) -> None:
        self.y -= size

    def qr(self, data: str, size: float = 32 * mm) -> None:
        self._room(size + 4 * mm)
        widget = QrCodeWidget(data)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.canvas, self.right - size, self.y - size)
        self.y -= size + 4 * mm

    @staticmethod
    def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            words, current = paragraph.split(), ""
            for word in words:
                candidate = f"{current} {word}".strip()
                if pdfmetrics.stringWidth(candidate, font, size) <= width or not current:
                    current = candidate
                else:
                    lines.append(current)
                    current = word
            lines.append(current)
        return lines

    def bytes(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()


def _vn(value: dt.datetime) -> str:
    return value.astimezone(VN_TZ).strftime("%H giờ %M, ngày %d/%m/%Y")


def receipt_pdf(
    *, code: str, agency_name: str, procedure_name: str, applicant_name: str, received_at: dt.datetime,
    due_date: dt.date | None, delivery: str, fee_vnd: int | None, return_address: str | None, tracking_link: str,
) -> bytes:
    page = _Page(f"Giấy tiếp nhận hồ sơ {code}")
    page.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 11, bold=True)
    page.center("Độc lập - Tự do - Hạnh phúc", 11)
    page.gap(10)
    page.center(agency_name.upper(), 11, bold=True)
    page.gap(6)
    page.center("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", 14, bold=True)
    page.center(f"Mã hồ sơ: {code}", 12, bold=True)
    page.gap(8)
    page.field("Tiếp nhận hồ sơ của", applicant_name)
    page.field("Thủ tục", procedure_name)
    page.field("Thời điểm nộp", _vn(received_at) + " (nộp trực tuyến)")
    page.field(
        "Ngày hẹn trả kết quả",
        due_date.strftime("%d/%m/%Y") if due_date else "theo thông báo của cơ quan giải quyết",
    )
    page.field("Cách nhận kết quả", DELIVERY.get(delivery, delivery))
    if return_address:
        page.field("Địa chỉ nhận kết quả", return_address)
    if fee_vnd is not None:
        page.field("Phí, lệ phí", "miễn phí" if fee_vnd == 0 else f"{fee_vnd:,}".replace(",", ".") + " đồng")
    page.gap(8)
    page.line("Ngày hẹn trả đã tính theo ngày làm việc: không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết.", 9.5)
    page.line("Quét mã QR hoặc mở đường dẫn dưới đây để theo dõi hồ sơ và bật thông báo:", 9.5)
    page.line(tracking_link, 9)
    page.qr(tracking_link)
    return page.bytes()


def form_pdf(
    *, title: str, procedure_name: str, pages: list[tuple[str, list[tuple[str, str]]]], agency: str,
    mail_to: str | None, applicant_note: str,
) -> bytes:
    """The citizen's answers laid out for printing and signing (levels 1–2, or on paper)."""
    page = _Page(title)
    page.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 11, bold=True)
    page.center("Độc lập - Tự do - Hạnh phúc", 11)
    page.gap(8)
    page.center(title.upper(), 13, bold=True)
    page.line(f"Thủ tục: {procedure_name}", 10)
    page.line(f"Kính gửi: {agency}", 10)
    page.gap(6)
    for heading, rows in pages:
        page.line(heading, 11, bold=True)
        for label, value in rows:
            page.line(f"{label}: {value or '………………………………'}", 10, indent=4 * mm)
        page.gap(4)
    page.gap(8)
    page.line(applicant_note, 9.5)
    page.line("Người khai ký, ghi rõ họ tên: ……………………………………", 10.5)
    if mail_to:
        page.gap(10)
        page.line("Nộp hoặc gửi hồ sơ:", 10.5, bold=True)
        page.line(mail_to, 10)
    return page.bytes()


def qr_svg(data: str, size: float = 240) -> str:
    """A QR code as SVG, for the resume link shown on screen (the PWA draws no QR itself)."""
    from reportlab.graphics import renderSVG

    widget = QrCodeWidget(data)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return renderSVG.drawToString(drawing)


def display_value(value: Any) -> str:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dict):
        return str(value.get("formatted") or value.get("name") or value.get("input") or "")
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value)
    return "" if value is None else str(value)
