"""The administrative map: the 34 provinces and 3,321 communes since 1 July 2025, the units
before it, and the official old → new mapping (data/admin_units, from vietnamadminunits).

Everything is offline and in memory (a few MB); names are indexed by *keys*: folded
(no diacritics, lower case, "đ" → "d"), spaces removed, with and without the unit's type
("phuongbenthanh", "benthanh"). Numbered units ("Phường 3", "Quận 10") are only indexed
with their type, since a bare "3" is far more often a house number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from api.settings import ROOT
from api.text.normalize import fold

DATA = ROOT / "data" / "admin_units"

WARD_TYPES = {"phuong": "Phường", "xa": "Xã", "thitran": "Thị trấn", "dackhu": "Đặc khu"}
DISTRICT_TYPES = {"quan": "Quận", "huyen": "Huyện", "thixa": "Thị xã", "thanhpho": "Thành phố"}
PROVINCE_TYPES = {"tinh": "Tỉnh", "thanhpho": "Thành phố"}


def key_of(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str  # full name with type, e.g. "Phường Bến Thành"
    short: str  # "Bến Thành"
    kind: str  # "Phường", "Xã", …
    key: str  # the dataset's key, e.g. "phuongbenthanh"

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True, slots=True)
class Ward:
    unit: Unit
    province: Unit


@dataclass(frozen=True, slots=True)
class LegacyWard:
    unit: Unit
    district: Unit
    province: Unit

    @property
    def composite(self) -> str:
        return f"{self.province.key}_{self.district.key}_{self.unit.key}"


def unit_keys(short: str, kind: str, keywords: list[str] | None = None) -> set[str]:
    """Keys a unit is known by. A numbered unit needs its type: "phuong3", never "3"."""
    kind_key = key_of(kind)
    short_key = key_of(short)
    keys = {kind_key + short_key}
    if not short_key.isdigit():
        keys.add(short_key)
    for kw in keywords or []:
        kw = key_of(kw)
        bare = kw[len(kind_key) :] if kw.startswith(kind_key) else kw
        if bare and not bare.isdigit():
            keys.add(kw)
    # "Phường 03" is written "Phường 3" too.
    if short_key.isdigit():
        keys.add(kind_key + str(int(short_key)))
        keys.discard(kind_key + short_key) if short_key != str(int(short_key)) else None
        keys.add(kind_key + short_key)
    # "ĐK" is written for both "Đắk" (Đắk Lắk) and "Đặc khu" (ĐK Phú Quốc).
    if kind_key == "dackhu":
        keys.add("dk" + short_key)
    if short_key.startswith("dak"):
        keys.add("dk" + short_key[3:])
    return keys


def initials_key(short: str) -> str | None:
    """How a province is abbreviated on forms: "Thanh Hóa" → "T.Hóa" → "thoa"."""
    words = [key_of(w) for w in short.replace("-", " ").split() if key_of(w)]
    return words[0][0] + "".join(words[1:]) if len(words) >= 2 else None


class Gazetteer:
    def __init__(self, data_dir: Path = DATA) -> None:
        current = _table(data_dir / "units_2025.json")
        legacy = _table(data_dir / "units_legacy.json")
        converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

        self.provinces: dict[str, Unit] = {}  # code → province (2025)
        self.province_by_key: dict[str, Unit] = {}
        self.wards: dict[str, Ward] = {}  # ward code → ward (2025)
        self.ward_by_key: dict[tuple[str, str], Ward] = {}  # (province key, ward key) → ward
        self.province_keys: dict[str, set[str]] = defaultdict(set)  # name key → province codes
        self.ward_index: dict[str, dict[str, list[Ward]]] = defaultdict(lambda: defaultdict(list))
        self.ward_national: dict[str, list[Ward]] = defaultdict(list)
        for r in current:
            province = Unit(r["provinceCode"], r["province"], r["provinceShort"],
                            r["province"].split(" ")[0] if r["province"].startswith("Tỉnh") else "Thành phố",
                            r["provinceKey"])
            province = self.provinces.setdefault(province.code, province)
            self.province_by_key[province.key] = province
            for k in unit_keys(province.short, province.kind, r["provinceKeywords"]) | {initials_key(province.short)} - {None}:
                self.province_keys[k].add(province.code)
            if province.code == "79":  # people still say Sài Gòn; "Phường Sài Gòn" is a ward, matched first
                self.province_keys["saigon"].add(province.code)
            ward = Ward(Unit(r["wardCode"], r["ward"], r["wardShort"], r["wardType"], r["wardKey"]), province)
            self.wards[ward.unit.code] = ward
            self.ward_by_key[(province.key, ward.unit.key)] = ward
            for k in unit_keys(ward.unit.short, ward.unit.kind, r["wardKeywords"]):
                self.ward_index[province.code][k].append(ward)
                self.ward_national[k].append(ward)

        self.old_provinces: dict[str, Unit] = {}  # old province key → unit
        self.old_province_keys: dict[str, set[str]] = defaultdict(set)  # name key → old province keys
        self.districts: dict[str, dict[str, list[Unit]]] = defaultdict(lambda: defaultdict(list))
        self.legacy_by_district: dict[tuple[str, str], dict[str, list[LegacyWard]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.legacy_by_province: dict[str, dict[str, list[LegacyWard]]] = defaultdict(lambda: defaultdict(list))
        for r in legacy:
            province = self.old_provinces.setdefault(
                r["provinceKey"],
                Unit(r["provinceCode"], r["province"], r["provinceShort"],
                     "Tỉnh" if r["province"].startswith("Tỉnh") else "Thành phố", r["provinceKey"]),
            )
            for k in unit_keys(province.short, province.kind, r["provinceKeywords"]) | {initials_key(province.short)} - {None}:
                self.old_province_keys[k].add(province.key)
            district = Unit(r["districtCode"], r["district"], r["districtShort"], r["districtType"], r["districtKey"])
            for k in unit_keys(district.short, district.kind, r["districtKeywords"]):
                if district not in self.districts[province.key][k]:
                    self.districts[province.key][k].append(district)
            if not r["ward"]:  # island districts had no communes; they are now special zones
                continue
            ward = LegacyWard(Unit(r["wardCode"], r["ward"], r["wardShort"], r["wardType"], r["wardKey"]),
                              district, province)
            for k in unit_keys(ward.unit.short, ward.unit.kind, r["wardKeywords"]):
                self.legacy_by_district[(province.key, district.key)][k].append(ward)
                self.legacy_by_province[province.key][k].append(ward)

        # Official mapping: old province → new province; old ward → new ward(s).
        self.new_province_of_old: dict[str, str] = {}
        for new_key, old_keys in converter["DICT_PROVINCE"].items():
            for old_key in old_keys:
                self.new_province_of_old[old_key] = self.province_by_key[new_key].code
        self.old_provinces_of_new: dict[str, list[str]] = defaultdict(list)
        for old_key, new_code in self.new_province_of_old.items():
            self.old_provinces_of_new[new_code].append(old_key)
        self.successors: dict[str, list[Ward]] = {}  # old composite key → new ward(s)
        for new_key, per_ward in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward_key, old_keys in per_ward.items():
                ward = self.ward_by_key.get((new_key, new_ward_key))
                if ward:
                    for old in old_keys:
                        self.successors.setdefault(old, [ward])
        for new_key, per_old in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, candidates in per_old.items():
                wards = [self.ward_by_key.get((new_key, c["newWardKey"])) for c in candidates]
                self.successors[old] = [w for w in wards if w]

    def successors_of(self, old: LegacyWard) -> list[Ward]:
        return self.successors.get(old.composite, [])

    def district_successors(self, province_key: str, district: Unit) -> list[Ward]:
        """For the old island districts without communes (now special zones)."""
        return self.successors.get(f"{province_key}_{district.key}_", [])


def _table(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [dict(zip(data["columns"], row, strict=True)) for row in data["rows"]]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
