"""Adapter from the national portal's machine format to ``ProcedureRecord``.

The Cổng Dịch vụ công quốc gia publishes procedures ("LayThuTuc") as JSON
objects with uppercase keys (MATTHC, TENTTHC, CACHTHUCTHUCHIEN ...). The shape
consumers see in practice:

- ``CAPTHUCHIEN``: ``[{CAPTHUCHIEN: "1".."3", TENCAP: "Cấp Tỉnh"}]``
- ``CACHTHUCTHUCHIEN``: ``[{KENH: "1"|"2"|"3", THOIGIAN: [{THOIGIANGIAIQUYET,
  DONVITINH, MOTA, PHILEPHI: [{MAPHILEPHI, SOTIEN, DONVI, MOTA}]}]}]`` --
  fees hang off each processing-time entry, not off the channel (a few
  exports put ``PHILEPHI`` on the channel; both are read).
- ``THANHPHANHOSO``: ``[{TRUONGHOP, GIAYTO: [{TENGIAYTO, SOBANCHINH,
  SOBANSAO, TENMAUDON, URL}]}]``
- ``TRINHTUTHUCHIEN``: ``[{TRUONGHOP, TRINHTU: [{TENTRINHTU}]}]``
- ``CANCUPHAPLY``: ``[{SOVANBAN, TENVANBAN, NGAYBANHANH, ...}]``
- ``YEUCAU`` (conditions), ``KETQUATHUCHIEN`` ``[{TENKETQUA}]``, ``TUKHOA``.

The standard payload carries no online service level; some provincial
exports add ``MUCDO``. Real exports are untidy (numbers as strings, HTML in
text, single objects instead of lists, JSON-in-a-string), so parsing is
lenient about form but strict about meaning: nothing the record does not say
is filled in -- missing facts are left empty or listed in
``needs_verification``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from typing import Any

import msgspec

from api.procedures.schema import Fact, ProcedureRecord

__all__ = ["PortalFormatError", "from_portal", "is_portal_record"]

# Shown where the schema needs text but the record has none (same wording
# as the schema's own default for fees).
NO_INFO = "Không có thông tin"
SHORT, LONG = 500, 4000

_PORTAL_MARKERS = {
    "MATTHC",
    "TENTTHC",
    "CACHTHUCTHUCHIEN",
    "THANHPHANHOSO",
    "LINHVUCTHUCHIEN",
    "CAPTHUCHIEN",
    "COQUANTHUCHIEN",
    "TRINHTUTHUCHIEN",
}
# Keys only the project's own format has; their presence means "not portal".
_OWN_MARKERS = {"code", "channels", "sources", "agency"}

_LEVEL_RANK = {"xa": 0, "tinh": 1, "trung_uong": 2}
# Numeric CAPTHUCHIEN codes as one portal consumer (TD.DichVuCongApi) reads
# them; not officially documented, so a level known only by its code is
# flagged for checking.
_LEVEL_CODES = {"0": "trung_uong", "1": "tinh", "2": "huyen", "3": "xa"}
_KENH_CODES = {"1": "truc_tiep", "2": "truc_tuyen", "3": "buu_chinh"}


class PortalFormatError(ValueError):
    """A portal record (or one of its fields) that cannot be converted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --------------------------------------------------------------------------
# small helpers


def _fold(text: str) -> str:
    """Lowercase without diacritics, for matching labels like "Cấp Xã"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def _get(obj: dict[str, Any], *names: str) -> Any:
    """First non-null value among ``names``, matched case-insensitively
    (one widely used consumer re-serialises MATTHC as "MaTTHC")."""
    for name in names:
        if obj.get(name) is not None:
            return obj[name]
    upper = {k.upper(): v for k, v in obj.items() if isinstance(k, str)}
    for name in names:
        if upper.get(name.upper()) is not None:
            return upper[name.upper()]
    return None


def _maybe_json(value: Any) -> Any:
    """Some exports embed nested lists as JSON strings."""
    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _objects(value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """A list of objects with their paths; a lone object counts as a list."""
    value = _maybe_json(value)
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise PortalFormatError(path, f"expected a list of objects, got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        if item is None:
            continue
        if not isinstance(item, dict):
            raise PortalFormatError(f"{path}[{i}]", f"expected an object, got {type(item).__name__}")
        out.append((f"{path}[{i}]", item))
    return out


_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.I)
_LI_TAG = re.compile(r"<\s*li\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def _text(value: Any, path: str) -> str:
    """Plain text from a portal text field: HTML removed, entities decoded,
    whitespace tidied, line breaks kept. Empty string when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PortalFormatError(path, f"expected text, got {type(value).__name__}")
    text = str(value)
    if "<" in text or "&" in text:
        text = _BLOCK_TAGS.sub("\n", text)
        text = _LI_TAG.sub("\n- ", text)
        text = _ANY_TAG.sub("", text)
        text = html.unescape(text)
    text = text.replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _number(value: Any, path: str) -> float | None:
    """A count or duration given as 1, "1", "01", "1,5" or "". None if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise PortalFormatError(path, f"expected a number, got {type(value).__name__}")
    text = _text(value, path).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _count(value: Any, path: str) -> int | None:
    """Number of copies (SOBANCHINH/SOBANSAO) as 1, "01" or "1 bản"; the
    schema allows 0..20. None when absent."""
    if isinstance(value, str):
        text = _text(value, path)
        if not text:
            return None
        m = re.match(r"^(\d{1,3})(?:[.,]0+)?(?:\s|$)", text)
        if not m:
            raise PortalFormatError(path, f"not a number of copies: {text!r}")
        n: float | None = float(m.group(1))
    else:
        n = _number(value, path)
    if n is None:
        return None
    if n != int(n) or not 0 <= n <= 20:
        raise PortalFormatError(path, f"number of copies out of range: {value!r}")
    return int(n)


def parse_date(value: Any, path: str) -> dt.date | None:
    """ "dd/mm/yyyy", "dd-mm-yyyy", ISO date or ISO datetime; None if absent.

    Raises PortalFormatError for text that is not a date."""
    text = _text(value, path) if value is not None else ""
    if not text:
        return None
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b", text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise PortalFormatError(path, f"not a date: {text!r}")


_AMOUNT = re.compile(r"^([\d][\d.,\s]*)\s*(đồng|dong|vnđ|vnd|đ)?\s*(/.*)?$", re.I)
_FREE = ("mien", "khong thu", "khong co phi", "khong mat phi", "khong phai nop")


def parse_amount(value: Any, path: str) -> int | None:
    """An amount in đồng: 50000, "50.000", "50,000 đồng" -> 50000;
    "0" or "Miễn phí" -> 0; text such as "Theo quy định" -> None.

    Numbers inside prose are deliberately not picked out: "Thông tư
    85/2019/TT-BTC" is not a fee of 85 đồng."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            raise PortalFormatError(path, f"negative amount: {value!r}")
        return int(round(value))
    if not isinstance(value, str):
        raise PortalFormatError(path, f"expected an amount, got {type(value).__name__}")
    text = _one_line(_text(value, path))
    if not text:
        return None
    if text.startswith("-") and re.match(r"^-\s*\d", text):
        raise PortalFormatError(path, f"negative amount: {text!r}")
    folded = _fold(text)
    if any(folded.startswith(w) for w in _FREE):
        return 0
    m = _AMOUNT.match(text)
    if not m or "%" in text:
        return None
    digits = m.group(1).replace(" ", "").rstrip(".,")
    # Dots/commas followed by groups of three digits are thousands separators;
    # anything else is a decimal part (rare for đồng, rounded away).
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) or digits.isdigit():
        return int(re.sub(r"[.,]", "", digits))
    try:
        return int(round(float(digits.replace(",", "."))))
    except ValueError:
        return None


def parse_channel(value: Any, path: str) -> str:
    """KENH as 1/2/3 or as a label ("Trực tiếp", "Nộp trực tuyến", ...)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    text = _text(value, path) if value is not None else ""
    if not text:
        raise PortalFormatError(path, "channel (KENH) is missing")
    if text.lstrip("0") in _KENH_CODES:
        return _KENH_CODES[text.lstrip("0")]
    folded = _fold(text)
    if "buu chinh" in folded or "buu dien" in folded:
        return "buu_chinh"
    if "truc tuyen" in folded or "online" in folded or "dich vu cong" in folded:
        return "truc_tuyen"
    if "truc tiep" in folded:
        return "truc_tiep"
    raise PortalFormatError(path, f"unknown channel: {text!r}")


class _Flags:
    """Collects needs_verification facts and editor notes, in order."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.notes: list[str] = []

    def add(self, fact: Fact | None, note: str | None = None) -> None:
        if fact is not None and fact not in self.facts:
            self.facts.append(fact)
        if note and note not in self.notes:
            self.notes.append(note)


# --------------------------------------------------------------------------
# sections


def _level_of(label: str) -> str | None:
    folded = _fold(label)
    if "co quan khac" in folded or folded == "khac":
        return "khac"
    if re.search(r"\b(huyen|quan|thi xa)\b", folded):
        return "huyen"
    if re.search(r"\b(xa|phuong|thi tran|dac khu)\b", folded):
        return "xa"
    if re.search(r"\b(tinh|thanh pho)\b", folded):
        return "tinh"
    if re.search(r"\b(bo|trung uong|nganh|chinh phu|quoc gia)\b", folded):
        return "trung_uong"
    return None


def _agency(raw: dict[str, Any], channels: list[dict[str, Any]], flags: _Flags) -> dict[str, Any]:
    found: list[tuple[str, str]] = []  # (label as given, level)
    by_code_only = False
    cap = _maybe_json(_get(raw, "CAPTHUCHIEN"))
    if isinstance(cap, (str, int)) and not isinstance(cap, bool):
        cap = [{"TENCAP": cap}] if not str(cap).strip().isdigit() else [{"CAPTHUCHIEN": cap}]
    for path, item in _objects(cap, "CAPTHUCHIEN"):
        label = _text(_get(item, "TENCAP", "TENCAPTHUCHIEN"), f"{path}.TENCAP")
        code = _text(_get(item, "CAPTHUCHIEN", "MACAP"), f"{path}.CAPTHUCHIEN")
        level = _level_of(label) if label else None
        if level is None and code:
            level = _level_of(code) if not code.isdigit() else _LEVEL_CODES.get(code.lstrip("0") or "0")
            by_code_only = level is not None
            label = label or code
        if level is None:
            raise PortalFormatError(f"{path}.TENCAP", f"unknown implementation level: {label or code!r}")
        found.append((label, level))
    if not found:
        raise PortalFormatError("CAPTHUCHIEN", "no implementation level (cấp thực hiện)")

    names = [
        _one_line(_text(_get(item, "TENDONVI", "TENCOQUAN"), f"{path}.TENDONVI"))
        for path, item in _objects(_get(raw, "COQUANTHUCHIEN"), "COQUANTHUCHIEN")
    ]
    names = list(dict.fromkeys(n for n in names if n))
    name = "; ".join(names) or _one_line(_text(_get(raw, "MOTACOQUANTHUCHIEN"), "MOTACOQUANTHUCHIEN"))
    if not name:
        name = NO_INFO
        flags.add("agency", "Bản ghi không nêu cơ quan thực hiện.")

    levels = {lvl for _, lvl in found}
    labels = ", ".join(dict.fromkeys(lbl for lbl, _ in found))
    if "huyen" in levels:
        flags.add(
            "agency",
            f"Cổng ghi cấp thực hiện là {labels}; cấp huyện đã bị bãi bỏ từ 01/07/2025, "
            "tạm xếp vào cấp xã -- cần kiểm tra cơ quan tiếp nhận hiện nay.",
        )
    if "khac" in levels:
        flags.add("agency", f"Cổng ghi cấp thực hiện là {labels}; tạm xếp vào cấp trung ương.")
    if by_code_only:
        flags.add("agency", "Cấp thực hiện chỉ có mã số, không có tên cấp.")
    mapped = {"xa" if lvl == "huyen" else "trung_uong" if lvl == "khac" else lvl for lvl in levels}
    if len(mapped) > 1:
        flags.add("agency", f"Cổng ghi nhiều cấp thực hiện ({labels}); giữ cấp thấp nhất.")
    level = min(mapped, key=_LEVEL_RANK.__getitem__)

    agency: dict[str, Any] = {"name": _clip(name, SHORT), "level": level}
    # The reception address is where a posted dossier goes; only meaningful
    # when the record offers the postal channel.
    address = _one_line(_text(_get(raw, "DIACHITIEPNHAN"), "DIACHITIEPNHAN"))
    if address and any(c["channel"] == "buu_chinh" for c in channels):
        agency["postal_address"] = _clip(address, SHORT)
    return agency


def _days(value: float | None, unit: str) -> float | None:
    """Working days for a duration, or None when the unit does not allow it."""
    if value is None or value < 0:
        return None
    folded = _fold(unit)
    if folded.startswith("ngay"):
        return value
    if folded.startswith("gio"):
        if value <= 8:
            return 0.0  # within one working day
        if "lam viec" in folded:
            return float(-(-value // 8))
        return None  # "24 giờ" may be clock hours: not convertible safely
    return None


def _fmt_amount(value: Any, amount: int | None) -> str:
    if amount is not None and isinstance(value, (int, float)):
        return f"{amount:,}".replace(",", ".")
    return _one_line(_text(value, "")) if isinstance(value, str) else ""


def _channel(path: str, item: dict[str, Any], flags: _Flags) -> dict[str, Any]:
    channel = parse_channel(_get(item, "KENH", "TENKENH"), f"{path}.KENH")
    times: list[str] = []
    day_values: list[float | None] = []
    fees: list[tuple[str, dict[str, Any]]] = []
    for tpath, t in _objects(_get(item, "THOIGIAN"), f"{path}.THOIGIAN"):
        raw_value = _get(t, "THOIGIANGIAIQUYET")
        value = _number(raw_value, f"{tpath}.THOIGIANGIAIQUYET")
        unit = _one_line(_text(_get(t, "DONVITINH"), f"{tpath}.DONVITINH"))
        mota = _one_line(_text(_get(t, "MOTA"), f"{tpath}.MOTA"))
        shown = _one_line(_text(raw_value, f"{tpath}.THOIGIANGIAIQUYET")) if raw_value is not None else ""
        if value is not None:
            shown = f"{value:g}"
        part = " ".join(p for p in (shown, unit) if p)
        if mota:
            part = f"{part} ({mota})" if part else mota
        if part:
            times.append(part)
        day_values.append(_days(value, unit))
        fees += _objects(_get(t, "PHILEPHI"), f"{tpath}.PHILEPHI")
    fees += _objects(_get(item, "PHILEPHI"), f"{path}.PHILEPHI")

    info: dict[str, Any] = {"channel": channel}
    if times:
        info["processing_time"] = _clip("; ".join(times), SHORT)
        known = {d for d in day_values if d is not None}
        # One figure for the channel only when every entry agrees.
        if len(known) == 1 and None not in day_values:
            info["processing_days"] = known.pop()
    else:
        info["processing_time"] = NO_INFO
        flags.add("processing_time")

    texts: list[str] = []
    amounts: list[int | None] = []
    for fpath, fee in fees:
        sotien = _get(fee, "SOTIEN")
        amount = parse_amount(sotien, f"{fpath}.SOTIEN")
        unit = _one_line(_text(_get(fee, "DONVI"), f"{fpath}.DONVI"))
        mota = _one_line(_text(_get(fee, "MOTA"), f"{fpath}.MOTA"))
        if amount is not None and amount > 0 and unit and not re.match(r"^(đồng|vnđ|vnd|đ)\b", unit, re.I):
            amount = None  # "%" or a foreign currency: not an amount in đồng
        if amount is None and sotien in (None, "") and any(w in _fold(mota) for w in _FREE):
            amount = 0  # "Miễn lệ phí" stated only in the description
        shown = _fmt_amount(sotien, amount)
        amount_text = " ".join(p for p in (shown, unit) if p)
        texts.append(": ".join(p for p in (mota, amount_text) if p))
        amounts.append(amount)
    texts = [t for t in texts if t]
    if texts:
        info["fee"] = _clip("; ".join(dict.fromkeys(texts)), SHORT)
        known_amounts = [a for a in amounts if a is not None]
        # Amounts are never negative, so a known 0 is the lowest whatever the
        # unknown entries say; otherwise an unknown entry could be lower.
        if known_amounts and (min(known_amounts) == 0 or None not in amounts):
            info["fee_vnd"] = min(known_amounts)
    else:
        flags.add("fee")
    return info


# "Mẫu CT01", "Mẫu số 01/ĐKHK" -- but not the phrase "theo mẫu quy định".
_FORM_CODE = re.compile(r"\b[Mm]ẫu\s+(?:số\s+)?([A-ZĐ]*\d[\w.\-/]*|[A-ZĐ]{2,}\d*[\w.\-/]*)")
_CIRCULAR = re.compile(r"\b(?:Thông tư|TT)\s*(?:số\s*)?(\d+/\d{4}/TT-[A-ZĐ0-9\-]+)", re.I)
_FILE_EXT = re.compile(r"\.(docx?|pdf|xlsx?|odt|rtf|zip)$", re.I)


def _documents(raw: dict[str, Any], flags: _Flags) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    groups = _objects(_get(raw, "THANHPHANHOSO"), "THANHPHANHOSO")
    for gpath, group in groups:
        case = _one_line(_text(_get(group, "TRUONGHOP"), f"{gpath}.TRUONGHOP"))
        for path, item in _objects(_get(group, "GIAYTO"), f"{gpath}.GIAYTO"):
            name = _one_line(_text(_get(item, "TENGIAYTO"), f"{path}.TENGIAYTO"))
            if not name:
                flags.add("documents", "Có giấy tờ không có tên trong thành phần hồ sơ.")
                continue
            doc: dict[str, Any] = {"name": _clip(name, LONG)}
            originals = _count(_get(item, "SOBANCHINH"), f"{path}.SOBANCHINH")
            copies = _count(_get(item, "SOBANSAO"), f"{path}.SOBANSAO")
            if originals is None and copies is None:
                flags.add("documents", "Có giấy tờ không ghi số bản chính/bản sao.")
            if originals is not None:
                doc["originals"] = originals
            elif copies is not None:
                doc["originals"] = 0  # only copies are asked for
            if copies is not None:
                doc["copies"] = copies
            if case:
                doc["case"] = _clip(case, SHORT)
            if "nếu có" in name.lower():
                doc["required"] = False
            form = _form(path, item, name)
            if form:
                doc["form"] = form
            elif re.search(r"theo mẫu|tờ khai", name, re.I):
                flags.add("forms", "Giấy tờ theo mẫu nhưng bản ghi không kèm mẫu đơn.")
            docs.append(doc)
    if not groups:
        flags.add("documents")
    return docs


def _form(path: str, item: dict[str, Any], doc_name: str) -> dict[str, Any] | None:
    title = _one_line(_text(_get(item, "TENMAUDON", "MAUDON"), f"{path}.TENMAUDON"))
    url = _one_line(_text(_get(item, "URL", "DUONGDANMAUDON"), f"{path}.URL"))
    if not title and not url:
        return None
    form: dict[str, Any] = {"name": _clip(_FILE_EXT.sub("", title) or _one_line(doc_name), SHORT)}
    code = _FORM_CODE.search(title) or _FORM_CODE.search(doc_name)
    if code:
        form["code"] = f"Mẫu {code.group(1).rstrip('.,;)')}"
    circular = _CIRCULAR.search(title) or _CIRCULAR.search(doc_name)
    if circular:
        form["issued_by"] = f"Thông tư {circular.group(1)}"
    if re.match(r"^https?://\S+$", url) and len(url) <= 1000:
        form["url"] = url
    return form


_STEP_START = re.compile(r"^(Bước\s+\d+|B\d+)\b", re.I)


def _split_steps(text: str) -> list[str]:
    """A block holding "Bước 1 ... Bước 2 ..." becomes one step per "Bước"."""
    lines = text.split("\n")
    if sum(1 for line in lines if _STEP_START.match(line)) < 2:
        return [text]
    steps: list[str] = []
    for line in lines:
        if _STEP_START.match(line) or not steps:
            steps.append(line)
        else:
            steps[-1] += "\n" + line
    return steps


def _steps(raw: dict[str, Any], flags: _Flags) -> list[str]:
    value = _maybe_json(_get(raw, "TRINHTUTHUCHIEN"))
    if value is None:
        flags.add("steps")
        return []
    if isinstance(value, str):
        return [_clip(s, LONG) for s in _split_steps(_text(value, "TRINHTUTHUCHIEN")) if s]
    groups = _objects(value, "TRINHTUTHUCHIEN")
    steps: list[str] = []
    for gpath, group in groups:
        case = _one_line(_text(_get(group, "TRUONGHOP"), f"{gpath}.TRUONGHOP"))
        for path, item in _objects(_get(group, "TRINHTU"), f"{gpath}.TRINHTU"):
            text = _text(_get(item, "TENTRINHTU"), f"{path}.TENTRINHTU")
            for step in _split_steps(text) if text else []:
                # Several cases: say which one each step belongs to.
                steps.append(_clip(f"{case}: {step}" if case and len(groups) > 1 else step, LONG))
    return steps


def _conditions(raw: dict[str, Any], flags: _Flags) -> list[str]:
    value = _get(raw, "YEUCAU", "YEUCAUDIEUKIEN")
    if value is None:
        flags.add("conditions")
        return []
    value = _maybe_json(value)
    if isinstance(value, list):
        parts = [
            _text(_get(v, "NOIDUNG", "TEN") if isinstance(v, dict) else v, f"YEUCAU[{i}]")
            for i, v in enumerate(value)
        ]
    else:
        parts = _text(value, "YEUCAU").split("\n")
    parts = [p.lstrip("-+• ").strip() for p in parts]
    parts = [p for p in parts if p]
    if len(parts) == 1 and re.fullmatch(r"(không|không có|không quy định)\.?", parts[0], re.I):
        return []
    return [_clip(p, LONG) for p in parts]


def _result(raw: dict[str, Any], flags: _Flags) -> str:
    value = _maybe_json(_get(raw, "KETQUATHUCHIEN", "KETQUA"))
    if isinstance(value, str):
        text = _text(value, "KETQUATHUCHIEN")
    else:
        names = [
            _one_line(_text(_get(item, "TENKETQUA"), f"{path}.TENKETQUA"))
            for path, item in _objects(value, "KETQUATHUCHIEN")
        ]
        text = "; ".join(dict.fromkeys(n for n in names if n))
    if not text:
        flags.add("result")
        return NO_INFO
    return _clip(text, LONG)


_DOC_NUMBER = re.compile(r"\b(\d+/(?:\d{4}/)?[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*)\b")


def _legal_basis(raw: dict[str, Any], flags: _Flags) -> list[dict[str, Any]]:
    value = _maybe_json(_get(raw, "CANCUPHAPLY"))
    if value is None:
        flags.add("legal_basis")
        return []
    out: list[dict[str, Any]] = []
    if isinstance(value, str):
        # Free text: one line per text; the date is not separable reliably.
        for line in _text(value, "CANCUPHAPLY").split("\n"):
            m = _DOC_NUMBER.search(line)
            if m:
                out.append({"number": m.group(1), "title": _clip(line.lstrip("-+• "), LONG)})
        flags.add("legal_basis", "Căn cứ pháp lý chỉ có dạng văn bản tự do; ngày ban hành chưa tách được.")
        return out
    for path, item in _objects(value, "CANCUPHAPLY"):
        number = _one_line(_text(_get(item, "SOVANBAN", "SOHIEU", "KYHIEU"), f"{path}.SOVANBAN"))
        title = _text(_get(item, "TENVANBAN", "TRICHYEU"), f"{path}.TENVANBAN")
        if not number and title:
            m = _DOC_NUMBER.search(title)
            number = m.group(1) if m else ""
        if not number:
            flags.add("legal_basis", "Có căn cứ pháp lý không ghi số hiệu văn bản.")
            continue
        basis: dict[str, Any] = {"number": _clip(number, SHORT), "title": _clip(title or number, LONG)}
        try:
            issued = parse_date(_get(item, "NGAYBANHANH"), f"{path}.NGAYBANHANH")
        except PortalFormatError:
            # A garbled date is no reason to drop the whole procedure: keep it, flagged.
            issued = None
            flags.add("legal_basis", f"Ngày ban hành của văn bản {number} không đọc được.")
        if issued:
            basis["issued"] = issued
        out.append(basis)
    return out


_LEVEL_WORDS = (("toan trinh", 4), ("mot phan", 3), ("cung cap thong tin", 2))


def _online_level(raw: dict[str, Any], channels: list[dict[str, Any]], flags: _Flags) -> int:
    value = _get(raw, "MUCDO", "MUCDODVC", "MUCDODVCTT", "MUCDOTRUCTUYEN", "MUCDODVCTRUCTUYEN")
    if value is not None and value != "":
        n = _number(value, "MUCDO")
        if n is None:
            text = _text(value, "MUCDO")
            folded = _fold(text)
            m = re.search(r"\b([1-4])\b", folded)
            n = float(m.group(1)) if m else None
            n = next((float(lvl) for word, lvl in _LEVEL_WORDS if word in folded), n)
        if n is None or n != int(n) or not 1 <= n <= 4:
            raise PortalFormatError("MUCDO", f"unknown online service level: {value!r}")
        return int(n)
    # The standard LayThuTuc payload has no level. An online channel proves
    # at least "một phần"; the exact level must be checked.
    online = any(c["channel"] == "truc_tuyen" for c in channels)
    flags.add(
        "online_level",
        "Bản ghi không nêu mức độ dịch vụ công trực tuyến; "
        + (
            "tạm ghi mức 3 vì có kênh nộp trực tuyến."
            if online
            else "tạm ghi mức 2 vì không có kênh trực tuyến."
        ),
    )
    return 3 if online else 2


def _aliases(raw: dict[str, Any]) -> list[str]:
    text = _text(_get(raw, "TUKHOA"), "TUKHOA")
    words = (w.strip() for w in re.split(r"[,;\n]", text))
    return list(dict.fromkeys(_clip(w, SHORT) for w in words if w))


# --------------------------------------------------------------------------
# entry points


def is_portal_record(raw: Any) -> bool:
    """True for a record in the portal's uppercase format (even an incomplete
    one, so it gets a precise error), False for the project's own format."""
    if not isinstance(raw, dict) or not raw:
        return False
    keys = {k for k in raw if isinstance(k, str)}
    if keys & _OWN_MARKERS:
        return False
    return bool({k.upper() for k in keys} & _PORTAL_MARKERS)


_OUR_FIELD_TO_PORTAL = {
    "code": "MATTHC",
    "name": "TENTTHC",
    "field": "LINHVUCTHUCHIEN",
    "agency": "COQUANTHUCHIEN",
    "online_level": "MUCDO",
    "channels": "CACHTHUCTHUCHIEN",
    "documents": "THANHPHANHOSO",
    "result": "KETQUATHUCHIEN",
    "legal_basis": "CANCUPHAPLY",
    "steps": "TRINHTUTHUCHIEN",
    "conditions": "YEUCAU",
    "aliases": "TUKHOA",
}


def from_portal(raw: dict, *, source_url: str, checked: dt.date) -> ProcedureRecord:
    """Convert one portal record; raises PortalFormatError naming the portal
    key at fault when the record cannot be represented."""
    if not isinstance(raw, dict):
        raise PortalFormatError("record", f"expected an object, got {type(raw).__name__}")
    flags = _Flags()

    code = _one_line(_text(_get(raw, "MATTHC", "MA_TTHC"), "MATTHC"))
    if not code:
        raise PortalFormatError("MATTHC", "procedure code is missing")
    if not re.fullmatch(r"[0-9]{1,3}\.[0-9]{3,8}(\.[0-9A-Za-z.]+)?", code) or len(code) > 40:
        raise PortalFormatError("MATTHC", f"not a national procedure code: {code!r}")
    name = _one_line(_text(_get(raw, "TENTTHC", "TEN_TTHC"), "TENTTHC"))
    if not name:
        raise PortalFormatError("TENTTHC", "procedure name is missing")

    fields = [
        _one_line(_text(_get(item, "TENLINHVUC"), f"{path}.TENLINHVUC"))
        for path, item in _objects(_get(raw, "LINHVUCTHUCHIEN"), "LINHVUCTHUCHIEN")
    ]
    field = "; ".join(dict.fromkeys(f for f in fields if f))
    if not field:
        field = NO_INFO
        flags.add(None, "Bản ghi không nêu lĩnh vực.")

    channels = [
        _channel(path, item, flags)
        for path, item in _objects(_get(raw, "CACHTHUCTHUCHIEN"), "CACHTHUCTHUCHIEN")
    ]
    if not channels:
        raise PortalFormatError("CACHTHUCTHUCHIEN", "no way of submitting (cách thức thực hiện)")

    record: dict[str, Any] = {
        "code": code,
        "name": _clip(name, LONG),
        "field": _clip(field, SHORT),
        "agency": _agency(raw, channels, flags),
        "online_level": _online_level(raw, channels, flags),
        "channels": channels,
        "documents": _documents(raw, flags),
        "result": _result(raw, flags),
        "legal_basis": _legal_basis(raw, flags),
        "sources": [{"url": source_url, "checked": checked}],
        "steps": _steps(raw, flags),
        "conditions": _conditions(raw, flags),
        "aliases": _aliases(raw),
    }
    effective = _get(raw, "NGAYHIEULUC", "NGAYCOHIEULUC")
    if effective is not None:
        record["effective_date"] = parse_date(effective, "NGAYHIEULUC")
    if flags.facts:
        record["needs_verification"] = flags.facts
    if flags.notes:
        record["verification_note"] = _clip(" ".join(flags.notes), LONG)

    try:
        return msgspec.convert(record, ProcedureRecord)
    except msgspec.ValidationError as exc:
        # Should not happen after the checks above; still name a portal key.
        m = re.search(r"\$\.(\w+)", str(exc))
        ours = m.group(1) if m else ""
        if ours == "sources":
            raise ValueError(f"invalid source_url or checked date: {exc}") from None
        raise PortalFormatError(_OUR_FIELD_TO_PORTAL.get(ours, ours or "record"), str(exc)) from None
