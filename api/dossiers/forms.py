"""Declarative online forms: the definitions in ``data/forms/*.json`` and the validation of answers.

A citizen fills a procedure's declaration form (tờ khai, đơn) one page at a time,
saves drafts and submits. Each form is one JSON file named after the procedure's
slug, ``data/forms/<procedure-slug>.json``, with this shape (unknown keys are
rejected when the file is loaded)::

    {
      "procedure_slug": "dang-ky-khai-sinh",          # = the file name and the catalog slug
      "title": "Tờ khai đăng ký khai sinh",
      "source": {
        "form": "Tờ khai đăng ký khai sinh – Thông tư 04/2020/TT-BTP, …",  # the mẫu and its circular
        "checked": "2026-11-25",                     # when it was last compared with the source
        "note": "…"                                  # optional: what was left out, what to verify
      },
      "pages": [                                     # in the order the citizen sees them
        {"id": "nguoi_yeu_cau", "title": "Người đi đăng ký khai sinh", "fields": ["ho_ten", …]}
      ],
      "fields": [                                    # in page order; each on exactly one page
        {
          "id": "ho_ten",                            # snake_case ASCII, unique in the form
          "type": "text",                            # text | textarea | date | select | radio | cccd |
                                                     # phone | email | address | number | attachment | checkbox
          "label": "Họ, chữ đệm và tên của anh/chị", # Vietnamese, NFC, a question a citizen understands
          "hint": "Ghi đúng như trên thẻ căn cước.", # optional, short and plain
          "required": true,
          "options": [{"value": "nam", "label": "Nam"}],      # select and radio only (at least two)
          "max_length": 100,                         # text, textarea, address (defaults 200/2000/300)
          "min": 1, "max": 10,                       # number only
          "decimals": 0,                             # number only: decimal places allowed (default 0)
          "not_future": true,                        # date: not after today; number: not after this year
          "accept": ["application/pdf", "image/jpeg", "image/png"],  # attachment only
          "max_bytes": 10485760,                     # attachment only
          "show_if": {"field": "co_ban_sao", "equals": "co"}        # optional: shown only when an
        }                                            # earlier select/radio/checkbox has that value
      ]
    }

``decimals`` and ``not_future`` extend the basic shape: a year of birth is a number
that may not be in the future, a floor area a number with decimals.

``validate_answers`` returns ``(values, errors)``. ``values`` has an entry for every
answer given: the normalised value when it is valid, the answer exactly as sent when
it is not (so nothing the citizen typed is lost); empty answers become ``None``.
``errors`` maps field ids to short, polite Vietnamese messages. Answers for ids the
form does not have are reported in ``errors`` and left out of ``values``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from api.settings import ROOT

FORMS_DIR = ROOT / "data" / "forms"
LEGACY_UNITS = ROOT / "data" / "admin_units" / "units_legacy.json"

FieldType = Literal[
    "text", "textarea", "date", "select", "radio", "cccd", "phone", "email", "address", "number",
    "attachment", "checkbox",
]
ContentType = Literal["application/pdf", "image/jpeg", "image/png"]

FieldId = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=64)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]
Hint = Annotated[str, msgspec.Meta(min_length=1, max_length=600)]
OptionValue = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=64)]

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 300}
# Vietnam has no daylight saving time: UTC+7 all year.
VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7))


class FormDefinitionError(ValueError):
    """A form file that does not load: wrong JSON shape or inconsistent references."""


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    value: OptionValue
    label: Label


class ShowIf(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    field: FieldId
    equals: str | bool


class Field(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    id: FieldId
    type: FieldType
    label: Label
    required: bool
    hint: Hint | None = None
    options: list[Option] | None = None
    max_length: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    min: float | None = None
    max: float | None = None
    decimals: Annotated[int, msgspec.Meta(ge=0, le=4)] = 0
    not_future: bool = False
    accept: list[ContentType] | None = None
    max_bytes: Annotated[int, msgspec.Meta(ge=1, le=MAX_ATTACHMENT_BYTES)] | None = None
    show_if: ShowIf | None = None


class Page(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: FieldId
    title: Label
    fields: Annotated[list[FieldId], msgspec.Meta(min_length=1)]


class FormSource(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    form: Label
    checked: dt.date
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None


class FormDefinition(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    procedure_slug: Slug
    title: Label
    source: FormSource
    pages: Annotated[list[Page], msgspec.Meta(min_length=1)]
    fields: Annotated[list[Field], msgspec.Meta(min_length=1)]

    def field_map(self) -> dict[str, Field]:
        return {f.id: f for f in self.fields}


# --------------------------------------------------------------------------- loading


def _check_text(where: str, text: str | None) -> None:
    if text is None:
        return
    if not unicodedata.is_normalized("NFC", text):
        raise FormDefinitionError(f"{where}: text is not NFC")
    if text != text.strip() or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise FormDefinitionError(f"{where}: surrounding spaces or control characters")


def check_definition(form: FormDefinition) -> None:
    """Cross-field rules that the struct types cannot express; raises FormDefinitionError."""
    _check_text("title", form.title)
    _check_text("source.form", form.source.form)
    _check_text("source.note", form.source.note)
    ids = [f.id for f in form.fields]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise FormDefinitionError(f"duplicate field ids: {dupes}")
    page_ids = [p.id for p in form.pages]
    if len(set(page_ids)) != len(page_ids):
        raise FormDefinitionError("duplicate page ids")
    on_pages = [fid for p in form.pages for fid in p.fields]
    unknown = sorted(set(on_pages) - set(ids))
    if unknown:
        raise FormDefinitionError(f"pages name unknown fields: {unknown}")
    if len(set(on_pages)) != len(on_pages):
        raise FormDefinitionError("a field is on more than one page")
    if on_pages != ids:
        missing = sorted(set(ids) - set(on_pages))
        raise FormDefinitionError(
            f"fields not on any page: {missing}" if missing else "fields are not listed in page order"
        )
    for p in form.pages:
        _check_text(f"page {p.id}", p.title)
    position = {fid: i for i, fid in enumerate(ids)}
    by_id = form.field_map()
    for f in form.fields:
        where = f"field {f.id}"
        _check_text(where, f.label)
        _check_text(where, f.hint)
        if f.type in ("select", "radio"):
            if not f.options or len(f.options) < 2:
                raise FormDefinitionError(f"{where}: a {f.type} needs at least two options")
            values = [o.value for o in f.options]
            if len(set(values)) != len(values):
                raise FormDefinitionError(f"{where}: duplicate option values")
            for o in f.options:
                _check_text(where, o.label)
        elif f.options is not None:
            raise FormDefinitionError(f"{where}: options are only for select and radio")
        if f.type == "attachment":
            if not f.accept or f.max_bytes is None:
                raise FormDefinitionError(f"{where}: an attachment needs accept and max_bytes")
        elif f.accept is not None or f.max_bytes is not None:
            raise FormDefinitionError(f"{where}: accept and max_bytes are only for attachments")
        if f.type != "number" and (f.min is not None or f.max is not None or f.decimals):
            raise FormDefinitionError(f"{where}: min, max and decimals are only for numbers")
        if f.min is not None and f.max is not None and f.min > f.max:
            raise FormDefinitionError(f"{where}: min > max")
        if f.max_length is not None and f.type not in DEFAULT_MAX_LENGTH:
            raise FormDefinitionError(f"{where}: max_length is only for text, textarea and address")
        if f.not_future and f.type not in ("date", "number"):
            raise FormDefinitionError(f"{where}: not_future is only for dates and numbers (years)")
        if f.show_if is not None:
            ref = by_id.get(f.show_if.field)
            if ref is None or position[ref.id] >= position[f.id]:
                raise FormDefinitionError(f"{where}: show_if must name an earlier field")
            if ref.type == "checkbox":
                if not isinstance(f.show_if.equals, bool):
                    raise FormDefinitionError(f"{where}: show_if on a checkbox compares with true/false")
            elif ref.type in ("select", "radio"):
                if f.show_if.equals not in [o.value for o in ref.options or ()]:
                    raise FormDefinitionError(f"{where}: show_if value is not an option of {ref.id}")
            else:
                raise FormDefinitionError(f"{where}: show_if must name a select, radio or checkbox")


def load_form(path: Path) -> FormDefinition:
    try:
        form = msgspec.json.decode(path.read_bytes(), type=FormDefinition)
    except msgspec.ValidationError as exc:
        raise FormDefinitionError(f"{path.name}: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise FormDefinitionError(f"{path.name}: not valid JSON ({exc})") from exc
    if form.procedure_slug != path.stem:
        raise FormDefinitionError(f"{path.name}: procedure_slug {form.procedure_slug!r} ≠ file name")
    try:
        check_definition(form)
    except FormDefinitionError as exc:
        raise FormDefinitionError(f"{path.name}: {exc}") from exc
    return form


@lru_cache(maxsize=8)
def _load_forms(directory: str) -> dict[str, FormDefinition]:
    return {p.stem: load_form(p) for p in sorted(Path(directory).glob("*.json"))}


def load_forms(directory: str | Path = FORMS_DIR) -> dict[str, FormDefinition]:
    """Every form in ``directory`` by procedure slug; read and checked once per directory."""
    return dict(_load_forms(str(Path(directory).resolve())))


# --------------------------------------------------------------------------- reference data


@lru_cache(maxsize=1)
def cccd_province_codes() -> frozenset[str]:
    """The 3-digit place codes that start a CCCD number (Thông tư 07/2016/TT-BCA).

    They are "0" + the 2-digit codes of the 63 provinces before the 2025 merger,
    read from the legacy administrative units list.
    """
    data = json.loads(LEGACY_UNITS.read_text(encoding="utf-8"))
    col = data["columns"].index("provinceCode")
    return frozenset("0" + row[col] for row in data["rows"])


# --------------------------------------------------------------------------- validators


class Invalid(Exception):
    """An answer that does not pass; the message is shown to the citizen."""


MSG_REQUIRED = "Dạ, anh/chị trả lời câu này giúp em."
MSG_REQUIRED_CHOICE = "Dạ, anh/chị chọn một câu trả lời giúp em."
MSG_REQUIRED_FILE = "Dạ, anh/chị tải giấy tờ này lên giúp em."
MSG_REQUIRED_CHECKBOX = "Dạ, anh/chị đánh dấu vào ô này để xác nhận giúp em."
MSG_UNKNOWN_FIELD = "Dạ, tờ khai này không có câu hỏi này."

_CONTENT_TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
_CONTENT_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
# Invisible format characters pasted from documents and chat apps: removed silently.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
_SPACES_RE = re.compile(r"\s+")
_DATE_RE = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PHONE_RE = re.compile(r"^(?:0|\+84|84)([35789]\d{8})$")
_EMAIL_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_DOMAIN_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.(\d+))?$")
_TRUE = {"true", "1", "on", "yes", "co", "có"}
_FALSE = {"false", "0", "off", "no", "khong", "không"}


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid("Dạ, câu trả lời này phải là chữ, anh/chị ghi lại giúp em.")
    return unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)


def _no_control(text: str, allowed: str = "") -> None:
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise Invalid("Dạ, câu trả lời có ký tự lạ không gõ được, anh/chị xóa đi rồi ghi lại giúp em.")


def _max_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise Invalid(f"Dạ, câu trả lời dài quá: tối đa {limit} ký tự, anh/chị đang ghi {len(text)} ký tự.")


def validate_text(field: Field, value: Any) -> str:
    text = _SPACES_RE.sub(" ", _text(value)).strip()
    _no_control(text)
    _max_length(text, field.max_length or DEFAULT_MAX_LENGTH["text"])
    return text


def validate_textarea(field: Field, value: Any) -> str:
    text = _text(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    _no_control(text, allowed="\n")
    _max_length(text, field.max_length or DEFAULT_MAX_LENGTH["textarea"])
    return text


def _vn_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def validate_date(field: Field, value: Any, today: dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = _text(value).strip()
        if m := _DATE_RE.match(text):
            d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        elif m := _ISO_DATE_RE.match(text):  # a value normalised before (saved drafts)
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            raise Invalid("Dạ, anh/chị ghi ngày theo dạng ngày/tháng/năm, ví dụ 05/09/2024.")
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            raise Invalid(
                f"Dạ, ngày {d:02d}/{mo:02d}/{y} không có trên lịch, anh/chị kiểm tra lại giúp em."
            ) from None
    if day.year < 1900:
        raise Invalid("Dạ, năm phải từ 1900 trở về sau, anh/chị kiểm tra lại giúp em.")
    if field.not_future and day > today:
        raise Invalid(f"Dạ, ngày {_vn_date(day)} chưa tới, anh/chị kiểm tra lại giúp em.")
    return day.isoformat()


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x}".replace(".", ",")


def validate_number(field: Field, value: Any, today: dt.date) -> int | float:
    if isinstance(value, bool):
        raise Invalid("Dạ, anh/chị ghi một con số giúp em.")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("Dạ, anh/chị ghi một con số giúp em.")
        number: float = value
        # A float from JSON: it has too many decimals when rounding to the allowed ones changes it.
        places = 0 if isinstance(value, int) or round(value, field.decimals) == value else field.decimals + 1
    else:
        text = _SPACES_RE.sub("", _text(value))
        if field.decimals:
            text = text.replace(",", ".")  # Vietnamese decimal comma
        m = _NUMBER_RE.match(text)
        if not m:
            raise Invalid(
                "Dạ, anh/chị chỉ ghi số, ví dụ 2." if not field.decimals
                else "Dạ, anh/chị chỉ ghi số, ví dụ 85,5."
            )
        places = len(m.group(1) or "")
        number = float(text) if m.group(1) else int(text)
    if places > field.decimals:
        raise Invalid(
            "Dạ, anh/chị ghi số nguyên (không có phần lẻ) giúp em." if not field.decimals
            else f"Dạ, anh/chị ghi tối đa {field.decimals} chữ số sau dấu phẩy giúp em."
        )
    lo, hi = field.min, field.max
    if field.not_future:
        hi = today.year if hi is None else min(hi, today.year)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        if lo is not None and hi is not None:
            raise Invalid(f"Dạ, số này phải từ {_fmt_number(lo)} đến {_fmt_number(hi)}.")
        if lo is not None:
            raise Invalid(f"Dạ, số này phải từ {_fmt_number(lo)} trở lên.")
        raise Invalid(f"Dạ, số này không được quá {_fmt_number(hi)}.")  # type: ignore[arg-type]
    return int(number) if float(number).is_integer() else float(number)


def validate_choice(field: Field, value: Any) -> str:
    text = _text(value).strip() if isinstance(value, str) else None
    if text not in {o.value for o in field.options or ()}:
        raise Invalid(
            "Dạ, anh/chị chọn một trong các lựa chọn trong danh sách giúp em." if field.type == "select"
            else "Dạ, anh/chị chọn một trong các lựa chọn có sẵn giúp em."
        )
    return text


def validate_checkbox(field: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise Invalid("Dạ, ô này chỉ có đánh dấu hoặc không đánh dấu.")


def validate_email(field: Field, value: Any) -> str:
    text = _text(value).strip()
    msg = "Dạ, địa chỉ email chưa đúng, anh/chị ghi lại theo dạng ten@gmail.com giúp em."
    if len(text) > 254 or text.count("@") != 1:
        raise Invalid(msg)
    local, domain = text.split("@")
    if (
        not local or len(local) > 64 or not _EMAIL_LOCAL_RE.match(local)
        or local.startswith(".") or local.endswith(".") or ".." in local
    ):
        raise Invalid(msg)
    domain = domain.lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise Invalid(msg) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL_RE.match(label) for label in labels):
        raise Invalid(msg)
    tld = labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        raise Invalid(msg)
    return f"{local}@{domain}"


def normalise_phone(value: str) -> str | None:
    """A Vietnamese mobile number as 0xxxxxxxxx, or None: "+84 912.345.678" → "0912345678"."""
    text = re.sub(r"[\s.\-()]", "", unicodedata.normalize("NFC", value).translate(_INVISIBLE))
    m = _PHONE_RE.match(text)
    return "0" + m.group(1) if m else None


def validate_phone(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("Dạ, anh/chị ghi số điện thoại di động, ví dụ 0912 345 678.")
    text = re.sub(r"[\s.\-]", "", unicodedata.normalize("NFC", value).translate(_INVISIBLE))
    if not re.fullmatch(r"\+?\d+", text):
        raise Invalid("Dạ, số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, gạch ngang).")
    phone = normalise_phone(text)
    if not phone:
        raise Invalid(
            "Dạ, số di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
            "(hoặc +84 rồi 9 chữ số), anh/chị kiểm tra lại giúp em."
        )
    return phone


def validate_cccd(field: Field, value: Any, today: dt.date) -> str:
    if not isinstance(value, str):  # an int would have lost the leading zero
        raise Invalid("Dạ, anh/chị ghi số CCCD gồm 12 chữ số giúp em.")
    text = _SPACES_RE.sub("", unicodedata.normalize("NFC", value).translate(_INVISIBLE))
    if not text.isascii() or not text.isdigit():
        raise Invalid("Dạ, số CCCD chỉ gồm chữ số, anh/chị kiểm tra lại giúp em.")
    if len(text) != 12:
        raise Invalid(f"Dạ, số CCCD gồm 12 chữ số, anh/chị đang ghi {len(text)} số.")
    if text[:3] not in cccd_province_codes():
        raise Invalid(
            f"Dạ, 3 số đầu của số CCCD là mã tỉnh nơi đăng ký khai sinh; mã {text[:3]} không có, "
            "anh/chị kiểm tra lại giúp em."
        )
    # 4th digit: century of birth and sex (0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd …);
    # digits 5-6: the last two digits of the year of birth. Anyone alive was born 1900–today.
    century = int(text[3]) // 2
    year = 1900 + century * 100 + int(text[4:6])
    if century > 1 or year > today.year:
        raise Invalid(
            "Dạ, chữ số thứ 4 đến thứ 6 của số CCCD (thế kỷ, giới tính, năm sinh) chưa đúng, "
            "anh/chị kiểm tra lại giúp em."
        )
    return text


AddressResolver = Callable[[str], Mapping[str, Any]]


def validate_address(field: Field, value: Any, resolve_address: AddressResolver | None) -> str | dict:
    if isinstance(value, Mapping) and isinstance(value.get("input"), str):
        value = value["input"]  # a value resolved before (saved drafts): resolve its text again
    text = _SPACES_RE.sub(" ", _text(value)).strip()
    _no_control(text)
    _max_length(text, field.max_length or DEFAULT_MAX_LENGTH["address"])
    if resolve_address is None:
        return text
    try:
        result = resolve_address(text)
        status = result.get("status")
    except Exception:  # noqa: BLE001 - an outage of the resolver must not block the citizen
        return text
    if status == "resolved":
        return {
            "input": text,
            "formatted": result.get("formatted") or text,
            "ward": result.get("ward"),
            "province": result.get("province"),
        }
    if status == "ambiguous":
        raise Invalid(
            "Dạ, địa chỉ này có thể thuộc nhiều phường/xã. Anh/chị chọn đúng phường/xã của mình giúp em."
        )
    if status == "not_found":
        raise Invalid(
            "Dạ, em chưa tìm thấy phường/xã trong địa chỉ này. "
            "Anh/chị ghi đủ số nhà, phường/xã và tỉnh/thành phố giúp em."
        )
    return text


def _megabytes(n: int) -> str:
    return f"{n / 1_048_576:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"


def validate_attachment(field: Field, value: Any) -> dict:
    broken = "Dạ, tệp này chưa tải lên xong, anh/chị tải lại giúp em."
    if not isinstance(value, Mapping):
        raise Invalid(broken)
    file_id, name, ctype, size = (value.get(k) for k in ("id", "name", "content_type", "size"))
    if (
        not isinstance(file_id, str) or not file_id or len(file_id) > 200
        or not isinstance(name, str) or not isinstance(ctype, str)
        or isinstance(size, bool) or not isinstance(size, int) or size < 0
    ):
        raise Invalid(broken)
    name = unicodedata.normalize("NFC", name).strip()[:255]
    ctype = ctype.split(";")[0].strip().lower()
    ctype = _CONTENT_TYPE_ALIASES.get(ctype, ctype)
    accept = field.accept or []
    if ctype not in accept:
        kinds = [_CONTENT_TYPE_NAMES[c] for c in accept]
        listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " hoặc " + kinds[-1]
        raise Invalid(f"Dạ, em chỉ nhận tệp {listed}; tệp “{name}” không đúng loại.")
    if size == 0:
        raise Invalid(f"Dạ, tệp “{name}” bị trống, anh/chị tải lại giúp em.")
    if field.max_bytes is not None and size > field.max_bytes:
        raise Invalid(
            f"Dạ, tệp “{name}” nặng {_megabytes(size)}, quá mức tối đa {_megabytes(field.max_bytes)}. "
            "Anh/chị chụp lại nhẹ hơn hoặc chia nhỏ giúp em."
        )
    return {"id": file_id, "name": name, "content_type": ctype, "size": size}


def sniff_content_type(data: bytes | bytearray | memoryview) -> str | None:
    """PDF, JPEG or PNG recognised from the first bytes of an upload; None for anything else."""
    head = bytes(data[:8])
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


# --------------------------------------------------------------------------- answers


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def validate_field(
    field: Field, value: Any, *, resolve_address: AddressResolver | None = None, today: dt.date | None = None
) -> Any:
    """The normalised value of one non-empty answer; raises Invalid with the citizen's message."""
    today = today or dt.datetime.now(VIETNAM_TZ).date()
    match field.type:
        case "text":
            return validate_text(field, value)
        case "textarea":
            return validate_textarea(field, value)
        case "date":
            return validate_date(field, value, today)
        case "select" | "radio":
            return validate_choice(field, value)
        case "number":
            return validate_number(field, value, today)
        case "checkbox":
            return validate_checkbox(field, value)
        case "email":
            return validate_email(field, value)
        case "phone":
            return validate_phone(field, value)
        case "cccd":
            return validate_cccd(field, value, today)
        case "address":
            return validate_address(field, value, resolve_address)
        case "attachment":
            return validate_attachment(field, value)
    raise AssertionError(field.type)  # pragma: no cover - FieldType is closed


def _visibility(form: FormDefinition, values: Mapping[str, Any], known: Iterable[str]) -> dict[str, bool | None]:
    """True = shown, False = hidden by show_if, None = unknown (its condition was not answered)."""
    known = set(known)
    state: dict[str, bool | None] = {}
    for f in form.fields:  # show_if names an earlier field, so one pass in order is enough
        if f.show_if is None:
            state[f.id] = True
            continue
        ref = f.show_if.field
        if state[ref] is False:
            state[f.id] = False
        elif ref not in known:
            state[f.id] = None
        else:
            shown = values.get(ref) == f.show_if.equals
            state[f.id] = shown if state[ref] else (None if shown else False)
    return state


def visible_field_ids(form: FormDefinition, values: Mapping[str, Any]) -> list[str]:
    """The fields shown for these (normalised) answers, in order; a missing answer counts as empty."""
    state = _visibility(form, values, (f.id for f in form.fields))
    return [fid for fid, shown in state.items() if shown]


def validate_answers(
    form: FormDefinition,
    answers: Mapping[str, Any],
    *,
    partial: bool,
    resolve_address: AddressResolver | None = None,
    today: dt.date | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a citizen's answers; returns (values, errors by field id).

    ``partial=True`` (a draft) checks only the answers present. ``partial=False``
    (submit) also requires every required field that is shown (``show_if``); the
    answers to hidden fields are kept but not checked. Invalid answers are kept in
    ``values`` as sent, with the reason in ``errors``.
    """
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of field id to value")
    today = today or dt.datetime.now(VIETNAM_TZ).date()
    fields = form.field_map()
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in answers:
        if key not in fields:
            errors[str(key)] = MSG_UNKNOWN_FIELD
    for f in form.fields:
        if f.id not in answers:
            continue
        raw = answers[f.id]
        if _is_empty(raw):
            values[f.id] = None
            continue
        try:
            values[f.id] = validate_field(f, raw, resolve_address=resolve_address, today=today)
        except Invalid as exc:
            values[f.id] = raw
            problems[f.id] = str(exc)
    known = answers.keys() if partial else fields.keys()
    state = _visibility(form, values, known)
    for f in form.fields:
        shown = state[f.id]
        if f.id in problems:
            if shown or (partial and shown is None):
                errors[f.id] = problems[f.id]
            continue
        if partial or not shown or not f.required:
            continue
        value = values.get(f.id)
        if value is None or (f.type == "checkbox" and value is not True):
            errors[f.id] = _required_message(f)
    return values, errors


def _required_message(field: Field) -> str:
    if field.type in ("select", "radio"):
        return MSG_REQUIRED_CHOICE
    if field.type == "attachment":
        return MSG_REQUIRED_FILE
    if field.type == "checkbox":
        return MSG_REQUIRED_CHECKBOX
    return MSG_REQUIRED
