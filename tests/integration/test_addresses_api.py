"""/api/addresses on SQLite and PostgreSQL, and the import of commune postal codes."""

import os
import subprocess
import sys

from api.addresses.service import import_postal_codes
from api.db.engine import create_engine, session_factory
from api.settings import ROOT


async def test_resolve_converts_an_old_address(client):
    body = (await client.get("/api/addresses/resolve", params={"q": "p ben nghe q1 tphcm"})).json()
    assert body["status"] == "resolved"
    assert body["ward"] == {"code": body["ward"]["code"], "name": "Phường Sài Gòn"}
    assert body["province"]["name"] == "Thành phố Hồ Chí Minh"
    assert body["legacy"]["ward"]["name"] == "Phường Bến Nghé" and body["legacy"]["district"]["name"] == "Quận 1"
    assert "trước đây: Phường Bến Nghé" in body["message"]
    assert body["formatted"] == "Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert body["postal_code"] is None and body["postal_code_status"] == "unknown"
    assert body["postal_prefixes"] and all(len(p) == 2 for p in body["postal_prefixes"])


async def test_resolve_split_ward_lists_every_candidate(client):
    body = (await client.get("/api/addresses/resolve", params={"q": "12/5 ngõ 34 Hào Nam, P. Ô Chợ Dừa, Q. Đống Đa, HN"})).json()
    assert body["status"] == "ambiguous" and body["ward"] is None and len(body["candidates"]) == 2
    assert body["street"] == "12/5 ngõ 34 Hào Nam"


async def test_resolve_not_found_and_bad_input(client):
    body = (await client.get("/api/addresses/resolve", params={"q": "xin chào"})).json()
    assert body["status"] == "not_found" and "chưa tìm thấy" in body["message"]
    for params in ({"q": " "}, {}, {"q": "x" * 301}):
        response = await client.get("/api/addresses/resolve", params=params)
        assert response.status_code == 400 and response.json()["detail"].startswith("Dạ")


async def test_suggest_as_the_citizen_types(client):
    items = (await client.get("/api/addresses/suggest", params={"q": "ben th"})).json()["items"]
    assert items[0]["label"] == "Phường Bến Thành, Thành phố Hồ Chí Minh"
    items = (await client.get("/api/addresses/suggest", params={"q": "xa tan phu dong thap"})).json()["items"]
    assert items and all("Đồng Tháp" in i["label"] for i in items)
    assert (await client.get("/api/addresses/suggest", params={"q": "zzzz"})).json()["items"] == []


async def test_postal_codes_import_checks_prefixes_and_reports_lines(fresh_db, tmp_path, backend):
    csv_file = tmp_path / "codes.csv"
    csv_file.write_text(
        "province,name,zip\n"
        "Thành phố Hồ Chí Minh,Phường Bến Thành,70010\n"   # a made-up code that fits HCM prefixes
        "Thành phố Hà Nội,Phường Ba Đình,99999\n"          # wrong prefix for Hà Nội
        "Tỉnh Không Có,Xã Không Có,10000\n"                 # unknown commune
        "Thành phố Hà Nội,Phường Hồng Hà,1234\n",          # not five digits
        encoding="utf-8",
    )
    engine = create_engine(fresh_db)
    sessions = session_factory(engine)
    report = await import_postal_codes(sessions, csv_file, "test list")
    assert report.read == 4 and report.saved == 1
    assert [p.split(":")[0] for p in report.problems] == ["dòng 3", "dòng 4", "dòng 5"]
    from api.addresses.service import AddressService

    async with sessions() as session:
        body = await AddressService().resolve(session, "Phường Bến Thành, TP HCM")
    await engine.dispose()
    assert body.postal_code == "70010" and body.postal_code_status == "known"


def test_cli_import_postal_codes(tmp_path):
    csv_file = tmp_path / "codes.tsv"
    csv_file.write_text("ward_code\tpostal_code\n26743\t70010\n", encoding="utf-8")
    env = {**os.environ, "DVC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "api", *a], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: E731
    assert run("migrate").returncode == 0
    result = run("import-postal-codes", str(csv_file))
    assert result.returncode == 0 and "lưu 1" in result.stdout, result.stderr

