"""The address resolver on addresses written the way people write them."""

import socket

import pytest

from api.addresses.gazetteer import gazetteer
from api.addresses.resolver import Resolver


@pytest.fixture(scope="module")
def resolver():
    return Resolver(gazetteer())


def test_the_map_is_the_2025_one():
    g = gazetteer()
    assert len(g.provinces) == 34 and len(g.wards) == 3321
    assert not any(w.unit.kind == "Quận" for w in g.wards.values())


@pytest.mark.parametrize(
    ("text", "ward", "province"),
    [
        ("Phường Bến Thành, Thành phố Hồ Chí Minh", "Phường Bến Thành", "79"),
        ("phuong ben thanh tp hcm", "Phường Bến Thành", "79"),
        ("P.Bến Thành, TP.HCM", "Phường Bến Thành", "79"),
        ("số 8 Nguyễn Trãi, Phường Ba Đình, Thành phố Hà Nội", "Phường Ba Đình", "01"),
        ("ap 3 xa Tan Phu tinh Dong Thap", "Xã Tân Phú", "82"),
        ("Đặc khu Phú Quốc, An Giang", "Đặc khu Phú Quốc", "91"),
    ],
)
def test_current_addresses(resolver, text, ward, province):
    r = resolver.resolve(text)
    assert r.status == "resolved", (text, r)
    assert r.ward.unit.name == ward and r.ward.province.code == province and not r.legacy


@pytest.mark.parametrize(
    ("text", "new_ward", "old_ward", "old_district"),
    [
        ("p ben nghe q1 tphcm", "Phường Sài Gòn", "Phường Bến Nghé", "Quận 1"),
        ("Phường Phúc Xá, Quận Ba Đình, Hà Nội", "Phường Hồng Hà", "Phường Phúc Xá", "Quận Ba Đình"),
        ("P.12 Q.Gò Vấp", "Phường An Hội Tây", "Phường 12", "Quận Gò Vấp"),
        ("xa phu xuan phu tan an giang", "Xã Phú An", "Xã Phú Xuân", "Huyện Phú Tân"),
        ("123 đường 30/4, phường 1, tp vũng tàu, bà rịa vũng tàu", "Phường Vũng Tàu", "Phường 1", "Thành phố Vũng Tàu"),
    ],
)
def test_pre_2025_addresses_are_converted(resolver, text, new_ward, old_ward, old_district):
    r = resolver.resolve(text)
    assert r.status == "resolved", (text, r)
    assert r.ward.unit.name == new_ward
    assert r.legacy["ward"].name == old_ward and r.legacy["district"].name == old_district


def test_a_split_ward_is_never_guessed(resolver):
    r = resolver.resolve("12/5 ngõ 34 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN")
    assert r.status == "ambiguous" and r.ward is None
    assert {w.unit.name for w in r.candidates} == {"Phường Đống Đa", "Phường Ô Chợ Dừa"}
    assert r.street == "12/5 ngõ 34 Hào Nam" and r.province_code == "01"


def test_every_split_ward_in_the_official_mapping_is_ambiguous(resolver):
    g = gazetteer()
    split = [(old, new) for old, new in g.successors.items() if len(new) > 1]
    assert len(split) > 400
    for old, new in split[::20]:
        province, district, ward = old.split("_")
        olds = [w for ws in g.legacy_by_province[province].values() for w in ws if w.composite == old]
        text = f"{olds[0].unit.name}, {olds[0].district.name}, {olds[0].province.name}"
        r = resolver.resolve(text)
        assert r.status == "ambiguous", text
        assert {w.unit.code for w in r.candidates} >= {w.unit.code for w in new}, text


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("12/5 ngõ 34 Hào Nam, Phường Ô Chợ Dừa, Hà Nội", "12/5 ngõ 34 Hào Nam"),
        ("hẻm 45/2 Lê Văn Sỹ phường Nhiêu Lộc TP HCM", "hẻm 45/2 Lê Văn Sỹ"),
        ("tổ 3 khu phố 4, Phường Bến Thành, TPHCM", "tổ 3 khu phố 4"),
        ("thôn Đông, xã Tân Phú, tỉnh Đồng Tháp", "thôn Đông"),
    ],
)
def test_the_street_part_is_kept_as_written(resolver, text, street):
    r = resolver.resolve(text)
    assert r.status == "resolved" and r.street == street


@pytest.mark.parametrize("text", ["xin chào", "", "12345", "abc xyz, tỉnh Không Có"])
def test_not_found(resolver, text):
    assert resolver.resolve(text).status == "not_found"


def test_no_network_is_ever_used(resolver, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the resolver must never open a connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert resolver.resolve("Phường Phúc Xá, Quận Ba Đình, Hà Nội").status == "resolved"
    assert resolver.resolve("12 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN").status == "ambiguous"
