"""Web Push subscriptions and the outbox written with each status change."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from api.db.engine import create_engine, session_factory
from api.push.models import PushNotification, PushSubscription
from tests.integration.test_dossiers_api import agency, khai_sinh_form, signed, submitted  # noqa: F401


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_subscription(endpoint: str = "https://push.example.test/send/abc") -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    p256dh = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": endpoint, "keys": {"p256dh": b64(p256dh), "auth": b64(os.urandom(16))}}


async def test_vapid_public_key_is_a_p256_point(client):
    key = (await client.get("/api/push/vapid-public-key")).json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.test/x"}, "subscription.endpoint"),
        ({"endpoint": "http://push.example.test/x"}, "subscription.endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": b64(os.urandom(16))}}, "subscription.keys.p256dh"),
        ({"keys": {"p256dh": b64(b"\x04" + os.urandom(64)), "auth": "AAAA"}}, "subscription.keys.auth"),
    ],
)
async def test_bad_subscriptions_are_refused(client, khai_sinh_form, agency, change, field):  # noqa: F811
    mine = await submitted(client, khai_sinh_form, agency)
    sub = {**browser_subscription(), **change}
    response = await client.post("/api/push/subscriptions", json={
        "subscription": sub, "dossier_code": mine["dossier"]["code"], "tracking_token": mine["tracking_token"]})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


async def test_a_subscription_needs_the_tracking_token(client, khai_sinh_form, agency):  # noqa: F811
    mine = await submitted(client, khai_sinh_form, agency)
    response = await client.post("/api/push/subscriptions", json={
        "subscription": browser_subscription(), "dossier_code": mine["dossier"]["code"], "tracking_token": "nope"})
    assert response.status_code == 404


async def test_each_status_change_writes_its_notifications_in_the_same_transaction(
    client, db_settings, khai_sinh_form, agency  # noqa: F811
):
    first = await submitted(client, khai_sinh_form, agency)
    second = await submitted(client, khai_sinh_form, agency)
    device = browser_subscription("http://127.0.0.1:9/push/one-device")  # loopback http: allowed in development
    for mine in (first, second):  # one device follows two dossiers
        ok = await client.post("/api/push/subscriptions", json={
            "subscription": device, "dossier_code": mine["dossier"]["code"], "tracking_token": mine["tracking_token"]})
        assert ok.status_code == 201
    code = first["dossier"]["code"]
    for n, status in enumerate([2, 4, 5]):
        raw, headers = signed(agency, {"event_id": f"{code}-p{n}", "dossier_code": code, "status": status})
        assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 200
    invalid = {"event_id": f"{code}-bad", "dossier_code": code, "status": 10}
    raw, headers = signed(agency, invalid)
    assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 409
    engine = create_engine(db_settings)
    async with session_factory(engine)() as session:
        rows = (await session.execute(
            select(PushNotification).where(PushNotification.payload["code"].as_string() == code)
            .order_by(PushNotification.id))).scalars().all()
    await engine.dispose()
    assert [r.status for r in rows] == [2, 4, 5]  # nothing for the refused transition
    assert all(r.state == "pending" for r in rows)
    assert [r.urgency for r in rows] == ["normal", "normal", "high"]
    assert len({r.topic for r in rows}) == 1 and len(rows[0].topic) <= 32
    assert rows[2].payload["title"] == f"Hồ sơ {code}" and "bổ sung" in rows[2].payload["body"].lower()
    assert rows[2].payload["url"] == f"/#/ho-so/{code}"
    unsubscribe = await client.request("DELETE", "/api/push/subscriptions", json={"endpoint": device["endpoint"]})
    assert unsubscribe.status_code == 204


async def test_a_changed_subscription_keeps_following_the_same_dossiers(client, db_settings, khai_sinh_form, agency):  # noqa: F811
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    old = browser_subscription("https://push.example.test/send/old-" + b64(os.urandom(6)))
    assert (await client.post("/api/push/subscriptions", json={
        "subscription": old, "dossier_code": code, "tracking_token": mine["tracking_token"]})).status_code == 201
    new = browser_subscription("https://push.example.test/send/new-" + b64(os.urandom(6)))
    renewed = await client.put("/api/push/subscriptions", json={"old_endpoint": old["endpoint"], "subscription": new})
    assert renewed.status_code == 200
    raw, headers = signed(agency, {"event_id": f"{code}-renew", "dossier_code": code, "status": 2})
    assert (await client.post("/api/integrations/dossier-events", content=raw, headers=headers)).status_code == 200
    engine = create_engine(db_settings)
    async with session_factory(engine)() as session:
        rows = (await session.execute(
            select(PushSubscription.endpoint, PushSubscription.p256dh).join(
                PushNotification, PushNotification.subscription_id == PushSubscription.id)
            .where(PushNotification.payload["code"].as_string() == code))).all()
    await engine.dispose()
    assert rows == [(new["endpoint"], new["keys"]["p256dh"])]
    unknown = await client.put("/api/push/subscriptions", json={"old_endpoint": old["endpoint"], "subscription": new})
    assert unknown.status_code == 404 and "bật thông báo" in unknown.json()["detail"]
