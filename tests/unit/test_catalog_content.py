"""The shipped catalog: complete, sourced, NFC, and covering what citizens ask for most."""

import json
import unicodedata
from pathlib import Path

import msgspec
import pytest

from api.procedures.schema import ProcedureRecord
from api.settings import ROOT

FILES = sorted((ROOT / "data" / "catalog" / "procedures").glob("*.json"))
REQUIRED_SLUGS = {
    "dang-ky-khai-sinh": "1.001193",
    "dang-ky-ket-hon": "1.000894",
    "dang-ky-khai-tu": "1.000656",
    "cap-ban-sao-trich-luc-ho-tich": "2.000635",
    "xac-nhan-tinh-trang-hon-nhan": "1.004873",
    "dang-ky-thuong-tru": "1.004222",
    "dang-ky-tam-tru": "1.004194",
    "cap-lai-giay-phep-lai-xe": None,
    "doi-giay-phep-lai-xe": None,
    "cap-phieu-ly-lich-tu-phap": None,
    "chung-thuc-ban-sao-tu-ban-chinh": "2.000815",
    "chung-thuc-chu-ky": "2.000884",
    "dang-ky-thanh-lap-ho-kinh-doanh": "1.001612",
    "cap-giay-phep-xay-dung-nha-o-rieng-le": None,
    "dieu-chinh-giay-phep-xay-dung": None,
    "cap-the-can-cuoc": None,
    "cap-doi-the-can-cuoc": None,
    "cap-lai-the-can-cuoc": None,
    "cap-ho-chieu-pho-thong": None,
    "dang-ky-xe": None,
}


def load(path: Path) -> ProcedureRecord:
    return msgspec.json.decode(path.read_bytes(), type=ProcedureRecord)


def test_at_least_25_procedures_with_the_required_ones():
    records = {r.slug: r for r in map(load, FILES)}
    assert len(records) >= 25
    for slug, code in REQUIRED_SLUGS.items():
        assert slug in records, slug
        if code:
            assert records[slug].code == code, slug


def test_codes_are_unique():
    codes = [(r.code, r.version) for r in map(load, FILES)]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_record_is_sourced_nfc_and_post_2025(path):
    record = load(path)
    assert record.slug == path.stem
    text = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text, "catalog files must be NFC"
    assert record.sources and all(
        s.url.startswith("https://") or s.url.startswith("http://") for s in record.sources
    )
    assert all(s.checked.year >= 2025 for s in record.sources)
    assert record.agency.level in {"xa", "tinh", "trung_uong"}
    assert "huyện" not in record.agency.name.lower(), "the district level was abolished on 1 July 2025"
    assert record.aliases, "citizens' own names for the procedure help the search"
    if record.verification_note is None:
        assert not record.needs_verification, "say what needs checking"
    json.loads(text)
