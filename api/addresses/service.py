"""Address service: resolve, suggest, postal codes (province prefixes and the imported list)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.addresses.gazetteer import Gazetteer, Unit, Ward, gazetteer
from api.addresses.models import PostalCode
from api.addresses.resolver import Resolution, Resolver, tokenize
from api.settings import ROOT
from api.text.normalize import fold

PREFIXES_CSV = ROOT / "data" / "postal" / "province_prefixes.csv"
_POSTAL_RE = re.compile(r"^\d{5}$")


class UnitOut(msgspec.Struct):
    code: str
    name: str


class Candidate(msgspec.Struct):
    ward: UnitOut
    province: UnitOut
    label: str  # "Phường Bến Thành, Thành phố Hồ Chí Minh"


class LegacyUnits(msgspec.Struct, omit_defaults=True):
    """The pre-2025 units the citizen named."""

    ward: UnitOut | None = None
    district: UnitOut | None = None
    province: UnitOut | None = None


class AddressResolution(msgspec.Struct):
    status: Literal["resolved", "ambiguous", "not_found"]
    input: str
    street: str | None
    ward: UnitOut | None
    province: UnitOut | None
    # The commune's code from the official list when it was imported; None = unknown.
    postal_code: str | None
    postal_code_status: Literal["known", "unknown"]
    # The two-digit prefixes of the province's postal codes (QĐ 2334/QĐ-BKHCN).
    postal_prefixes: list[str]
    formatted: str | None
    legacy: LegacyUnits | None
    candidates: list[Candidate]
    # What to tell the citizen, in Vietnamese.
    message: str


class Suggestions(msgspec.Struct):
    items: list[Candidate]


def _unit(u: Unit) -> UnitOut:
    return UnitOut(u.code, u.name)


def candidate(w: Ward) -> Candidate:
    return Candidate(_unit(w.unit), _unit(w.province), f"{w.unit.name}, {w.province.name}")


@lru_cache(maxsize=1)
def province_prefixes() -> dict[str, list[str]]:
    with PREFIXES_CSV.open(encoding="utf-8") as f:
        return {r["province_code"]: r["prefixes"].split() for r in csv.DictReader(f)}


def _message(r: Resolution, ward: Ward | None, legacy: LegacyUnits | None) -> str:
    if r.status == "resolved" and ward:
        text = f"Dạ, địa chỉ thuộc {ward.unit.name}, {ward.province.name}"
        if legacy and legacy.ward:
            text += f" (trước đây: {legacy.ward.name}, {legacy.district.name if legacy.district else ''}".rstrip(", ")
            text += f", {legacy.province.name})" if legacy.province else ")"
        return text + ". Anh/chị kiểm tra lại giúp em nhé."
    if r.status == "ambiguous":
        return "Dạ, phường/xã này nay thuộc một trong các đơn vị dưới đây. Anh/chị chọn đúng nơi mình ở giúp em."
    return "Dạ, em chưa tìm thấy phường/xã trong địa chỉ này. Anh/chị ghi rõ phường/xã và tỉnh/thành phố giúp em."


@dataclass(slots=True)
class _SuggestEntry:
    ward: Ward
    words: list[str]  # folded words of "ward short + province short"
    ward_key: str


@dataclass(slots=True)
class SuggestIndex:
    entries: list[_SuggestEntry] = field(default_factory=list)

    @classmethod
    def build(cls, g: Gazetteer) -> SuggestIndex:
        index = cls()
        for w in g.wards.values():
            words = fold(f"{w.unit.name} {w.province.short}").split()
            index.entries.append(_SuggestEntry(w, words, "".join(fold(w.unit.short).split())))
        return index

    def suggest(self, query: str, limit: int) -> list[Ward]:
        words = [t.text for t in tokenize(query)]
        if not words:
            return []
        scored = []
        for e in self.entries:
            pos = 0
            ok = True
            for q in words:  # every typed word starts a word of the label, in order
                while pos < len(e.words) and not e.words[pos].startswith(q):
                    pos += 1
                if pos == len(e.words):
                    ok = False
                    break
                pos += 1
            if ok:
                first = words[0] if words[0] not in ("phuong", "xa", "dackhu") or len(words) == 1 else words[1]
                scored.append((not e.ward_key.startswith(first), len(e.words), e.ward.unit.name, e.ward))
        scored.sort(key=lambda s: s[:3])
        return [s[3] for s in scored[:limit]]


class AddressService:
    def __init__(self, g: Gazetteer | None = None) -> None:
        self.g = g or gazetteer()
        self.resolver = Resolver(self.g)
        self.suggestions = SuggestIndex.build(self.g)

    async def resolve(self, session: AsyncSession | None, text: str) -> AddressResolution:
        r = self.resolver.resolve(text)
        ward = r.ward
        province = ward.province if ward else (self.g.provinces.get(r.province_code) if r.province_code else None)
        legacy = None
        if r.legacy:
            legacy = LegacyUnits(**{k: _unit(v) for k, v in r.legacy.items()})
        postal = await self.postal_code(session, ward.unit.code) if ward and session else None
        return AddressResolution(
            status=r.status,
            input=text,
            street=r.street,
            ward=_unit(ward.unit) if ward else None,
            province=_unit(province) if province else None,
            postal_code=postal,
            postal_code_status="known" if postal else "unknown",
            postal_prefixes=province_prefixes().get(province.code, []) if province else [],
            formatted=r.formatted,
            legacy=legacy,
            candidates=[candidate(w) for w in r.candidates],
            message=_message(r, ward, legacy),
        )

    def suggest(self, query: str, limit: int = 10) -> Suggestions:
        return Suggestions([candidate(w) for w in self.suggestions.suggest(query, limit)])

    @staticmethod
    async def postal_code(session: AsyncSession, ward_code: str) -> str | None:
        row = await session.get(PostalCode, ward_code)
        return row.postal_code if row else None


# --- import of the official commune-level list ---------------------------------------------

@dataclass(slots=True)
class PostalImportReport:
    read: int = 0
    saved: int = 0
    problems: list[str] = field(default_factory=list)


_CODE_COLUMNS = ("postal_code", "zip", "ma_buu_chinh", "mabuuchinh")
_WARD_CODE_COLUMNS = ("ward_code", "ma_xa", "commune_code")
_NAME_COLUMNS = ("ward_name", "name", "ten", "ward")
_PROVINCE_COLUMNS = ("province_code", "province", "tinh", "province_name")


def _pick(row: dict[str, str], names: tuple[str, ...]) -> str:
    for n in names:
        if row.get(n):
            return row[n].strip()
    return ""


async def import_postal_codes(
    sessions: async_sessionmaker[AsyncSession], path: Path, source: str, g: Gazetteer | None = None
) -> PostalImportReport:
    """CSV (comma or tab) with a postal code column and either the 2025 commune code or its
    name with the province. A row is checked against the province's prefixes and skipped,
    with its line number, when it does not fit; the rest is saved (upsert)."""
    g = g or gazetteer()
    resolver = Resolver(g)
    report = PostalImportReport()
    text = path.read_text(encoding="utf-8-sig")
    dialect = "excel-tab" if text.split("\n", 1)[0].count("\t") > text.split("\n", 1)[0].count(",") else "excel"
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    reader.fieldnames = [fold(f).strip().replace(" ", "_") for f in reader.fieldnames or []]
    prefixes = province_prefixes()
    codes: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        report.read += 1
        postal = _pick(row, _CODE_COLUMNS)
        if not _POSTAL_RE.match(postal):
            report.problems.append(f"dòng {line}: mã bưu chính {postal!r} không phải 5 chữ số")
            continue
        ward_code = _pick(row, _WARD_CODE_COLUMNS).zfill(5) if _pick(row, _WARD_CODE_COLUMNS) else ""
        ward = g.wards.get(ward_code) if ward_code else None
        if ward is None:
            name, prov = _pick(row, _NAME_COLUMNS), _pick(row, _PROVINCE_COLUMNS)
            found = resolver.resolve(f"{name}, {prov}") if name else None
            ward = found.ward if found and found.status == "resolved" and not found.legacy else None
        if ward is None:
            report.problems.append(f"dòng {line}: không xác định được phường/xã")
            continue
        if postal[:2] not in prefixes.get(ward.province.code, []):
            report.problems.append(
                f"dòng {line}: mã {postal} không thuộc đầu số của {ward.province.name} "
                f"({', '.join(prefixes.get(ward.province.code, []))})"
            )
            continue
        codes[ward.unit.code] = postal
    async with sessions() as session, session.begin():
        existing = {
            p.ward_code: p
            for p in (await session.execute(select(PostalCode).where(PostalCode.ward_code.in_(list(codes))))).scalars()
        }
        for ward_code, postal in codes.items():
            if ward_code in existing:
                existing[ward_code].postal_code = postal
                existing[ward_code].source = source[:300]
            else:
                session.add(PostalCode(ward_code=ward_code, postal_code=postal, source=source[:300]))
    report.saved = len(codes)
    return report
