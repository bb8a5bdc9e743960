"""Drafts → submission → tracking → agency events, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from api.app import create_app
from api.db.engine import create_engine, session_factory
from api.dossiers.forms import FormDefinition, load_forms
from api.dossiers.integration import new_secret, sign
from api.dossiers.models import Agency

KHAI_SINH = "1.001193"


def valid_value(field) -> object:
    """A value every validator accepts, by field type (the form files define the rest)."""
    if field.options:
        return field.options[0].value
    return {
        "text": "Nguyễn Văn An",
        "textarea": "Điều chỉnh số tầng từ 3 lên 4 theo thiết kế mới.",
        "date": "15/03/2015",
        "cccd": "001203004567",
        "phone": "0912345678",
        "email": "an.nguyen@example.com",
        "address": "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "number": int(field.min) if field.min is not None else 1,
        "checkbox": True,
        "attachment": {"id": "a1", "name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 1000},
    }[field.type]


def full_answers(form: FormDefinition) -> dict[str, object]:
    return {f.id: valid_value(f) for f in form.fields}


@pytest.fixture(scope="module")
def khai_sinh_form() -> FormDefinition:
    return load_forms()["dang-ky-khai-sinh"]


@pytest.fixture
async def agency(db_settings):
    engine = create_engine(db_settings)
    code = f"000.00.{uuid.uuid4().int % 90 + 10}.T{uuid.uuid4().int % 90 + 10}"
    secret = new_secret()
    async with session_factory(engine)() as session, session.begin():
        if not (await session.execute(select(Agency).order_by(Agency.id).limit(1))).scalar_one_or_none():
            session.add(Agency(code=code, name="Bộ phận một cửa thử", secret=secret))
    async with session_factory(engine)() as session:
        first = (await session.execute(select(Agency).order_by(Agency.id).limit(1))).scalar_one()
    await engine.dispose()
    return first


async def new_draft(client, answers=None):
    response = await client.post("/api/drafts", json={"procedure_code": KHAI_SINH, "answers": answers or {}})
    assert response.status_code == 201, response.text
    return response.json()


async def submitted(client, form, agency, **contact):
    created = await new_draft(client, full_answers(form))
    token = created["resume_token"]
    body = {"applicant_name": "Trần Thị Bình", "phone": "0912 345 678", "delivery": "office", **contact}
    response = await client.post(f"/api/drafts/{created['draft']['id']}/submit", json=body,
                                 headers={"X-Resume-Token": token})
    assert response.status_code == 201, response.text
    return response.json()


async def test_drafts_keep_everything_typed_even_when_invalid(client, khai_sinh_form):
    created = await new_draft(client)
    draft_id, token = created["draft"]["id"], created["resume_token"]
    assert created["resume_url"].endswith(token)
    cccd_field = next((f for f in khai_sinh_form.fields if f.type == "cccd"), None)
    date_field = next(f for f in khai_sinh_form.fields if f.type == "date")
    answers = {date_field.id: "31/02/2020"}
    if cccd_field:
        answers[cccd_field.id] = "123"
    response = await client.patch(f"/api/drafts/{draft_id}", json={"answers": answers},
                                  headers={"X-Resume-Token": token})
    assert response.status_code == 200
    saved = response.json()
    assert saved["answers"][date_field.id] == "31/02/2020"  # kept as typed
    assert saved["errors"][date_field.id].startswith("Dạ")
    again = (await client.get(f"/api/drafts/{draft_id}", params={"token": token})).json()
    assert again["answers"] == saved["answers"] and again["revision"] == saved["revision"]


async def test_a_draft_opens_only_with_its_token(client):
    created = await new_draft(client)
    draft_id = created["draft"]["id"]
    assert (await client.get(f"/api/drafts/{draft_id}")).status_code == 404
    assert (await client.get(f"/api/drafts/{draft_id}", headers={"X-Resume-Token": "nope"})).status_code == 404
    assert (await client.get(f"/api/drafts/{uuid.uuid4()}", headers={"X-Resume-Token": "x"})).status_code == 404


async def test_submit_gives_a_code_a_receipt_and_a_due_date(client, khai_sinh_form, agency):
    body = await submitted(client, khai_sinh_form, agency)
    code = body["dossier"]["code"]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    assert code.startswith(f"{agency.code}-{today:%y%m%d}-")
    assert len(code.rsplit("-", 1)[1]) == 4
    assert body["dossier"]["status"] == 1 and body["dossier"]["status_name"] == "Mới đăng ký"
    assert body["receipt"]["code"] == code and body["receipt"]["due_date"]
    assert dt.date.fromisoformat(body["receipt"]["due_date"]) >= today
    assert body["tracking_url"].endswith(body["tracking_token"])


async def test_missing_answers_are_listed_in_vietnamese_and_kept(client, agency):
    created = await new_draft(client, {})
    response = await client.post(f"/api/drafts/{created['draft']['id']}/submit",
                                 json={"applicant_name": "", "phone": "123"},
                                 headers={"X-Resume-Token": created["resume_token"]})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"applicant_name", "phone"} <= fields and len(fields) > 2


async def test_daily_sequence_increases(client, khai_sinh_form, agency):
    first = (await submitted(client, khai_sinh_form, agency))["dossier"]["code"]
    second = (await submitted(client, khai_sinh_form, agency))["dossier"]["code"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


async def test_nobody_reads_another_persons_dossier(client, khai_sinh_form, agency):
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    ok = await client.get(f"/api/dossiers/{code}", headers={"X-Tracking-Token": mine["tracking_token"]})
    assert ok.status_code == 200 and ok.json()["code"] == code
    other = await submitted(client, khai_sinh_form, agency)
    wrong_token = await client.get(f"/api/dossiers/{code}", headers={"X-Tracking-Token": other["tracking_token"]})
    assert wrong_token.status_code == 404
    assert (await client.get(f"/api/dossiers/{code}")).status_code == 404
    by_phone = await client.post("/api/dossiers/lookup", json={"code": code, "phone": "+84912345678"})
    assert by_phone.status_code == 200
    wrong_phone = await client.post("/api/dossiers/lookup", json={"code": code, "phone": "0987654321"})
    assert wrong_phone.status_code == 404 and wrong_phone.json()["detail"].startswith("Dạ")


def signed(agency, body: dict, *, timestamp: int | None = None, secret: str | None = None) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return raw, {
        "X-Agency-Code": agency.code,
        "X-Timestamp": ts,
        "X-Signature": sign(secret or agency.secret, ts, raw),
        "Content-Type": "application/json",
    }


async def test_agency_events_move_the_dossier_in_order_with_history(client, khai_sinh_form, agency):
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    for n, status in enumerate([2, 4, 5, 4, 9, 10]):
        raw, headers = signed(agency, {"event_id": f"{code}-{n}", "dossier_code": code, "status": status,
                                       "note": "Thiếu giấy chứng sinh" if status == 5 else None})
        response = await client.post("/api/integrations/dossier-events", content=raw, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["applied"] is True
    view = (await client.get(f"/api/dossiers/{code}", headers={"X-Tracking-Token": mine["tracking_token"]})).json()
    assert [h["status"] for h in view["history"]] == [1, 2, 4, 5, 4, 9, 10]
    assert view["status_name"] == "Đã trả kết quả"
    assert any(h["note"] == "Thiếu giấy chứng sinh" for h in view["history"])
    # the same event again: acknowledged, not applied twice
    raw, headers = signed(agency, {"event_id": f"{code}-5", "dossier_code": code, "status": 10})
    again = await client.post("/api/integrations/dossier-events", content=raw, headers=headers)
    assert again.status_code == 200 and again.json()["applied"] is False


async def test_agency_events_are_refused_when_bad_expired_replayed_or_invalid(client, khai_sinh_form, agency):
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    event = {"event_id": f"{code}-x", "dossier_code": code, "status": 2}
    raw, headers = signed(agency, event, secret="not-the-secret")
    assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 401
    raw, headers = signed(agency, event, timestamp=int(time.time()) - 600)
    assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 401
    raw, headers = signed(agency, event)
    tampered = raw.replace(b'"status": 2', b'"status": 9')
    assert (await client.post("/api/integrations/dossier-events", content=tampered, headers=headers)).status_code == 401
    invalid = {"event_id": f"{code}-y", "dossier_code": code, "status": 10}  # 1 → 10 is not allowed
    raw, headers = signed(agency, invalid)
    response = await client.post("/api/integrations/dossier-events", content=raw, headers=headers)
    assert response.status_code == 409 and "Mới đăng ký" in response.json()["detail"]


async def test_citizen_can_withdraw_while_open(client, khai_sinh_form, agency):
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    response = await client.post(f"/api/dossiers/{code}/withdraw", json={"reason": "Nộp nhầm"},
                                 headers={"X-Tracking-Token": mine["tracking_token"]})
    assert response.status_code == 200 and response.json()["status"] == 7
    again = await client.post(f"/api/dossiers/{code}/withdraw", json={},
                              headers={"X-Tracking-Token": mine["tracking_token"]})
    assert again.status_code == 409


async def test_lookups_are_rate_limited(db_settings):
    async with AsyncTestClient(app=create_app(db_settings)) as own:  # its own limits
        codes = [f"000.00.00.T00-260101-{n:04d}" for n in range(12)]
        responses = [await own.post("/api/dossiers/lookup", json={"code": c, "phone": "0912345678"}) for c in codes]
        limited = [r for r in responses if r.status_code == 429]
        assert [r.status_code for r in responses[:10]] == [404] * 10 and limited
        assert int(limited[0].headers["Retry-After"]) > 0
        same_code = [await own.post("/api/dossiers/lookup", json={"code": "X-1", "phone": "0"}) for _ in range(1)]
        assert same_code[0].status_code == 429


async def test_receipt_pdf_opens_and_carries_code_and_due_date(client, khai_sinh_form, agency):
    import io

    from pypdf import PdfReader

    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    response = await client.get(f"/api/dossiers/{code}/receipt.pdf", params={"token": mine["tracking_token"]})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages)
    due = dt.date.fromisoformat(mine["receipt"]["due_date"])
    assert code in text and due.strftime("%d/%m/%Y") in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and "Trần Thị Bình" in text
    assert (await client.get(f"/api/dossiers/{code}/receipt.pdf")).status_code == 404


async def test_filled_form_pdf_for_paper_submission(client, khai_sinh_form):
    import io

    from pypdf import PdfReader

    created = await new_draft(client, full_answers(khai_sinh_form))
    response = await client.get(f"/api/drafts/{created['draft']['id']}/form.pdf",
                                headers={"X-Resume-Token": created["resume_token"]})
    assert response.status_code == 200
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Nguyễn Văn An" in text and "bưu chính công ích" in text


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_attachments_are_checked_by_content_and_kept_on_disk(client, db_settings):
    created = await new_draft(client)
    url = f"/api/drafts/{created['draft']['id']}/attachments"
    headers = {"X-Resume-Token": created["resume_token"]}
    ok = await client.post(url, files={"file": ("giay-chung-sinh.pdf", PDF_BYTES, "application/pdf")}, headers=headers)
    assert ok.status_code == 201, ok.text
    ref = ok.json()
    assert ref["content_type"] == "application/pdf" and ref["size"] == len(PDF_BYTES)
    stored = list((db_settings.data_dir / "uploads" / created["draft"]["id"]).iterdir())
    assert [p.read_bytes() for p in stored] == [PDF_BYTES]
    png = await client.post(url, files={"file": ("anh.jpg", PNG_BYTES, "image/jpeg")}, headers=headers)
    assert png.status_code == 201 and png.json()["content_type"] == "image/png"  # the bytes decide
    fake = await client.post(url, files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
                             headers=headers)
    assert fake.status_code == 400 and fake.json()["detail"].startswith("Dạ")
    big = await client.post(url, files={"file": ("to.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10), "application/pdf")},
                            headers=headers)
    assert big.status_code == 413
    assert (await client.post(url, files={"file": ("x.pdf", PDF_BYTES, "application/pdf")})).status_code == 404


async def test_supplement_request_is_answered_with_new_papers(client, khai_sinh_form, agency):
    mine = await submitted(client, khai_sinh_form, agency)
    code, tracking = mine["dossier"]["code"], {"X-Tracking-Token": mine["tracking_token"]}
    for n, status in enumerate([2, 4, 5]):
        raw, headers = signed(agency, {"event_id": f"{code}-s{n}", "dossier_code": code, "status": status,
                                       "note": "Thiếu bản sao giấy kết hôn của cha mẹ" if status == 5 else None})
        assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 200
    up = await client.post(f"/api/dossiers/{code}/attachments",
                           files={"file": ("ket-hon.pdf", PDF_BYTES, "application/pdf")}, headers=tracking)
    assert up.status_code == 201
    response = await client.post(f"/api/dossiers/{code}/supplement",
                                 json={"note": "Em gửi bản sao giấy kết hôn", "attachments": [up.json()["id"]]},
                                 headers=tracking)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == 4 and "ket-hon.pdf" in view["history"][-1]["note"]
    assert (await client.post(f"/api/dossiers/{code}/supplement", json={"note": "nữa"}, headers=tracking)).status_code == 409


async def test_drafts_never_lose_what_was_typed(client, khai_sinh_form):
    """Whatever sequence of partial saves, the draft holds the last value typed for every field."""
    import random

    rng = random.Random(2025)
    created = await new_draft(client)
    url, headers = f"/api/drafts/{created['draft']['id']}", {"X-Resume-Token": created["resume_token"]}
    expected: dict[str, object] = {}
    garbage = ["", "  ", "31/02/2020", "abc", "x" * 300, "0912", "\u0000\u0007", "🙂", None, 12345]
    for _ in range(25):
        batch = {}
        for field in rng.sample(khai_sinh_form.fields, k=3):
            batch[field.id] = rng.choice([valid_value(field), rng.choice(garbage)])
        response = await client.patch(url, json={"answers": batch}, headers=headers)
        assert response.status_code == 200
        expected.update(batch)
    saved = (await client.get(url, headers=headers)).json()["answers"]
    # NUL is the one character no database text column can hold; everything else is kept
    assert saved == {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in expected.items()}


async def test_resume_link_as_a_qr_code(client):
    created = await new_draft(client)
    url = f"/api/drafts/{created['draft']['id']}/resume-qr.svg"
    ok = await client.get(url, headers={"X-Resume-Token": created["resume_token"]})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in ok.text and ok.headers["cache-control"] == "no-store"
    assert (await client.get(url)).status_code == 404


async def test_sending_address_is_kept_only_once_confirmed(client):
    created = await new_draft(client)
    url = f"/api/drafts/{created['draft']['id']}/sending-address"
    headers = {"X-Resume-Token": created["resume_token"]}
    shown = (await client.put(url, json={"text": "12 Nguyễn Huệ p ben nghe q1 tphcm"}, headers=headers)).json()
    assert shown["formatted"] == "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh" and not shown["confirmed"]
    draft = (await client.get(f"/api/drafts/{created['draft']['id']}", headers=headers)).json()
    assert draft["sending_address"] is None
    await client.put(url, json={"text": "12 Nguyễn Huệ p ben nghe q1 tphcm", "confirmed": True}, headers=headers)
    draft = (await client.get(f"/api/drafts/{created['draft']['id']}", headers=headers)).json()
    assert draft["sending_address"]["input"] == "12 Nguyễn Huệ p ben nghe q1 tphcm"
    assert draft["sending_address"]["ward"]["name"] == "Phường Sài Gòn"
    bad = await client.put(url, json={"text": "xin chào", "confirmed": True}, headers=headers)
    assert bad.status_code == 422


async def test_delivery_by_post_needs_a_confirmed_address(client, khai_sinh_form, agency):
    created = await new_draft(client, full_answers(khai_sinh_form))
    url = f"/api/drafts/{created['draft']['id']}/submit"
    headers = {"X-Resume-Token": created["resume_token"]}
    body = {"applicant_name": "Trần Thị Bình", "phone": "0912345678", "delivery": "post",
            "return_address": "12 Nguyễn Huệ p ben nghe q1 tphcm"}
    unconfirmed = await client.post(url, json=body, headers=headers)
    assert unconfirmed.status_code == 422
    assert {e["field"] for e in unconfirmed.json()["errors"]} == {"return_address"}
    done = await client.post(url, json={**body, "return_address_confirmed": True}, headers=headers)
    assert done.status_code == 201
    assert done.json()["receipt"]["return_address"] == "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh"


async def test_a_citizen_refreshing_their_own_dossier_is_never_rate_limited(db_settings, khai_sinh_form, agency):
    async with AsyncTestClient(app=create_app(db_settings)) as own:  # its own limits
        done = await submitted(own, khai_sinh_form, agency)
        code, token = done["dossier"]["code"], done["tracking_token"]
        statuses = [(await own.get(f"/api/dossiers/{code}", headers={"X-Tracking-Token": token})).status_code
                    for _ in range(15)]
        assert statuses == [200] * 15
