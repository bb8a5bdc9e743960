"""Online form definitions (data/forms) and the validation of citizens' answers."""

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import msgspec
import pytest

from api.dossiers.forms import (
    FORMS_DIR,
    Field,
    FormDefinition,
    FormDefinitionError,
    cccd_province_codes,
    load_form,
    load_forms,
    sniff_content_type,
    validate_answers,
    visible_field_ids,
)
from api.settings import ROOT

TODAY = dt.date(2026, 11, 25)
FILES = sorted(FORMS_DIR.glob("*.json"))
EXPECTED = {
    "dang-ky-khai-sinh", "dang-ky-ket-hon", "dang-ky-thuong-tru", "cap-phieu-ly-lich-tu-phap",
    "cap-lai-giay-phep-lai-xe", "dieu-chinh-giay-phep-xay-dung",
}
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
GOOD_CCCD = "001095012345"  # Hà Nội, male born 1995
PDF = {"id": "f1", "name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 120_000}


def validate(form, answers, *, partial=False, **kw):
    return validate_answers(form, answers, partial=partial, today=TODAY, **kw)


def one(field_type: str, **kw) -> FormDefinition:
    """A one-field form to test a validator on its own."""
    field = {"id": "x", "type": field_type, "label": "Câu hỏi", "required": True, **kw}
    doc = {
        "procedure_slug": "thu", "title": "Thử", "source": {"form": "Mẫu thử", "checked": "2026-11-25"},
        "pages": [{"id": "p", "title": "Trang", "fields": ["x"]}], "fields": [field],
    }
    return msgspec.convert(doc, FormDefinition)


def check(form, value):
    values, errors = validate(form, {"x": value}, partial=True)
    return values.get("x"), errors.get("x")


@pytest.fixture(scope="module")
def forms():
    return load_forms()


# --------------------------------------------------------------------------- the shipped forms


def test_every_required_form_is_shipped_and_loads(forms):
    assert {p.stem for p in FILES} >= EXPECTED
    assert set(forms) == {p.stem for p in FILES}
    catalog = ROOT / "data" / "catalog" / "procedures"
    for slug, form in forms.items():
        assert (catalog / f"{slug}.json").exists(), f"{slug}: no such procedure in the catalog"
        assert form.source.checked == dt.date(2026, 11, 25)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_form_is_consistent(path):
    form = load_form(path)
    ids = [f.id for f in form.fields]
    assert len(ids) == len(set(ids))
    on_pages = [fid for p in form.pages for fid in p.fields]
    assert on_pages == ids  # every field on exactly one page, in order
    assert all(1 <= len(p.fields) <= 6 for p in form.pages)
    assert any(f.type == "attachment" for f in form.fields)
    by_id = form.field_map()
    for f in form.fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.id)
        if f.show_if:
            assert ids.index(f.show_if.field) < ids.index(f.id)
            assert by_id[f.show_if.field].type in ("radio", "select", "checkbox")
        if f.type == "attachment":
            assert set(f.accept) <= {"application/pdf", "image/jpeg", "image/png"} and f.max_bytes
    raw = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    json.loads(raw)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_texts_are_vietnamese_nfc_with_diacritics(path):
    form = load_form(path)
    texts = [form.title, form.source.form] + [p.title for p in form.pages]
    for f in form.fields:
        texts += [f.label] + ([f.hint] if f.hint else []) + [o.label for o in f.options or ()]
    for t in texts:
        assert unicodedata.is_normalized("NFC", t), t
    # Every label is a Vietnamese sentence, not ASCII left over from a draft.
    for t in [form.title] + [f.label for f in form.fields]:
        assert VIETNAMESE.search(t), t


def test_birth_form_asks_what_the_declaration_asks(forms):
    form = forms["dang-ky-khai-sinh"]
    ids = [f.id for f in form.fields]
    for fid in ("nguoi_yeu_cau_ho_ten", "quan_he_voi_tre", "tre_ho_ten", "tre_gioi_tinh", "tre_ngay_sinh",
                "tre_noi_sinh", "tre_que_quan", "tre_dan_toc", "tre_quoc_tich", "me_ho_ten", "me_nam_sinh",
                "me_so_dinh_danh", "cha_ho_ten", "cha_noi_cu_tru", "giay_chung_sinh"):
        assert fid in ids
    assert form.field_map()["tre_ngay_sinh"].not_future
    assert form.field_map()["giay_chung_sinh"].required
    assert len(form.field_map()["tre_dan_toc"].options) == 55  # 54 dân tộc + foreigners


def test_criminal_record_form_has_both_kinds(forms):
    kinds = {o.value for o in forms["cap-phieu-ly-lich-tu-phap"].field_map()["loai_phieu"].options}
    assert kinds == {"so_1", "so_2"}


# --------------------------------------------------------------------------- loading rules


def _doc(**over):
    doc = {
        "procedure_slug": "thu", "title": "Thử", "source": {"form": "Mẫu thử", "checked": "2026-11-25"},
        "pages": [{"id": "p", "title": "Trang", "fields": ["a", "b"]}],
        "fields": [
            {"id": "a", "type": "radio", "label": "Có không?", "required": True,
             "options": [{"value": "co", "label": "Có"}, {"value": "khong", "label": "Không"}]},
            {"id": "b", "type": "text", "label": "Ghi rõ", "required": True, "show_if": {"field": "a", "equals": "co"}},
        ],
    }
    doc.update(over)
    return doc


def _load(tmp_path: Path, doc) -> FormDefinition:
    path = tmp_path / f"{doc['procedure_slug']}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return load_form(path)


def test_a_good_definition_loads(tmp_path):
    assert _load(tmp_path, _doc()).field_map()["b"].show_if.equals == "co"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["fields"][0].update(colour="red"),  # unknown key
        lambda d: d["fields"][1].update(type="password"),
        lambda d: d["fields"][1].update(id="Bad-Id"),
        lambda d: d["fields"][1].update(id="a"),  # duplicate id
        lambda d: d["pages"][0]["fields"].append("zzz"),  # page names a missing field
        lambda d: d["pages"][0].update(fields=["a"]),  # a field on no page
        lambda d: d["fields"][1].update(show_if={"field": "a", "equals": "maybe"}),
        lambda d: d["fields"][1].update(show_if={"field": "zzz", "equals": "co"}),
        lambda d: d["fields"][0].update(options=[{"value": "co", "label": "Có"}]),
        lambda d: d["fields"][1].update(accept=["application/pdf"]),
        lambda d: d["fields"][1].update(label=unicodedata.normalize("NFD", "Ghi rõ")),
        lambda d: d.update(procedure_slug="khac"),  # ≠ file name
    ],
)
def test_bad_definitions_are_rejected(tmp_path, change):
    doc = _doc()
    change(doc)
    path = tmp_path / "thu.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(FormDefinitionError):
        load_form(path)


def test_load_forms_is_cached(tmp_path):
    _load(tmp_path, _doc())
    first = load_forms(tmp_path)
    assert load_forms(tmp_path)["thu"] is first["thu"]


# --------------------------------------------------------------------------- CCCD


def test_cccd_province_codes_come_from_the_legacy_units():
    codes = cccd_province_codes()
    assert len(codes) == 63
    assert {"001", "079", "096", "048"} <= codes
    assert not {"000", "003", "097", "099"} & codes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("001095012345", "001095012345"),
        ("079 301 012 345", "079301012345"),  # HCM, female born 2001, typed in groups
        (" 096 1 85 000 001 ", "096185000001"),
        ("０01095012345", None),  # full-width digit
    ],
)
def test_cccd_good(value, expected):
    value_out, error = check(one("cccd"), value)
    if expected is None:
        assert error
    else:
        assert (value_out, error) == (expected, None)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("00109501234", "12 chữ số"),  # 11 digits
        ("0010950123456", "12 chữ số"),
        ("003095012345", "mã 003"),  # no province 03
        ("099095012345", "mã 099"),
        ("00109501234a", "chỉ gồm chữ số"),
        ("001-095-012345", "chỉ gồm chữ số"),
        ("001495012345", "chữ số thứ 4"),  # 22nd century
        ("001299012345", "chữ số thứ 4"),  # born 2099: in the future
        (1095012345, "12 chữ số"),  # an int lost its leading zeros
    ],
)
def test_cccd_bad(value, fragment):
    value_out, error = check(one("cccd"), value)
    assert error and fragment in error and error.startswith("Dạ,")
    assert value_out == value  # kept as typed


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "value",
    ["0912345678", "0912 345 678", "091.234.5678", "091-234-5678", "+84912345678", "84912345678",
     "+84 912 345 678", "0389999999", "0567777777", "0701234567", "0812345678"],
)
def test_phone_good(value):
    out, error = check(one("phone"), value)
    assert error is None and re.fullmatch(r"0[35789]\d{8}", out)


@pytest.mark.parametrize(
    "value",
    ["091234567", "09123456789", "0212345678", "0112345678", "+8402123456789", "0912abc678", "(091) 2345678",
     "+850912345678", 912345678, ""],
)
def test_phone_bad(value):
    out, error = check(one("phone"), value)
    if value == "":
        assert (out, error) == (None, None)  # empty: nothing to check in a draft
    else:
        assert error and error.startswith("Dạ,")


def test_phone_is_normalised():
    assert check(one("phone"), "+84 912.345-678") == ("0912345678", None)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [("05/09/2024", "2024-09-05"), ("5/9/2024", "2024-09-05"), ("29/02/2024", "2024-02-29"),
     ("05-09-2024", "2024-09-05"), ("05.09.2024", "2024-09-05"), ("2024-09-05", "2024-09-05"),
     (dt.date(2024, 9, 5), "2024-09-05"), ("25/11/2026", "2026-11-25")],
)
def test_date_good(value, expected):
    assert check(one("date", not_future=True), value) == (expected, None)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("31/02/2020", "31/02/2020 không có trên lịch"), ("29/02/2023", "không có trên lịch"),
     ("00/01/2020", "không có trên lịch"), ("12/13/2020", "không có trên lịch"),
     ("2020/01/05", "ngày/tháng/năm"), ("5/9/24", "ngày/tháng/năm"), ("hôm qua", "ngày/tháng/năm"),
     ("05/09/1850", "1900"), ("26/11/2026", "chưa tới"), ("01/01/2030", "01/01/2030 chưa tới")],
)
def test_date_bad(value, fragment):
    out, error = check(one("date", not_future=True), value)
    assert error and fragment in error
    assert out == value


def test_future_dates_are_fine_when_not_a_birth_date():
    assert check(one("date"), "01/01/2030") == ("2030-01-01", None)


# --------------------------------------------------------------------------- other validators


def test_text_is_trimmed_and_checked():
    form = one("text", max_length=10)
    assert check(one("text"), "  Nguyễn   Văn\tAn ") == ("Nguyễn Văn An", None)
    nfd = unicodedata.normalize("NFD", "Trần Thị Bích")
    assert check(one("text"), nfd) == ("Trần Thị Bích", None)
    assert check(one("text"), "Lê\u200b Hoa") == ("Lê Hoa", None)
    out, error = check(one("text"), "Lê\x00Hoa")
    assert error and "ký tự lạ" in error and out == "Lê\x00Hoa"
    out, error = check(form, "Nguyễn Văn An")
    assert "tối đa 10 ký tự" in error and out == "Nguyễn Văn An"


def test_textarea_keeps_lines():
    assert check(one("textarea"), " dòng 1  \r\ndòng 2\n") == ("dòng 1\ndòng 2", None)
    assert check(one("textarea"), "a\x07b")[1]


@pytest.mark.parametrize("kind", ["select", "radio"])
def test_choices(kind):
    form = one(kind, options=[{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}])
    assert check(form, "nu") == ("nu", None)
    for bad in ("Nữ", "khac", 1, ["nam"]):
        out, error = check(form, bad)
        assert error and "lựa chọn" in error and out == bad


@pytest.mark.parametrize(
    ("kw", "value", "expected"),
    [({"min": 1, "max": 10}, "3", 3), ({"min": 1, "max": 10}, 10, 10),
     ({"decimals": 2, "min": 1}, "85,5", 85.5), ({"decimals": 2}, "85.25", 85.25), ({"decimals": 2}, 72.5, 72.5),
     ({"not_future": True, "min": 1900}, "1990", 1990), ({"not_future": True}, "2026", 2026)],
)
def test_number_good(kw, value, expected):
    assert check(one("number", **kw), value) == (expected, None)


@pytest.mark.parametrize(
    ("kw", "value", "fragment"),
    [({"min": 1, "max": 10}, "0", "từ 1 đến 10"), ({"min": 1, "max": 10}, "11", "từ 1 đến 10"),
     ({}, "2,5", "chỉ ghi số"), ({}, "2.5", "số nguyên"), ({}, 2.5, "số nguyên"), ({"decimals": 1}, "1,25", "1 chữ số"),
     ({}, "hai", "chỉ ghi số"), ({}, True, "con số"), ({"not_future": True}, "2027", "không được quá 2026"),
     ({"min": 1}, "-3", "từ 1 trở lên")],
)
def test_number_bad(kw, value, fragment):
    out, error = check(one("number", **kw), value)
    assert error and fragment in error and out == value


@pytest.mark.parametrize("value", ["an.nguyen@gmail.com", "AN+dvc@Example.COM.vn", "hoa@bưuđiện.vn"])
def test_email_good(value):
    out, error = check(one("email"), value)
    assert error is None and out.split("@")[1] == value.split("@")[1].lower()


@pytest.mark.parametrize(
    "value", ["an.nguyen", "an@", "@gmail.com", "an@@gmail.com", "an nguyen@gmail.com", "an@gmail", "an..b@gmail.com",
              "an@gmail..com", "an@-gmail.com", "an@gmail.c0m"],
)
def test_email_bad(value):
    out, error = check(one("email"), value)
    assert error and "email" in error and out == value


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("on", True), ("false", False), (1, True)]
)
def test_checkbox(value, expected):
    assert check(one("checkbox"), value) == (expected, None)
    assert check(one("checkbox"), "maybe")[1]


# --------------------------------------------------------------------------- attachments


def _attachment_form(**kw):
    return one("attachment", accept=["application/pdf", "image/jpeg", "image/png"], max_bytes=5 * 1024 * 1024, **kw)


def test_attachment_good():
    out, error = check(_attachment_form(), {**PDF, "extra": 1})
    assert error is None and out == PDF
    out, _ = check(_attachment_form(), {**PDF, "content_type": "image/jpg"})
    assert out["content_type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [({**PDF, "size": 5 * 1024 * 1024 + 1}, "quá mức tối đa 5 MB"),
     ({**PDF, "size": 12_900_000}, "nặng 12,3 MB"),
     ({**PDF, "name": "don.docx", "content_type": "application/msword"}, "PDF, JPG hoặc PNG; tệp “don.docx”"),
     ({**PDF, "size": 0}, "trống"),
     ({"id": "f1", "name": "a.pdf"}, "tải lại"),
     ("a.pdf", "tải lại"),
     ({**PDF, "size": "120000"}, "tải lại")],
)
def test_attachment_bad(value, fragment):
    out, error = check(_attachment_form(), value)
    assert error and fragment in error and out == value


def test_attachment_accept_list_is_per_field():
    form = one("attachment", accept=["application/pdf"], max_bytes=1000)
    assert "chỉ nhận tệp PDF;" in check(form, {**PDF, "content_type": "image/png", "size": 10})[1]


def test_sniff_content_type():
    assert sniff_content_type(b"%PDF-1.7\n%\xe2\xe3") == "application/pdf"
    assert sniff_content_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert sniff_content_type(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "image/png"
    assert sniff_content_type(memoryview(b"%PDF-1.4")) == "application/pdf"
    for data in (b"", b"%PD", b"PK\x03\x04", b"GIF89a", b"\x89PNG\r\n", b"<html>%PDF-", b"\xff\xd8"):
        assert sniff_content_type(data) is None


# --------------------------------------------------------------------------- addresses


def test_address_without_resolver_keeps_the_text():
    assert check(one("address"), "  12 Lê Lợi,  Bến Thành ") == ("12 Lê Lợi, Bến Thành", None)


def test_address_with_resolver():
    calls = []

    def resolve(text):
        calls.append(text)
        if "Bến Thành" in text:
            return {"status": "resolved", "formatted": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
                    "ward": {"code": "26743", "name": "Phường Bến Thành"},
                    "province": {"code": "79", "name": "Thành phố Hồ Chí Minh"}}
        if "Tân Phú" in text:
            return {"status": "ambiguous", "candidates": []}
        return {"status": "not_found"}

    form = one("address")
    values, errors = validate(form, {"x": "12 Lê Lợi, Bến Thành, HCM"}, partial=True, resolve_address=resolve)
    assert errors == {}
    assert values["x"] == {
        "input": "12 Lê Lợi, Bến Thành, HCM",
        "formatted": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "ward": {"code": "26743", "name": "Phường Bến Thành"},
        "province": {"code": "79", "name": "Thành phố Hồ Chí Minh"},
    }
    # A saved, resolved value is resolved again from what the citizen typed.
    again, errors = validate(form, {"x": values["x"]}, partial=True, resolve_address=resolve)
    assert again == values and errors == {} and calls[-1] == "12 Lê Lợi, Bến Thành, HCM"
    values, errors = validate(form, {"x": "xã Tân Phú"}, partial=True, resolve_address=resolve)
    assert "chọn đúng phường/xã" in errors["x"] and values["x"] == "xã Tân Phú"
    values, errors = validate(form, {"x": "nhà tôi"}, partial=True, resolve_address=resolve)
    assert "chưa tìm thấy phường/xã" in errors["x"] and values["x"] == "nhà tôi"


def test_address_resolver_failure_does_not_block():
    def broken(text):
        raise RuntimeError("down")

    assert validate(one("address"), {"x": "12 Lê Lợi"}, partial=False, resolve_address=broken) == (
        {"x": "12 Lê Lợi"}, {})


# --------------------------------------------------------------------------- whole answers


def _birth_answers():
    return {
        "nguoi_yeu_cau_ho_ten": "Nguyễn Thị Lan",
        "nguoi_yeu_cau_so_dinh_danh": "001195012345",
        "nguoi_yeu_cau_noi_cu_tru": "12 Lê Lợi, Phường Hoàn Kiếm, Hà Nội",
        "quan_he_voi_tre": "me",
        "tre_ho_ten": "Trần Minh An",
        "tre_gioi_tinh": "nam",
        "tre_ngay_sinh": "20/11/2026",
        "tre_noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        "tre_que_quan": "Xã Đông Anh, Hà Nội",
        "tre_dan_toc": "kinh",
        "tre_quoc_tich": "Việt Nam",
        "me_ho_ten": "Nguyễn Thị Lan",
        "me_nam_sinh": "1995",
        "me_dan_toc": "kinh",
        "me_quoc_tich": "Việt Nam",
        "me_noi_cu_tru": "12 Lê Lợi, Phường Hoàn Kiếm, Hà Nội",
        "co_thong_tin_cha": "chua",
        "giay_chung_sinh": PDF,
        "mang_thai_ho": "khong",
        "cap_ban_sao": "khong",
        "cam_doan": True,
    }


def test_full_validation_of_a_complete_birth_form(forms):
    values, errors = validate(forms["dang-ky-khai-sinh"], _birth_answers())
    assert errors == {}
    assert values["tre_ngay_sinh"] == "2026-11-20" and values["me_nam_sinh"] == 1995
    assert values["cam_doan"] is True and values["giay_chung_sinh"] == PDF


def test_full_validation_requires_required_fields(forms):
    form = forms["dang-ky-khai-sinh"]
    answers = _birth_answers()
    del answers["tre_ho_ten"], answers["giay_chung_sinh"], answers["quan_he_voi_tre"]
    answers["cam_doan"] = False
    answers["me_quoc_tich"] = "   "
    values, errors = validate(form, answers)
    assert errors == {
        "quan_he_voi_tre": "Dạ, anh/chị chọn một câu trả lời giúp em.",
        "tre_ho_ten": "Dạ, anh/chị trả lời câu này giúp em.",
        "me_quoc_tich": "Dạ, anh/chị trả lời câu này giúp em.",
        "giay_chung_sinh": "Dạ, anh/chị tải giấy tờ này lên giúp em.",
        "cam_doan": "Dạ, anh/chị đánh dấu vào ô này để xác nhận giúp em.",
    }
    assert values["me_quoc_tich"] is None
    # Optional fields may stay empty: the mother's ID number.
    assert "me_so_dinh_danh" not in errors


def test_partial_validation_checks_only_what_is_there(forms):
    form = forms["dang-ky-khai-sinh"]
    assert validate(form, {}, partial=True) == ({}, {})
    values, errors = validate(form, {"tre_ho_ten": "Trần An", "tre_ngay_sinh": "31/02/2026"}, partial=True)
    assert values == {"tre_ho_ten": "Trần An", "tre_ngay_sinh": "31/02/2026"}
    assert list(errors) == ["tre_ngay_sinh"]
    assert validate(form, {"tre_ho_ten": ""}, partial=True) == ({"tre_ho_ten": None}, {})


def test_show_if_hides_and_requires(forms):
    form = forms["dang-ky-khai-sinh"]
    answers = _birth_answers()
    # Father not determined: his fields are neither shown nor required.
    assert "cha_ho_ten" not in visible_field_ids(form, validate(form, answers)[0])
    # Father determined: his required fields are now required.
    answers["co_thong_tin_cha"] = "co"
    _, errors = validate(form, answers)
    assert {"cha_ho_ten", "cha_nam_sinh", "cha_dan_toc", "cha_quoc_tich", "cha_noi_cu_tru"} == set(errors)
    assert "cha_so_dinh_danh" not in errors  # optional
    # Copies: the number is asked only when copies are wanted.
    answers = _birth_answers() | {"cap_ban_sao": "co"}
    assert validate(form, answers)[1] == {"so_ban_sao": "Dạ, anh/chị trả lời câu này giúp em."}
    assert validate(form, answers | {"so_ban_sao": "2"})[1] == {}
    # An authorised person must attach the authorisation.
    answers = _birth_answers() | {"quan_he_voi_tre": "nguoi_duoc_uy_quyen"}
    assert set(validate(form, answers)[1]) == {"van_ban_uy_quyen"}


def test_hidden_fields_are_kept_but_not_checked(forms):
    form = forms["dang-ky-khai-sinh"]
    answers = _birth_answers() | {"cap_ban_sao": "khong", "so_ban_sao": "nhiều"}
    values, errors = validate(form, answers)
    assert errors == {} and values["so_ban_sao"] == "nhiều"
    assert "so_ban_sao" not in visible_field_ids(form, values)
    # In a draft too, once the controlling answer says the field is hidden.
    values, errors = validate(form, {"cap_ban_sao": "khong", "so_ban_sao": "nhiều"}, partial=True)
    assert errors == {} and values["so_ban_sao"] == "nhiều"
    # …but a draft that does not include the controlling answer still gets the check.
    assert "so_ban_sao" in validate(form, {"so_ban_sao": "nhiều"}, partial=True)[1]


def test_invalid_values_are_reported_not_lost(forms):
    form = forms["dang-ky-thuong-tru"]
    answers = {
        "ho_ten": "Phạm Văn Bình",
        "ngay_sinh": "31/02/1990",
        "so_dinh_danh": "001 090 01234",
        "so_dien_thoai": "0212 345 678",
        "email": "binh@",
        "gioi_tinh": "khac",
        "khong_co_cau_nay": "x",
    }
    values, errors = validate(form, answers, partial=True)
    assert set(errors) == {"ngay_sinh", "so_dinh_danh", "so_dien_thoai", "email", "gioi_tinh", "khong_co_cau_nay"}
    for key in ("ngay_sinh", "so_dinh_danh", "so_dien_thoai", "email", "gioi_tinh"):
        assert values[key] == answers[key]
    assert values["ho_ten"] == "Phạm Văn Bình"
    assert "khong_co_cau_nay" not in values
    for message in errors.values():
        assert message.startswith("Dạ,") and len(message) < 200 and unicodedata.is_normalized("NFC", message)


def test_answers_must_be_a_mapping(forms):
    with pytest.raises(TypeError):
        validate_answers(forms["dang-ky-ket-hon"], ["x"], partial=True)


def test_field_struct_rejects_unknown_keys():
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"id": "a", "type": "text", "label": "Tên", "required": True, "placeholder": "x"}, Field)
