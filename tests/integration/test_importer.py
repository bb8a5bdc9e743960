"""Catalog import: idempotent upsert by code + version, bad records reported and skipped."""

import copy
import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from api.db.engine import create_engine, session_factory
from api.procedures.importer import import_records, iter_raw
from api.procedures.models import Procedure
from api.procedures.service import CatalogIndex, ProcedureService, read_revision
from api.settings import ROOT

CATALOG = ROOT / "data" / "catalog"
PORTAL_SAMPLE = ROOT / "tests" / "fixtures" / "portal_sample.json"


def one_record() -> dict:
    path = CATALOG / "procedures" / "dang-ky-khai-sinh.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
async def sessions(fresh_db):
    engine = create_engine(fresh_db)
    yield session_factory(engine)
    await engine.dispose()


async def revision(sessions) -> int:
    async with sessions() as s:
        return await read_revision(s)


async def test_import_is_idempotent(sessions):
    first = await import_records(sessions, iter_raw(CATALOG))
    assert first.inserted >= 25 and not first.problems
    rev = await revision(sessions)
    again = await import_records(sessions, iter_raw(CATALOG))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.inserted)
    assert await revision(sessions) == rev, "an unchanged import must not make every API rebuild its index"


async def test_changed_record_is_updated_and_the_index_follows(sessions):
    await import_records(sessions, iter_raw(CATALOG))
    index = CatalogIndex()
    await index.refresh(sessions)
    record = one_record()
    record["aliases"] = [*record["aliases"], "giấy chứng sinh đổi tên thành khai sinh zzqx"]
    report = await import_records(sessions, [("edit.json", record)])
    assert (report.inserted, report.updated) == (0, 1)
    assert await index.refresh(sessions) is True
    assert index.search("zzqx").hits[0].doc.code == "1.001193"


async def test_bad_records_are_reported_with_position_and_field_and_skipped(sessions):
    good = one_record()
    bad_level = copy.deepcopy(good) | {"code": "1.999991", "online_level": 7}
    bad_channel = copy.deepcopy(good) | {"code": "1.999992"}
    bad_channel["channels"][0]["fee_vnd"] = -5
    no_source = copy.deepcopy(good) | {"code": "1.999993", "sources": []}
    report = await import_records(
        sessions,
        [
            ("a.json#0", good),
            ("a.json#1", bad_level),
            ("a.json#2", bad_channel),
            ("a.json#3", no_source),
            ("a.json#4", 42),
        ],
    )
    assert report.inserted == 1
    problems = {p.position: p for p in report.problems}
    assert problems["a.json#1"].field == "online_level"
    assert problems["a.json#2"].field == "channels[0].fee_vnd"
    assert problems["a.json#3"].field == "sources"
    assert "a.json#4" in problems
    async with sessions() as s:
        codes = (await s.execute(select(Procedure.code))).scalars().all()
    assert codes == ["1.001193"]


async def test_versions_take_effect_on_their_date(sessions):
    v1 = one_record()
    v2 = copy.deepcopy(v1) | {"version": 2, "name": "Thủ tục đăng ký khai sinh (phiên bản mới)"}
    v2["effective_date"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    await import_records(sessions, [("v1", v1), ("v2", v2)])
    async with sessions() as s:
        detail = await ProcedureService(s).get("1.001193")
    assert detail.version == 1 and [v.version for v in detail.versions] == [1, 2]
    v2["effective_date"] = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    await import_records(sessions, [("v2", v2)])
    async with sessions() as s:
        assert (await ProcedureService(s).get("1.001193")).version == 2
    index = CatalogIndex()
    await index.refresh(sessions)
    assert index.search("phiên bản mới").hits[0].doc.name.endswith("(phiên bản mới)")


async def test_retired_procedure_is_not_searched_but_still_readable(sessions):
    retired = one_record() | {"status": "retired", "replaced_by": "1.001194"}
    await import_records(sessions, [("r", retired)])
    index = CatalogIndex()
    await index.refresh(sessions)
    assert index.search("khai sinh").hits == []
    async with sessions() as s:
        detail = await ProcedureService(s).get("1.001193")
    assert detail.status == "retired" and detail.replaced_by == "1.001194"


async def test_portal_format_is_imported(sessions):
    report = await import_records(sessions, iter_raw(PORTAL_SAMPLE), checked=dt.date(2026, 11, 25))
    assert report.inserted == 2
    assert [(p.position, p.field) for p in report.problems] == [("portal_sample.json#2", "MATTHC")]
    async with sessions() as s:
        detail = await ProcedureService(s).get("1.001193")
    assert detail.sources[0].url.startswith("https://dichvucong.gov.vn")


def test_cli_import_reports_and_exits(tmp_path):
    env = {**os.environ, "DVC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "api", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run("migrate").returncode == 0
    result = run("import-catalog", str(PORTAL_SAMPLE), "--checked", "2026-11-25")
    assert result.returncode == 0, result.stderr
    assert "thêm 2" in result.stdout and "bỏ qua 1" in result.stdout
    assert "portal_sample.json#2: MATTHC" in result.stderr
    assert run("import-catalog", str(PORTAL_SAMPLE), "--strict").returncode == 1
