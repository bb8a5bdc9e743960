"""Catalog import: the project's JSON or the national portal's machine format.

An import is an idempotent upsert keyed by (code, version): unchanged records
write nothing, changed ones are updated in place. A record that does not
validate is reported with its position and field and skipped; the rest is
committed. Every import that changed something bumps the catalog revision so
that every API process rebuilds its search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.procedures.models import CatalogState, Procedure
from api.procedures.portal_format import PortalFormatError, from_portal, is_portal_record
from api.procedures.schema import ProcedureRecord
from api.text.normalize import nfc

BATCH = 2000
_MSGSPEC_PATH_RE = re.compile(r"- at `\$\.?([^`]*)`")
PORTAL_PAGE = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"


@dataclass(frozen=True, slots=True)
class RecordProblem:
    position: str  # "file.json#3" (0-based index inside the file)
    field: str  # "online_level", "channels[0].fee_vnd", or "MATTHC" for portal records
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.field or '(bản ghi)'}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return (
            f"đọc {self.read}, thêm {self.inserted}, cập nhật {self.updated}, "
            f"không đổi {self.unchanged}, bỏ qua {self.skipped}"
        )


def iter_raw(path: Path) -> Iterator[tuple[str, Any]]:
    """Yield (position, raw record) from a file (.json object/list, .jsonl) or a directory."""
    files = sorted(p for p in path.rglob("*") if p.suffix in {".json", ".jsonl"}) if path.is_dir() else [path]
    for f in files:
        name = str(f.relative_to(path)) if path.is_dir() else f.name
        try:
            if f.suffix == ".jsonl":
                for n, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
                    if line.strip():
                        yield f"{name}#{n}", json.loads(line)
                continue
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield name, exc
            continue
        if isinstance(data, dict) and isinstance(data.get("result"), list):
            data = data["result"]  # the portal API wraps its answer as {"result": [...]}
        if isinstance(data, list):
            for n, item in enumerate(data):
                yield f"{name}#{n}", item
        else:
            yield name, data


def parse_record(raw: Any, *, source_url: str | None, checked: dt.date) -> ProcedureRecord:
    """Validate one raw record; raises RecordError with the field at fault."""
    if isinstance(raw, Exception):
        raise RecordError("", f"không đọc được tệp: {raw}")
    if not isinstance(raw, dict):
        raise RecordError("", "bản ghi phải là một đối tượng JSON")
    if is_portal_record(raw):
        code = str(raw.get("MATTHC") or "").strip()
        try:
            return from_portal(raw, source_url=source_url or PORTAL_PAGE.format(code=code), checked=checked)
        except PortalFormatError as exc:
            raise RecordError(exc.field, exc.message) from exc
        except msgspec.ValidationError as exc:
            raise _record_error(exc) from exc
    try:
        return msgspec.convert(_nfc_all(raw), ProcedureRecord, strict=False)
    except msgspec.ValidationError as exc:
        raise _record_error(exc) from exc


class RecordError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _record_error(exc: msgspec.ValidationError) -> RecordError:
    text = str(exc)
    m = _MSGSPEC_PATH_RE.search(text)
    return RecordError(m.group(1) if m else "", _MSGSPEC_PATH_RE.sub("", text).strip())


def _nfc_all(value: Any) -> Any:
    # Some editors save NFD; the catalog is compared and displayed in NFC.
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_all(v) for k, v in value.items()}
    return value


def to_row(record: ProcedureRecord) -> dict[str, Any]:
    builtins = msgspec.to_builtins(record)
    canonical = msgspec.json.encode(builtins, order="sorted")
    return {
        "code": record.code,
        "version": record.version,
        "effective_date": record.effective_date,
        "status": record.status,
        "replaced_by": record.replaced_by,
        "slug": record.slug,
        "name": record.name,
        "field": record.field,
        "agency_name": record.agency.name,
        "agency_level": record.agency.level,
        "online_level": record.online_level,
        "province_code": record.province_code,
        "aliases": list(record.aliases),
        "result": record.result,
        "checked_on": max(s.checked for s in record.sources),
        "record": builtins,
        "content_hash": hashlib.sha256(canonical).hexdigest(),
    }


async def import_records(
    sessions: async_sessionmaker[AsyncSession],
    raws: Iterable[tuple[str, Any]],
    *,
    source_url: str | None = None,
    checked: dt.date | None = None,
) -> ImportReport:
    report = ImportReport()
    checked = checked or dt.date.today()
    rows: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {}
    for position, raw in raws:
        report.read += 1
        try:
            record = parse_record(raw, source_url=source_url, checked=checked)
        except RecordError as exc:
            report.problems.append(RecordProblem(position, exc.field, exc.message))
            continue
        key = (record.code, record.version)
        if key in rows:
            earlier = rows[key][0]
            report.problems.append(
                RecordProblem(
                    earlier,
                    "code",
                    f"trùng mã {record.code} phiên bản {record.version} với {position}; dùng bản sau",
                )
            )
        rows[key] = (position, to_row(record))

    async with sessions() as session, session.begin():
        existing = {
            (code, version): (pk, digest)
            for pk, code, version, digest in (
                await session.execute(
                    select(Procedure.id, Procedure.code, Procedure.version, Procedure.content_hash)
                )
            ).all()
        }
        to_insert, to_update = [], []
        for key, (_pos, row) in rows.items():
            if key not in existing:
                to_insert.append(row)
            elif existing[key][1] != row["content_hash"]:
                to_update.append({"id": existing[key][0], **row, "updated_at": dt.datetime.now(dt.UTC)})
            else:
                report.unchanged += 1
        for start in range(0, len(to_insert), BATCH):
            await session.execute(insert(Procedure), to_insert[start : start + BATCH])
        for start in range(0, len(to_update), BATCH):
            await session.execute(update(Procedure), to_update[start : start + BATCH])
        report.inserted, report.updated = len(to_insert), len(to_update)
        if to_insert or to_update:
            await bump_revision(session)
    return report


async def bump_revision(session: AsyncSession) -> None:
    state = await session.get(CatalogState, 1, with_for_update=True)
    if state is None:
        session.add(CatalogState(id=1, revision=1))
    else:
        state.revision += 1
