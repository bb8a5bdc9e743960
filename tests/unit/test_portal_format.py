"""Tests of the national-portal adapter (api.procedures.portal_format).

``tests/fixtures/portal_sample.json`` documents the portal's "LayThuTuc"
format and holds three records:

0. A complete hộ tịch record modelled on 1.001193 (Thủ tục đăng ký khai
   sinh, cấp xã): three channels (KENH 1/2/3) with THOIGIAN entries and
   fees (PHILEPHI) nested under each THOIGIAN, as the real payload nests
   them; documents in two TRUONGHOP groups; legal basis with dd/mm/yyyy
   dates. MUCDO is not part of the standard payload (some provincial
   exports add it) and is included here. IDs, MADONVI/MALINHVUC and the
   form URL are placeholders.
1. A synthetic record (code 9.900001, so it cannot be mistaken for a real
   catalog entry) showing what messy exports do: numbers as strings
   ("05", "01"), HTML and &nbsp; in text, single objects instead of lists,
   a channel given by name, hours as the unit, "50.000" / "Miễn phí"
   amounts, ISO dates, a district-level (Cấp Huyện) agency and no MUCDO.
2. A broken record: MATTHC is missing.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import msgspec
import pytest

from api.procedures.portal_format import (
    PortalFormatError,
    from_portal,
    is_portal_record,
    parse_amount,
    parse_channel,
    parse_date,
)
from api.procedures.schema import ProcedureRecord

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portal_sample.json"
URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"
CHECKED = dt.date(2025, 11, 1)


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def convert(raw: dict) -> ProcedureRecord:
    return from_portal(raw, source_url=URL, checked=CHECKED)


# -- the complete record ---------------------------------------------------


def test_complete_record_identity_and_agency(samples):
    rec = convert(samples[0])
    assert rec.code == "1.001193"
    assert rec.name == "Thủ tục đăng ký khai sinh"
    assert rec.field == "Hộ tịch"
    assert rec.agency.name == "Ủy ban nhân dân cấp xã"
    assert rec.agency.level == "xa"
    assert rec.online_level == 4
    assert rec.result == "Giấy khai sinh (bản chính)"
    assert rec.sources[0].url == URL and rec.sources[0].checked == CHECKED
    assert rec.needs_verification == []
    assert rec.verification_note is None


def test_complete_record_channels_days_and_fees(samples):
    rec = convert(samples[0])
    assert [c.channel for c in rec.channels] == ["truc_tiep", "truc_tuyen", "buu_chinh"]
    for c in rec.channels:
        assert c.processing_days == 1
        assert c.processing_time.startswith("1 Ngày làm việc")
        assert c.fee_vnd == 0
        assert "Miễn lệ phí" in c.fee
    # The original wording is kept next to the number.
    assert "sau 15 giờ" in rec.channels[0].processing_time


def test_complete_record_documents(samples):
    docs = convert(samples[0]).documents
    assert len(docs) == 4
    form_doc, birth_cert, id_paper, mandate = docs
    assert (form_doc.originals, form_doc.copies) == (1, 0)
    assert form_doc.form is not None
    assert form_doc.form.issued_by == "Thông tư 04/2020/TT-BTP"
    assert form_doc.form.url.startswith("https://csdl.dichvucong.gov.vn/")
    assert form_doc.form.name == "To khai dang ky khai sinh"  # file extension dropped
    # "theo mẫu quy định" is a phrase, not a form code.
    assert form_doc.form.code is None
    assert birth_cert.form is None
    assert (id_paper.originals, id_paper.copies) == (0, 1)
    assert mandate.case == "Trường hợp ủy quyền thực hiện việc đăng ký khai sinh"
    assert all(d.case is None for d in docs[:3])
    assert all(d.required for d in docs)


def test_complete_record_legal_basis_steps_conditions(samples):
    rec = convert(samples[0])
    assert [(b.number, b.issued) for b in rec.legal_basis] == [
        ("60/2014/QH13", dt.date(2014, 11, 20)),
        ("123/2015/NĐ-CP", dt.date(2015, 11, 15)),
        ("04/2020/TT-BTP", dt.date(2020, 5, 28)),
        ("85/2019/TT-BTC", dt.date(2019, 11, 29)),
    ]
    assert rec.legal_basis[0].title == "Luật Hộ tịch"
    assert len(rec.steps) == 3 and rec.steps[0].startswith("Bước 1:")
    assert rec.conditions == []  # YEUCAU "Không"
    assert rec.aliases == ["làm giấy khai sinh", "khai sinh cho con"]


def test_garbled_legal_date_keeps_the_record_and_flags_it(samples):
    raw = copy.deepcopy(samples[0])
    raw["CANCUPHAPLY"][0]["NGAYBANHANH"] = "không rõ"
    rec = convert(raw)
    assert rec.legal_basis[0].number == "60/2014/QH13" and rec.legal_basis[0].issued is None
    assert "legal_basis" in rec.needs_verification


def test_converted_record_round_trips_through_the_schema(samples):
    rec = convert(samples[0])
    again = msgspec.json.decode(msgspec.json.encode(rec), type=ProcedureRecord)
    assert again == rec


# -- the messy record ------------------------------------------------------


def test_html_is_stripped(samples):
    rec = convert(samples[1])
    texts = [rec.name, rec.agency.name, rec.result, *rec.conditions, *rec.steps]
    texts += [d.name for d in rec.documents] + [c.processing_time for c in rec.channels]
    for text in texts:
        assert "<" not in text and "&nbsp;" not in text and "\xa0" not in text, text
    assert rec.name == "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"
    assert rec.agency.name == "Ủy ban nhân dân cấp huyện"
    assert rec.result == "Giấy khai sinh"
    assert rec.documents[1].name == "Giấy chứng sinh hoặc giấy tờ thay thế"
    # <p> paragraphs become separate conditions and steps.
    assert rec.conditions == [
        "Trẻ em sinh ra tại Việt Nam có cha hoặc mẹ là công dân Việt Nam",
        "Người đi đăng ký phải xuất trình giấy tờ tùy thân",
    ]
    assert [s[:6] for s in rec.steps] == ["Bước 1", "Bước 2", "Bước 3"]


def test_string_numbers_and_single_objects(samples):
    rec = convert(samples[1])
    assert rec.code == "9.900001"  # surrounding spaces trimmed
    assert rec.field == "Hộ tịch"  # LINHVUCTHUCHIEN given as one object
    direct, online, postal = rec.channels
    assert direct.channel == "truc_tiep" and direct.processing_days == 5
    assert direct.fee_vnd == 50_000  # "50.000"
    assert online.channel == "truc_tuyen"  # KENH "Trực tuyến", THOIGIAN one object
    assert online.processing_days == 0  # 4 giờ làm việc
    assert online.processing_time == "4 Giờ làm việc"
    assert online.fee_vnd == 0  # "Miễn phí"
    assert postal.channel == "buu_chinh" and postal.fee_vnd == 50_000  # "50000" VNĐ
    docs = rec.documents
    assert (docs[0].originals, docs[0].copies) == (1, 0)  # "01", "0"
    assert (docs[1].originals, docs[1].copies) == (1, 2)  # "1", "02"
    assert docs[2].copies == 0 and docs[2].required is False  # "(nếu có)"
    assert rec.legal_basis[0].issued == dt.date(2014, 11, 20)  # ISO datetime


def test_district_level_maps_to_commune_and_is_flagged(samples):
    rec = convert(samples[1])
    assert rec.agency.level == "xa"
    assert "agency" in rec.needs_verification
    assert "cấp huyện" in rec.verification_note.lower()
    assert "01/07/2025" in rec.verification_note


def test_missing_facts_are_flagged_not_invented(samples):
    rec = convert(samples[1])
    # No MUCDO: a lower bound from the online channel, flagged.
    assert rec.online_level == 3
    assert "online_level" in rec.needs_verification
    # "Tờ khai ... theo mẫu" without TENMAUDON/URL: no form made up.
    assert rec.documents[0].form is None
    assert "forms" in rec.needs_verification


# -- the broken record and error paths -------------------------------------


def test_missing_code_raises_naming_matthc(samples):
    with pytest.raises(PortalFormatError) as err:
        convert(samples[2])
    assert err.value.field == "MATTHC"


def test_error_names_the_nested_key(samples):
    raw = copy.deepcopy(samples[0])
    raw["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"].append({"SOTIEN": {"x": 1}})
    with pytest.raises(PortalFormatError) as err:
        convert(raw)
    assert err.value.field == "CACHTHUCTHUCHIEN[0].THOIGIAN[0].PHILEPHI[1].SOTIEN"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"MATTHC": "BTP-HNO-123"}, "MATTHC"),
        ({"TENTTHC": None}, "TENTTHC"),
        ({"CACHTHUCTHUCHIEN": []}, "CACHTHUCTHUCHIEN"),
        ({"CAPTHUCHIEN": None}, "CAPTHUCHIEN"),
        ({"MUCDO": "7"}, "MUCDO"),
    ],
)
def test_unconvertible_records_raise(samples, change, field):
    raw = {**copy.deepcopy(samples[0]), **change}
    with pytest.raises(PortalFormatError) as err:
        convert(raw)
    assert err.value.field == field


def test_unknown_channel_and_bad_copies_name_their_keys(samples):
    raw = copy.deepcopy(samples[0])
    raw["CACHTHUCTHUCHIEN"][1]["KENH"] = "Fax"
    with pytest.raises(PortalFormatError) as err:
        convert(raw)
    assert err.value.field == "CACHTHUCTHUCHIEN[1].KENH"
    raw = copy.deepcopy(samples[0])
    raw["THANHPHANHOSO"][1]["GIAYTO"][0]["SOBANCHINH"] = "nhiều"
    with pytest.raises(PortalFormatError) as err:
        convert(raw)
    assert err.value.field == "THANHPHANHOSO[1].GIAYTO[0].SOBANCHINH"


def test_other_agency_levels(samples):
    raw = copy.deepcopy(samples[0])
    raw["CAPTHUCHIEN"] = [{"CAPTHUCHIEN": "1", "TENCAP": "Cấp Tỉnh"}]
    assert convert(raw).agency.level == "tinh"
    raw["CAPTHUCHIEN"] = {"TENCAP": "Cấp Bộ"}
    assert convert(raw).agency.level == "trung_uong"
    raw["CAPTHUCHIEN"] = [{"TENCAP": "Cơ quan khác"}]
    rec = convert(raw)
    assert rec.agency.level == "trung_uong" and "agency" in rec.needs_verification
    # Several levels: the lowest is kept and the choice is flagged.
    raw["CAPTHUCHIEN"] = [{"TENCAP": "Cấp Tỉnh"}, {"TENCAP": "Cấp Xã"}]
    rec = convert(raw)
    assert rec.agency.level == "xa" and "agency" in rec.needs_verification


def test_missing_optional_sections_are_flagged(samples):
    raw = copy.deepcopy(samples[0])
    for key in ("KETQUATHUCHIEN", "CANCUPHAPLY", "YEUCAU", "TRINHTUTHUCHIEN"):
        del raw[key]
    for giayto in raw["THANHPHANHOSO"][0]["GIAYTO"]:
        del giayto["SOBANCHINH"], giayto["SOBANSAO"]
    for channel in raw["CACHTHUCTHUCHIEN"]:
        channel["THOIGIAN"][0]["PHILEPHI"] = []
    rec = convert(raw)
    assert rec.result == "Không có thông tin"
    assert rec.legal_basis == [] and rec.steps == [] and rec.conditions == []
    assert all(c.fee_vnd is None for c in rec.channels)
    assert {"result", "legal_basis", "conditions", "steps", "documents", "fee"} <= set(rec.needs_verification)


# -- helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50.000", 50_000),
        ("50000", 50_000),
        ("50,000 đồng", 50_000),
        ("1.500.000 VNĐ", 1_500_000),
        (8000, 8000),
        ("0", 0),
        ("Miễn phí", 0),
        ("Miễn lệ phí", 0),
        ("Không thu", 0),
        ("", None),
        (None, None),
        ("Theo quy định tại Thông tư 85/2019/TT-BTC", None),
        ("10%", None),
    ],
)
def test_parse_amount(value, expected):
    assert parse_amount(value, "SOTIEN") == expected


def test_parse_amount_rejects_negative():
    with pytest.raises(PortalFormatError):
        parse_amount("-5.000", "SOTIEN")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "truc_tiep"),
        ("2", "truc_tuyen"),
        ("03", "buu_chinh"),
        ("Trực tiếp", "truc_tiep"),
        ("TRỰC TUYẾN", "truc_tuyen"),
        ("Nộp trực tuyến", "truc_tuyen"),
        ("Dịch vụ bưu chính", "buu_chinh"),
        ("Nộp qua bưu chính công ích", "buu_chinh"),
    ],
)
def test_parse_channel(value, expected):
    assert parse_channel(value, "KENH") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20/11/2014", dt.date(2014, 11, 20)),
        ("1/7/2025", dt.date(2025, 7, 1)),
        ("2014-11-20", dt.date(2014, 11, 20)),
        ("2014-11-20T00:00:00", dt.date(2014, 11, 20)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value, "NGAYBANHANH") == expected


def test_parse_date_rejects_non_dates():
    with pytest.raises(PortalFormatError):
        parse_date("31/02/2020", "NGAYBANHANH")


# -- format detection -------------------------------------------------------


def test_is_portal_record(samples):
    assert all(is_portal_record(r) for r in samples)  # even the broken one
    own = msgspec.to_builtins(convert(samples[0]))
    assert not is_portal_record(own)
    assert not is_portal_record({})
    assert not is_portal_record([samples[0]])
    assert is_portal_record({"MaTTHC": "1.001193", "TENTTHC": "x"})
