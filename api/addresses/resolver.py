"""Free-text Vietnamese addresses → the commune and province they belong to since 1 July 2025.

People write "12/5 ngõ 34 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN", "ap 3 xa Tan Phu tinh
Dong Thap" or "Phường Bến Thành, TP.HCM": with or without diacritics, abbreviated, with or
without commas, and often still with the district and province of before 2025. Reading
from the right (province, then district, then commune), the resolver tries the current map
and the old one, and converts old units with the official mapping. An old commune that
was split among several new ones is never guessed: the answer is "ambiguous" with all of
them, for the citizen to pick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from api.addresses.gazetteer import (
    DISTRICT_TYPES,
    PROVINCE_TYPES,
    WARD_TYPES,
    Gazetteer,
    LegacyWard,
    Unit,
    Ward,
)
from api.text.normalize import fold, nfc

Status = Literal["resolved", "ambiguous", "not_found"]
MAX_UNIT_TOKENS = 6

# One token as people type it → what it stands for (after folding).
ABBREVIATIONS: dict[str, list[str]] = {
    "p": ["phuong"], "ph": ["phuong"], "f": ["phuong"], "phg": ["phuong"],
    "q": ["quan"], "tp": ["thanhpho"], "tx": ["thixa"], "tt": ["thitran"], "h": ["huyen"],
    "x": ["xa"], "t": ["tinh"], "tphcm": ["thanhpho", "hochiminh"], "hcm": ["hochiminh"],
    "sg": ["hochiminh"], "tpsg": ["thanhpho", "hochiminh"],
    "hn": ["hanoi"], "tphn": ["thanhpho", "hanoi"],
}
# Two folded words that are one type word.
JOINED = {("thanh", "pho"): "thanhpho", ("thi", "xa"): "thixa", ("thi", "tran"): "thitran",
          ("dac", "khu"): "dackhu", ("ho", "chi", "minh"): "hochiminh"}
# "p12", "q.1", "f3", "p.ben nghe": a type letter glued to what follows.
ALL_TYPES = {*WARD_TYPES, *DISTRICT_TYPES, *PROVINCE_TYPES}
DOTTED_TYPES = {"tx": "thixa", "tp": "thanhpho", "tt": "thitran"}
_GLUED = re.compile(r"^(p|ph|f|q|x|h|tt|tx|tp)\.?(\d+)$")
_TOKEN = re.compile(r"[^\s,;]+")


@dataclass(slots=True)
class Token:
    text: str  # folded and expanded
    start: int  # offsets in the original input
    end: int
    segment: int  # which comma-separated part it came from
    raw: str = ""  # folded as typed, before expanding an abbreviation ("t" in "T.Hóa")


@dataclass(slots=True)
class Match:
    start: int  # first token index
    end: int  # one past the last token index
    units: list


@dataclass(slots=True)
class Resolution:
    status: Status
    street: str | None = None
    ward: Ward | None = None
    province_code: str | None = None
    legacy: dict[str, Unit] = field(default_factory=dict)
    candidates: list[Ward] = field(default_factory=list)

    @property
    def formatted(self) -> str | None:
        """"12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh" once the commune is known."""
        if not self.ward:
            return None
        return ", ".join(p for p in (self.street, self.ward.unit.name, self.ward.province.name) if p)


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    segment = 0
    pos = 0
    for m in _TOKEN.finditer(text):
        segment += text.count(",", pos, m.start()) + text.count(";", pos, m.start())
        pos = m.start()
        raw = fold(m.group()).strip(".-–:()\"'")
        if not raw:  # a lone "-": names contain it too ("Bà Rịa - Vũng Tàu"), so it separates nothing
            continue
        glued = _GLUED.match(raw)
        pieces: list[tuple[str, str]]  # (expanded, as typed)
        if glued:
            pieces = [(p, glued.group(1)) for p in ABBREVIATIONS.get(glued.group(1), [glued.group(1)])]
            pieces.append((str(int(glued.group(2))), glued.group(2)))
        elif raw.replace(".", "") in DOTTED_TYPES and "." in raw:
            pieces = [(DOTTED_TYPES[raw.replace(".", "")], raw)]
        elif "." in raw and not any(c.isdigit() for c in raw):
            # "p.ben", "tp.hcm", "T.Hóa": abbreviations glued with a dot
            pieces = [(p, piece) for piece in filter(None, raw.split(".")) for p in ABBREVIATIONS.get(piece, [piece])]
        elif raw.isdigit():
            pieces = [(str(int(raw)), raw)]  # "Quận 05" is "Quận 5"
        else:
            pieces = [(p, raw) for p in ABBREVIATIONS.get(raw, [raw])]
        for part, typed in pieces:
            out.append(Token(part, m.start(), m.end(), segment, typed))
    # Join two- and three-word type words and names ("thanh pho", "ho chi minh").
    joined: list[Token] = []
    i = 0
    while i < len(out):
        for n in (3, 2):
            words = tuple(t.text for t in out[i : i + n])
            if len(words) == n and words in JOINED and len({t.segment for t in out[i : i + n]}) == 1:
                joined.append(Token(JOINED[words], out[i].start, out[i + n - 1].end, out[i].segment))
                i += n
                break
        else:
            joined.append(out[i])
            i += 1
    return joined


def _key(tokens: list[Token]) -> str:
    return "".join(ch for t in tokens for ch in t.text if ch.isalnum())


def _raw_key(tokens: list[Token]) -> str:
    """The key as typed: "T.Hóa" → "thoa", which the map knows as Thanh Hóa's short form."""
    seen: list[str] = []
    for t in tokens:
        if not seen or seen[-1] is not t.raw or t.raw == t.text:
            seen.append(t.raw or t.text)
    return "".join(ch for piece in seen for ch in piece if ch.isalnum())


class Resolver:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.g = gazetteer

    # -- matching a unit that ends at token index `end` ---------------------------------

    def _spans(self, tokens: list[Token], end: int) -> list[tuple[int, str, str | None]]:
        """(start, key without type, type word or None) for the spans ending at `end`, longest first."""
        spans = []
        for n in range(min(MAX_UNIT_TOKENS, end), 0, -1):
            part = tokens[end - n : end]
            if len({t.segment for t in part}) > 1:  # a unit never crosses a comma
                continue
            before = tokens[end - n - 1] if end - n > 0 else None
            # "huyện Phú Tân" is a district: "Phú Tân" alone must not be read as a commune.
            if not (before and before.segment == part[0].segment and before.text in ALL_TYPES):
                spans.append((end - n, _key(part), None))
            head = part[0].text
            if n > 1 and head in ALL_TYPES:
                spans.append((end - n, _key(part[1:]), head))
        return spans

    def _province(self, tokens: list[Token], end: int) -> tuple[int, set[str], set[str]] | None:
        """New province codes and old province keys named by the tokens ending at `end`."""
        for start, key, kind in self._spans(tokens, end):
            if kind and kind not in PROVINCE_TYPES:
                continue
            keys = {(kind or "") + key, key}
            if not kind:
                keys.add(_raw_key(tokens[start:end]))
            new = set().union(*(self.g.province_keys.get(k, set()) for k in keys))
            old = set().union(*(self.g.old_province_keys.get(k, set()) for k in keys))
            if new or old:
                return start, new, old
        return None

    def _district(self, tokens: list[Token], end: int, old_provinces: list[str]):
        for start, key, kind in self._spans(tokens, end):
            if kind and kind not in DISTRICT_TYPES:
                continue
            if not kind and key.isdigit():
                continue
            found = []
            for prov in old_provinces:
                per = self.g.districts.get(prov, {})
                found += [(prov, d) for d in per.get((kind or "") + key, []) if not kind or _kind_ok(d, kind)]
                if not kind:
                    found += [(prov, d) for d in per.get(key, []) if (prov, d) not in found]
            if found:
                return start, found
        return None

    def _wards(self, tokens: list[Token], end: int, lookup) -> tuple[int, list] | None:
        for start, key, kind in self._spans(tokens, end):
            if kind and kind not in WARD_TYPES:
                continue
            if not kind and key.isdigit():
                continue
            found = lookup((kind or "") + key) if kind else lookup(key)
            if kind:
                found = [w for w in found if _kind_ok(w.unit, kind)] or found
            if found:
                return start, found
        return None

    # -- the whole address -------------------------------------------------------------

    def resolve(self, text: str) -> Resolution:
        text = nfc(text).strip()
        tokens = tokenize(text)
        if not tokens:
            return Resolution("not_found")
        end = len(tokens)
        province = self._province(tokens, end)
        new_codes: set[str] = set()
        old_keys: set[str] = set()
        if province:
            end, new_codes, old_keys = province
        # An old province name narrows the new one; a new name covers its old provinces.
        new_scope = new_codes | {self.g.new_province_of_old[k] for k in old_keys}
        old_scope = sorted(old_keys | {o for c in new_codes for o in self.g.old_provinces_of_new[c]})

        attempts: list[Resolution] = []
        # 1. Old district (and commune) before the province: a pre-2025 address.
        district = self._district(tokens, end, old_scope or sorted(self.g.old_provinces))
        if district:
            d_start, districts = district
            wards = self._wards(
                tokens, d_start,
                lambda k: [w for prov, d in districts for w in self.g.legacy_by_district[(prov, d.key)].get(k, [])],
            )
            if wards:
                attempts.append(self._from_legacy(text, tokens, wards[0], wards[1]))
            else:
                zones = [w for prov, d in districts for w in self.g.district_successors(prov, d)]
                if zones:
                    prov, d = districts[0]
                    attempts.append(self._result(text, tokens, d_start, zones,
                                                 {"district": d, "province": self.g.old_provinces[prov]}))
        # 2. A current commune before the province.
        scope = sorted(new_scope) if new_scope else None
        current = self._wards(
            tokens, end,
            lambda k: [w for c in scope for w in self.g.ward_index[c].get(k, [])] if scope
            else self.g.ward_national.get(k, []),
        )
        if current:
            attempts.append(self._result(text, tokens, current[0], current[1], {}))
        # 3. An old commune before the province, the district left out.
        if old_scope or not province:
            old = self._wards(
                tokens, end,
                lambda k: [w for p in (old_scope or self.g.legacy_by_province) for w in self.g.legacy_by_province[p].get(k, [])],
            )
            if old:
                attempts.append(self._from_legacy(text, tokens, old[0], old[1]))
        # 4. A small typo in the commune's name, within a known province.
        if not attempts and scope:
            fuzzy = self._fuzzy_ward(tokens, end, scope)
            if fuzzy:
                attempts.append(self._result(text, tokens, fuzzy[0], fuzzy[1], {}))
        if not attempts:
            return Resolution("not_found", province_code=next(iter(new_scope)) if len(new_scope) == 1 else None)
        # Prefer what explains most of the text; on a tie, a current name over an old one.
        best = min(attempts, key=lambda r: (r.status != "resolved" and r.status != "ambiguous", _street_len(r)))
        return best

    def _from_legacy(self, text: str, tokens: list[Token], start: int, olds: list[LegacyWard]) -> Resolution:
        successors: list[Ward] = []
        for old in olds:
            for w in self.g.successors_of(old):
                if w not in successors:
                    successors.append(w)
        first = olds[0]
        legacy = {"ward": first.unit, "district": first.district, "province": first.province} if len(olds) == 1 else {}
        return self._result(text, tokens, start, successors, legacy)

    def _result(self, text: str, tokens: list[Token], start: int, wards: list[Ward], legacy: dict) -> Resolution:
        street = text[: tokens[start].start].strip(" ,;-–") if start > 0 else None
        wards = list(dict.fromkeys(wards))
        if len(wards) == 1:
            return Resolution("resolved", street or None, wards[0], wards[0].province.code, legacy)
        provinces = {w.province.code for w in wards}
        return Resolution("ambiguous", street or None, None, provinces.pop() if len(provinces) == 1 else None,
                          legacy, wards)

    def _fuzzy_ward(self, tokens: list[Token], end: int, scope: list[str]) -> tuple[int, list[Ward]] | None:
        choices = {k: ws for c in scope for k, ws in self.g.ward_index[c].items() if len(k) >= 5}
        for start, key, kind in self._spans(tokens, end):
            if len(key) < 5 or (kind and kind not in WARD_TYPES):
                continue
            best = process.extractOne((kind or "") + key if kind else key, list(choices),
                                      scorer=Levenshtein.distance, score_cutoff=1)
            if best:
                return start, choices[best[0]]
        return None


def _kind_ok(unit: Unit, kind: str) -> bool:
    return fold(unit.kind).replace(" ", "") == kind


def _street_len(r: Resolution) -> int:
    return len(r.street or "")
