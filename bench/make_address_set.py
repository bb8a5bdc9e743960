"""Build the labelled postal-address set bench/data/addresses.tsv.

    python bench/make_address_set.py            # writes the file, prints a summary

Ground truth comes only from the vendored data in data/admin_units/ (vietnamadminunits 1.0.4):
units_2025.json (34 provinces, 3,321 communes), units_legacy.json (63 provinces with their
districts and communes before 1 July 2025) and converter_2025.json (old -> new mapping).

Rows (TSV, UTF-8 NFC): address, status, ward_codes, province_code, style.

- current_* rows: a 2025 commune + its province, no district;
- legacy_* rows: an old commune + its old district + its old province, where the old
  commune appears in exactly one DICT_PROVINCE_WARD_NO_DIVIDED list (status resolved,
  the single new ward code);
- split rows: an old commune of DICT_PROVINCE_WARD_DIVIDED (status ambiguous, all the
  new candidate ward codes joined by "|").

Units whose key is not the plain folded name (names that differ only by diacritics in the
same province/district, so an unaccented address could not tell them apart) or whose
type disagrees with their name are skipped. Street parts are invented and never equal the
name of an administrative unit of the provinces involved. Standard library only;
deterministic (random.Random(2025)).
"""

from __future__ import annotations

import collections
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "admin_units"
OUT = ROOT / "bench" / "data" / "addresses.tsv"

PER_STYLE = 65  # rows for each of the six current/legacy styles
SPLIT_ROWS = 40
STYLES = (
    "current_accented", "current_unaccented", "current_abbrev",
    "legacy_accented", "legacy_unaccented", "legacy_abbrev", "split",
)

# --------------------------------------------------------------------------- text helpers


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return nfc("".join(ch for ch in s if not unicodedata.combining(ch)))


def fold(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_accents(s).lower())


UNIT_TYPES = ("Thị trấn", "Thị xã", "Thành phố", "Đặc khu", "Phường", "Xã", "Quận", "Huyện", "Tỉnh")


def split_name(full: str) -> tuple[str, str]:
    """'Thị Trấn Ái Tử' -> ('Thị trấn', 'Ái Tử'); 'Phường 3' -> ('Phường', '3')."""
    for t in UNIT_TYPES:
        if full.lower().startswith(t.lower() + " "):
            return t, full[len(t) + 1:].strip()
    raise ValueError(full)


def is_number(name: str) -> bool:
    return name.isdigit()


# --------------------------------------------------------------------------- data


def load_table(name: str) -> list[dict]:
    d = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [dict(zip(d["columns"], r)) for r in d["rows"]]


NEW = load_table("units_2025.json")
OLD = load_table("units_legacy.json")
CONV = json.loads((DATA / "converter_2025.json").read_text(encoding="utf-8"))

NEW_CODE = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in NEW}
NEW_BY_KEY = {(r["provinceKey"], r["wardKey"]): r for r in NEW}
PROV_NEW = {}  # new province key -> (code, full name, short)
for r in NEW:
    PROV_NEW[r["provinceKey"]] = (r["provinceCode"], r["province"], r["provinceShort"])
PROV_OLD = {}  # old province key -> (full name, short)
for r in OLD:
    PROV_OLD[r["provinceKey"]] = (r["province"], r["provinceShort"])


def old_key(r: dict) -> str:
    return f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"


# old key -> list of (new province key, new ward key) over all NO_DIVIDED lists
NODIV = collections.defaultdict(list)
for pk, wards in CONV["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
    for wk, olds in wards.items():
        for o in olds:
            NODIV[o].append((pk, wk))
DIV = collections.defaultdict(list)  # old key -> list of (new province key, [new ward keys])
for pk, olds in CONV["DICT_PROVINCE_WARD_DIVIDED"].items():
    for o, cands in olds.items():
        DIV[o].append((pk, [c["newWardKey"] for c in cands]))

OLD_BY_KEY = {old_key(r): r for r in OLD}

# Folded names per scope, to know when a type word may be dropped and to keep street names
# away from unit names.
NEW_WARD_NAMES = collections.defaultdict(collections.Counter)  # new prov -> folded short names
for r in NEW:
    NEW_WARD_NAMES[r["provinceKey"]][fold(split_name(r["ward"])[1])] += 1
OLD_DIST_NAMES = collections.defaultdict(collections.Counter)  # old prov -> folded district names
_seen_d = set()
for r in OLD:
    if (r["provinceKey"], r["districtKey"]) not in _seen_d:
        _seen_d.add((r["provinceKey"], r["districtKey"]))
        OLD_DIST_NAMES[r["provinceKey"]][fold(split_name(r["district"])[1])] += 1
OLD_WARD_NAMES = collections.defaultdict(collections.Counter)  # (old prov, district) -> names
for r in OLD:
    if r["ward"]:
        OLD_WARD_NAMES[(r["provinceKey"], r["districtKey"])][fold(split_name(r["ward"])[1])] += 1

PLACE_NAMES = collections.defaultdict(set)  # any province key (old or new) -> folded unit names
for r in NEW:
    PLACE_NAMES[r["provinceKey"]].add(fold(split_name(r["ward"])[1]))
for r in OLD:
    PLACE_NAMES[r["provinceKey"]].add(fold(split_name(r["district"])[1]))
    if r["ward"]:
        PLACE_NAMES[r["provinceKey"]].add(fold(split_name(r["ward"])[1]))
ALL_PROVINCE_NAMES = {fold(s) for _, s in PROV_OLD.values()} | {fold(v[2]) for v in PROV_NEW.values()}
NEW_TO_OLD_PROV = CONV["DICT_PROVINCE"]


def new_ok(r: dict) -> bool:
    """A 2025 unit usable as ground truth: key is its plain folded name, type matches."""
    t, _ = split_name(r["ward"])
    return r["wardKey"] == fold(r["ward"]) and t == r["wardType"]


def old_ok(r: dict) -> bool:
    if r["districtKey"] != fold(r["district"]) or split_name(r["district"])[0] != r["districtType"]:
        return False
    if r["ward"] is None:
        return r["wardKey"] is None
    t, _ = split_name(r["ward"])
    return r["wardKey"] == fold(r["ward"]) and t == r["wardType"]


# --------------------------------------------------------------------------- province names

SPECIAL_ABBR = {
    "thanhphohochiminh": ["TP.HCM", "TP HCM", "TPHCM", "Tp.HCM", "Tp HCM", "HCM", "TP. Hồ Chí Minh",
                          "Tp. Hồ Chí Minh", "T.P Hồ Chí Minh", "T.P HCM", "tp.hcm", "Sài Gòn"],
    "thanhphohanoi": ["HN", "TP.HN", "TP Hà Nội", "Tp. Hà Nội", "T.P Hà Nội", "TP. Hà Nội"],
    "tinhbariavungtau": ["BR-VT", "BRVT", "Bà Rịa-Vũng Tàu", "t. BR-VT", "tỉnh BR-VT"],
    "tinhdaklak": ["ĐắkLắk", "Daklak", "Đắc Lắc", "Đăk Lăk", "t. Đắk Lắk", "Dak Lak"],
    "tinhdaknong": ["Đăk Nông", "ĐắkNông", "Dak Nong", "t. Đắk Nông"],
    "tinhkontum": ["Kontum", "KonTum", "t. Kon Tum"],
}
SPECIAL_UNACC = {
    "thanhphohochiminh": ["Thanh pho Ho Chi Minh", "Ho Chi Minh", "thanh pho Ho Chi Minh"],
    "thanhphohanoi": ["Thanh pho Ha Noi", "Ha Noi", "ha noi", "Hanoi"],
    "tinhdaklak": ["Tinh Dak Lak", "Dak Lak", "Daklak"],
}


def _xy_forms() -> dict[str, str]:
    """'Đồng Nai' -> 'Đ.Nai' for two-word names, when the form is not shared and does not
    start like a unit abbreviation (P. phường, Q. quận, H. huyện, X. xã)."""
    shorts = {fold(s): s for _, s in PROV_OLD.values()} | {fold(v[2]): v[2] for v in PROV_NEW.values()}
    forms = collections.defaultdict(list)
    for f, s in shorts.items():
        words = s.split()
        if len(words) == 2 and strip_accents(words[0][0]).upper() not in "PQHXF":
            forms[fold(words[0][0] + words[1])].append((f, words[0][0] + "." + words[1]))
    return {lst[0][0]: lst[0][1] for lst in forms.values() if len(lst) == 1}


XY = _xy_forms()


def province_forms(pkey: str, full: str, short: str, mode: str, ward_names: str) -> list[str]:
    is_city = full.startswith("Thành phố")
    if mode == "acc":
        forms = [full, short, full.lower() if not is_city else "thành phố " + short]
        if not is_city:
            forms.append("tỉnh " + short)
        return forms
    if mode == "unacc":
        forms = [strip_accents(f) for f in province_forms(pkey, full, short, "acc", ward_names)]
        return forms + SPECIAL_UNACC.get(pkey, [])
    # abbreviations
    forms = list(SPECIAL_ABBR.get(pkey, []))
    if is_city:
        forms += [f"TP {short}", f"TP.{short}", f"Tp. {short}", f"T.P {short}", f"tp {short}"]
    else:
        forms += [f"t. {short}", f"T.{short}", short]
        if fold(short) in XY:
            forms += [XY[fold(short)]] * 3
    # "Sài Gòn" as the province of "Phường Sài Gòn" would be confusing
    return [f for f in forms if fold(f) not in fold(ward_names)]


# --------------------------------------------------------------------------- unit renderers

WARD_FULL = {"Phường": "Phường", "Xã": "Xã", "Thị trấn": "Thị trấn", "Đặc khu": "Đặc khu"}
WARD_ABBR = {
    "Phường": ["P.", "P.", "P", "Ph.", "p.", "P. "],
    "Xã": ["X.", "X", "x.", "X. "],
    "Thị trấn": ["TT", "TT.", "tt", "T.T"],
    "Đặc khu": ["ĐK", "ĐK.", "đk", "Đk."],
}
DIST_ABBR = {
    "Quận": ["Q.", "Q", "q.", "Q. "],
    "Huyện": ["H.", "H", "h.", "H. "],
    "Thị xã": ["TX", "TX.", "tx", "T.X"],
    "Thành phố": ["TP", "TP.", "Tp.", "T.P", "tp"],
}


def join_abbr(rng: random.Random, prefix: str, name: str) -> str:
    if prefix.endswith(" "):
        return prefix + name
    if prefix.endswith("."):
        return prefix + (rng.choice(["", " "]) if not is_number(name) else rng.choice(["", "", " "])) + name
    if is_number(name):
        return prefix + rng.choice(["", "", " "]) + name
    return prefix + " " + name


def render_unit(rng: random.Random, typ: str, name: str, mode: str, abbr: dict, drop_ok: bool) -> tuple[str, bool]:
    """The unit as written, and whether its type word was left out."""
    if mode == "abbr":
        if drop_ok and rng.random() < 0.3:
            return name, True
        if typ == "Phường" and is_number(name) and rng.random() < 0.35:
            return rng.choice(["F", "F.", "F"]) + name, False
        if is_number(name) and rng.random() < 0.15:
            name = name.zfill(2)
        return join_abbr(rng, rng.choice(abbr[typ]), name), False
    word = typ if rng.random() < 0.6 else typ.lower()
    return f"{word} {name}", False


def apply_mode(s: str, mode: str, rng: random.Random) -> str:
    if mode == "unacc":
        return strip_accents(s)
    if mode == "mixed":
        return strip_accents(s) if rng.random() < 0.5 else s
    return s


# --------------------------------------------------------------------------- street parts

STREETS_N = ["Hào Nam", "Chùa Bộc", "Kim Mã", "Láng Hạ", "Trần Duy Hưng", "Phạm Văn Đồng", "Nguyễn Chí Thanh",
             "Tôn Đức Thắng", "Xuân Thủy", "Giải Phóng", "Minh Khai", "Lạc Long Quân", "Đội Cấn", "Trường Chinh",
             "Nguyễn Khang", "Vũ Trọng Phụng", "Khương Trung", "Hoàng Hoa Thám", "Đê La Thành", "Thái Hà"]
STREETS_S = ["Lê Văn Sỹ", "Cách Mạng Tháng Tám", "Nguyễn Thị Minh Khai", "Võ Văn Tần", "Phan Xích Long",
             "Nguyễn Văn Trỗi", "Hoàng Văn Thụ", "Âu Cơ", "Lũy Bán Bích", "Phạm Văn Chiêu", "Huỳnh Tấn Phát",
             "Nguyễn Oanh", "Lê Đức Thọ", "Tô Ký", "Bùi Thị Xuân", "Nguyễn Thái Sơn", "Quốc lộ 1A", "Quốc lộ 13"]
STREETS_ANY = ["Lê Lợi", "Nguyễn Huệ", "Hùng Vương", "Trần Phú", "Lê Duẩn", "Nguyễn Du", "Bà Triệu",
               "Phan Chu Trinh", "Ngô Quyền", "Lê Hồng Phong", "Nguyễn Văn Linh", "Võ Nguyên Giáp",
               "Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Phan Bội Châu",
               "Nguyễn Văn Cừ", "Lê Thánh Tông", "Tô Hiến Thành", "Nguyễn Đình Chiểu", "Yersin"]
HAMLETS = ["Đông", "Tây", "Thượng", "Hạ", "Trung", "Đoài", "Chợ", "Giữa", "Mới", "Bến"]
LOTS = "ABCDEFGH"


def street_part(rng: random.Random, south: bool, bad_names: set[str]) -> str:
    """An invented house/street part; "" for none. Street names equal to an administrative unit
    of the provinces involved are avoided."""
    pool = [s for s in (STREETS_S if south else STREETS_N) + STREETS_ANY if fold(s) not in bad_names]
    hamlets = [h for h in HAMLETS if fold(h) not in bad_names]
    st = rng.choice(pool)
    a, b, c, d = (rng.randint(1, 199) for _ in range(4))
    small = rng.randint(1, 12)
    north_t = [
        f"{a}/{small} ngõ {c} {st}", f"số {a} ngách {b}/{small} ngõ {c} {st}", f"số {a} ngõ {c} {st}",
        f"nhà {a} ngõ {c} phố {st}", f"tổ {small}", f"thôn {rng.choice(hamlets)}", f"xóm {small}",
        f"tổ dân phố {small}", f"số {a} {st}",
    ]
    south_t = [
        f"hẻm {a}/{small} {st}", f"{a}/{small}/{rng.randint(1, 9)} {st}", f"{a} hẻm {b} {st}", f"ấp {small}",
        f"khu phố {small}", f"tổ {small} khu phố {rng.randint(1, 9)}", f"số {a} đường số {small}",
        f"{a} đường 30/4", f"{a} đường 3/2", f"lô {rng.choice(LOTS)}{small} KCN",
        f"lô {rng.choice(LOTS)}{small} khu công nghiệp",
    ]
    any_t = ["", "", "", f"{a} {st}", f"số {a} {st}", f"{a}A {st}", f"{a}/{small} {st}", f"{d} đường {st}"]
    return rng.choice((south_t if south else north_t) * 2 + any_t)


def abbreviate_street(s: str, rng: random.Random) -> str:
    for full, short in (("khu phố ", ["KP", "KP.", "kp "]), ("tổ dân phố ", ["TDP", "TDP ", "tdp "]),
                        ("số ", ["số ", "", "so "]), ("hẻm ", ["hẻm ", "hxh ", "hẻm "])):
        if s.startswith(full) and rng.random() < 0.6:
            s = rng.choice(short) + s[len(full):]
    return s


# --------------------------------------------------------------------------- assembling

SEPS_ACC = [", "] * 8 + [" - ", ",", " , "]
SEPS_ABBR = [", "] * 5 + [" ", " ", ",", " - "]


def assemble(rng: random.Random, parts: list[str], mode: str, style_mode: str) -> str:
    parts = [p for p in parts if p]
    sep = rng.choice(SEPS_ABBR if style_mode == "abbr" else SEPS_ACC if style_mode == "acc" else SEPS_ABBR[:6] + SEPS_ACC)
    if "-" in parts[-1] and "-" in sep:  # "Bà Rịa - Vũng Tàu", "BR-VT": keep the hyphen unambiguous
        sep = ", "
    s = sep.join(parts)
    r = rng.random()
    if r < 0.15:
        s = s.lower()
    elif r < 0.21:
        s = s.upper()
    s = re.sub(r" {2,}", " ", s).strip()
    return nfc(s)


def is_south(new_code: str) -> bool:
    return int(new_code) >= 48


def current_address(rng: random.Random, r: dict, style_mode: str) -> str:
    pkey = r["provinceKey"]
    code, pfull, pshort = PROV_NEW[pkey]
    typ, name = split_name(r["ward"])
    bad = PLACE_NAMES[pkey] | ALL_PROVINCE_NAMES
    for o in NEW_TO_OLD_PROV[pkey]:
        bad |= PLACE_NAMES[o]
    comp_mode = style_mode if style_mode != "abbr" else rng.choice(["acc", "acc", "unacc", "mixed"])
    street = street_part(rng, is_south(code), bad)
    if style_mode == "abbr":
        street = abbreviate_street(street, rng)
    ward, _ = render_unit(rng, typ, name, style_mode, WARD_ABBR, False)
    prov = rng.choice(province_forms(pkey, pfull, pshort, style_mode, r["ward"]))
    parts = [apply_mode(p, comp_mode, rng) for p in (street, ward, prov)]
    return assemble(rng, parts, comp_mode, style_mode)


def legacy_address(rng: random.Random, r: dict, style_mode: str, new_code: str) -> str:
    opk = r["provinceKey"]
    pfull, pshort = PROV_OLD[opk]
    dtyp, dname = split_name(r["district"])
    bad = PLACE_NAMES[opk] | ALL_PROVINCE_NAMES
    comp_mode = style_mode if style_mode != "abbr" else rng.choice(["acc", "acc", "unacc", "mixed"])
    dist_names = OLD_WARD_NAMES[(opk, r["districtKey"])]
    ward, dropped_ward = "", False
    if r["ward"]:
        wtyp, wname = split_name(r["ward"])
        drop_ward_ok = (not is_number(wname) and dist_names[fold(wname)] == 1 and fold(wname) != fold(dname)
                        and OLD_DIST_NAMES[opk][fold(wname)] == 0 and fold(wname) not in ALL_PROVINCE_NAMES)
        ward, dropped_ward = render_unit(rng, wtyp, wname, style_mode, WARD_ABBR, drop_ward_ok)
    drop_dist_ok = (not is_number(dname) and not dropped_ward and OLD_DIST_NAMES[opk][fold(dname)] == 1
                    and fold(dname) != fold(pshort) and dist_names[fold(dname)] == 0
                    and fold(dname) not in ALL_PROVINCE_NAMES)
    dist, _ = render_unit(rng, dtyp, dname, style_mode, DIST_ABBR, drop_dist_ok)
    prov = rng.choice(province_forms(opk, pfull, pshort, style_mode, r["ward"] or r["district"]))
    street = street_part(rng, is_south(new_code), bad) if r["ward"] else rng.choice(["", f"số {rng.randint(1, 99)} đường {rng.choice(STREETS_ANY)}"])
    if style_mode == "abbr":
        street = abbreviate_street(street, rng)
    parts = [apply_mode(p, comp_mode, rng) for p in (street, ward, dist, prov)]
    return assemble(rng, parts, comp_mode, style_mode)


# --------------------------------------------------------------------------- selection


def build() -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(2025)
    rows: list[tuple[str, str, str, str, str]] = []
    seen_fold: set[str] = set()  # no two addresses equal once folded

    def add(addr_fn, status, codes, pcode, style) -> bool:
        for _ in range(30):
            addr = addr_fn()
            if fold(addr) not in seen_fold:
                seen_fold.add(fold(addr))
                rows.append((addr, status, "|".join(sorted(codes)), pcode, style))
                return True
        return False

    # ---- current rows: round robin over the 34 provinces, distinct wards
    new_by_prov = collections.defaultdict(list)
    for r in NEW:
        if new_ok(r):
            new_by_prov[r["provinceKey"]].append(r)
    provs = sorted(new_by_prov)
    rng.shuffle(provs)
    special = [r for r in NEW if new_ok(r) and (r["wardType"] == "Đặc khu" or re.search(r"\d", r["ward"]))]
    rng.shuffle(special)
    used_new: set[str] = set()
    for si, (style, mode) in enumerate((("current_accented", "acc"), ("current_unaccented", "unacc"),
                                        ("current_abbrev", "abbr"))):
        picks = [r for r in special[si * 5:(si + 1) * 5]]
        i = si * 11
        while len(picks) < PER_STYLE:
            pk = provs[i % len(provs)]
            i += 1
            cands = [r for r in new_by_prov[pk] if r["wardCode"] not in used_new and r not in picks]
            picks.append(rng.choice(cands))
        for r in picks:
            used_new.add(r["wardCode"])
            code = NEW_CODE[(r["provinceKey"], r["wardKey"])]
            ok = add(lambda r=r: current_address(rng, r, mode), "resolved", [code], r["provinceCode"], style)
            assert ok, r

    # ---- legacy resolved rows
    resolved = []
    for r in OLD:
        k = old_key(r)
        if old_ok(r) and len(NODIV.get(k, [])) == 1 and k not in DIV:
            resolved.append(r)
    by_oprov = collections.defaultdict(list)
    for r in resolved:
        by_oprov[r["provinceKey"]].append(r)
    hcm_num = [r for r in resolved if r["provinceKey"] == "thanhphohochiminh" and r["ward"]
               and is_number(split_name(r["ward"])[1])]
    other_num = [r for r in resolved if r["provinceKey"] != "thanhphohochiminh" and r["ward"]
                 and is_number(split_name(r["ward"])[1])]
    islands = [r for r in resolved if r["ward"] is None]
    for lst in (hcm_num, other_num, islands):
        lst.sort(key=old_key)
        rng.shuffle(lst)
    oprovs = sorted(by_oprov)
    rng.shuffle(oprovs)
    used_old: set[str] = set()
    for si, (style, mode) in enumerate((("legacy_accented", "acc"), ("legacy_unaccented", "unacc"),
                                        ("legacy_abbrev", "abbr"))):
        picks = hcm_num[si * 12:(si + 1) * 12] + other_num[si * 6:(si + 1) * 6] + islands[si * 2:(si + 1) * 2]
        i = si * 21
        while len(picks) < PER_STYLE:
            opk = oprovs[i % len(oprovs)]
            i += 1
            cands = [r for r in by_oprov[opk] if r["ward"] and old_key(r) not in used_old and r not in picks]
            picks.append(rng.choice(cands))
        for r in picks:
            used_old.add(old_key(r))
            (npk, nwk), = NODIV[old_key(r)]
            code = NEW_CODE[(npk, nwk)]
            pcode = PROV_NEW[npk][0]
            ok = add(lambda r=r, pcode=pcode: legacy_address(rng, r, mode, pcode), "resolved", [code], pcode, style)
            assert ok, r

    # ---- split rows: old wards divided among several new ones
    split_by_prov = collections.defaultdict(list)
    for k, lst in DIV.items():
        r = OLD_BY_KEY.get(k)
        if r is None or not old_ok(r) or k in NODIV or len(lst) != 1:
            continue
        npk, cands = lst[0]
        codes = sorted({NEW_CODE[(npk, c)] for c in cands})
        if len(codes) >= 2:
            split_by_prov[npk].append((r, codes))
    sprovs = sorted(split_by_prov)
    rng.shuffle(sprovs)
    for lst in split_by_prov.values():
        lst.sort(key=lambda x: old_key(x[0]))
        rng.shuffle(lst)
    n = 0
    i = 0
    while n < SPLIT_ROWS:
        npk = sprovs[i % len(sprovs)]
        j = i // len(sprovs)
        i += 1
        if j >= len(split_by_prov[npk]):
            continue
        r, codes = split_by_prov[npk][j]
        mode = rng.choice(["acc", "acc", "unacc", "abbr", "abbr"])
        pcode = PROV_NEW[npk][0]
        if add(lambda r=r, mode=mode, pcode=pcode: legacy_address(rng, r, mode, pcode), "ambiguous", codes, pcode,
               "split"):
            n += 1
    return rows


# --------------------------------------------------------------------------- checks


def check(rows) -> None:
    codes_2025 = {r["wardCode"]: r["provinceCode"] for r in NEW}
    seen = set()
    for addr, status, wc, pc, style in rows:
        assert addr == nfc(addr) and "\t" not in addr and addr.strip() == addr, addr
        assert style in STYLES, style
        codes = wc.split("|")
        assert all(codes_2025.get(c) == pc for c in codes), (addr, wc, pc)
        if status == "resolved":
            assert len(codes) == 1 and style != "split", addr
        else:
            assert status == "ambiguous" and style == "split" and len(set(codes)) >= 2, addr
        assert fold(addr) not in seen, addr
        seen.add(fold(addr))
        if style.endswith("_unaccented"):
            assert strip_accents(addr) == addr, addr
    counts = collections.Counter(r[4] for r in rows)
    for s in STYLES[:-1]:
        assert counts[s] >= 60, (s, counts[s])
    assert counts["split"] >= 25 and len(rows) >= 320
    cur_provs = {r[3] for r in rows if r[4].startswith("current")}
    assert len(cur_provs) == 34, len(cur_provs)


def main() -> None:
    rows = build()
    check(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write("address\tstatus\tward_codes\tprovince_code\tstyle\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    counts = collections.Counter(r[4] for r in rows)
    print(f"{len(rows)} rows -> {OUT.relative_to(ROOT)}")
    for s in STYLES:
        print(f"  {s:20} {counts[s]}")
    print(f"  provinces (2025): {len({r[3] for r in rows})}")


if __name__ == "__main__":
    sys.exit(main())
