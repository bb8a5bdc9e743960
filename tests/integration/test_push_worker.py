"""The push worker against a local push service: every answer a push service gives, crashes, and
several workers at once."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select, update

from api.db.engine import create_engine, session_factory
from api.push.models import PushAttempt, PushFollow, PushNotification, PushSubscription
from api.push.sender import TOKEN_REFRESH_AFTER, VapidTokens
from api.push.vapid import load_or_create, public_key
from api.push.worker import running_worker
from tests.conftest import ROOT
from tests.integration.test_dossiers_api import agency, khai_sinh_form, signed, submitted  # noqa: F401
from tests.push_service import HANG, LocalPushService, verify_jwt


@pytest.fixture
async def push(db_settings):
    service = LocalPushService(vapid_public_key=public_key(load_or_create(db_settings.data_dir)))
    async with service:
        yield service


@pytest.fixture
async def db(db_settings):
    engine = create_engine(db_settings)
    yield session_factory(engine)
    await engine.dispose()


def fast(settings, **changes):
    """Worker settings with test-sized waits."""
    return dataclasses.replace(settings, **{
        "push_poll_seconds": 0.05, "push_retry_base_seconds": 0.05, "push_retry_cap_seconds": 0.2,
        "push_timeout_seconds": 1.0, **changes})


@contextlib.asynccontextmanager
async def worker_thread(settings, vapid):
    """A worker with its own event loop and engine, as in its own process.

    The test client blocks the test's event loop while a request runs; a worker sharing that loop
    could hold SQLite's write lock across the wait and stall the request.
    """
    ready, started = threading.Event(), {}

    def main() -> None:
        async def serve() -> None:
            engine = create_engine(settings)
            started["loop"], started["stop"] = asyncio.get_running_loop(), asyncio.Event()
            try:
                async with running_worker(engine, settings, vapid):
                    ready.set()
                    await started["stop"].wait()
            finally:
                ready.set()
                await engine.dispose()
        asyncio.run(serve())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    await asyncio.to_thread(ready.wait)
    try:
        yield
    finally:
        started["loop"].call_soon_threadsafe(started["stop"].set)
        await asyncio.to_thread(thread.join, 20)


async def follow(client, dossier, subscribers) -> None:
    for sub in subscribers:
        response = await client.post("/api/push/subscriptions", json={
            "subscription": sub.subscription, "dossier_code": dossier["dossier"]["code"],
            "tracking_token": dossier["tracking_token"]})
        assert response.status_code == 201, response.text


async def followed_by_one_device(client, push, form, agency):  # noqa: F811
    """A submitted dossier and the one phone that follows it."""
    mine = await submitted(client, form, agency)
    phone = push.subscriber()
    await follow(client, mine, [phone])
    return mine, mine["dossier"]["code"], phone


async def move(client, agency, code, *statuses) -> None:  # noqa: F811
    for status in statuses:
        raw, headers = signed(agency, {"event_id": f"{code}-{status}-{time.time_ns()}", "dossier_code": code,
                                       "status": status})
        response = await client.post("/api/integrations/dossier-events", content=raw, headers=headers)
        assert response.status_code == 200, response.text


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def notifications(db, code: str) -> list[PushNotification]:
    async with db() as session:
        return list((await session.execute(
            select(PushNotification).where(PushNotification.payload["code"].as_string() == code)
            .order_by(PushNotification.id))).scalars())


async def attempts_of(db, notification_id: int) -> list[PushAttempt]:
    async with db() as session:
        return list((await session.execute(
            select(PushAttempt).where(PushAttempt.notification_id == notification_id)
            .order_by(PushAttempt.attempt))).scalars())


async def settled(db, code: str, count: int = 1):
    async def check() -> bool:
        rows = await notifications(db, code)
        return len(rows) >= count and all(r.state != "pending" for r in rows)
    return check


# -- the happy path -------------------------------------------------------------------------------

async def test_a_status_change_reaches_the_device_encrypted_signed_and_in_vietnamese(
    client, db, db_settings, push, khai_sinh_form, agency  # noqa: F811
):
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    vapid = load_or_create(db_settings.data_dir)
    async with worker_thread(fast(db_settings), vapid):
        for n, status in enumerate((2, 4, 5), start=1):  # each delivered before the next (no replacing)
            await move(client, agency, code, status)
            await until(lambda n=n: _count(push, phone, n))
    got = push.received(phone)
    assert [r.payload["status"] for r in got] == [2, 4, 5]
    last = got[-1]
    assert last.payload["title"] == f"Hồ sơ {code}"
    assert last.payload["body"].startswith("Yêu cầu bổ sung giấy tờ.")
    assert last.payload["url"] == f"/#/ho-so/{code}"
    assert last.urgency == "high" and got[0].urgency == "normal"
    assert last.topic and len(last.topic) <= 32 and len({r.topic for r in got}) == 1
    assert 3 * 24 * 3600 - 60 <= last.ttl <= 3 * 24 * 3600  # about three days
    assert not push.rejected
    rows = await notifications(db, code)
    assert [r.state for r in rows] == ["sent"] * 3 and all(r.sent_at for r in rows)
    attempt = (await attempts_of(db, rows[0].id))[0]
    assert (attempt.http_status, attempt.outcome, attempt.attempt) == (201, "sent", 1)


async def _count(push, sub, n) -> bool:
    return len(push.received(sub)) >= n


# -- each answer of the push service ---------------------------------------------------------------

@pytest.mark.parametrize("status", [404, 410])
async def test_gone_subscriptions_are_deleted_and_their_history_kept(
    client, db, db_settings, push, khai_sinh_form, agency, status  # noqa: F811
):
    mine = await submitted(client, khai_sinh_form, agency)
    code = mine["dossier"]["code"]
    phone, laptop = push.subscriber(), push.subscriber()
    await follow(client, mine, [phone, laptop])
    push.script(phone, status)
    async with worker_thread(fast(db_settings), load_or_create(db_settings.data_dir)):
        await move(client, agency, code, 2)
        await until(await settled(db, code, 2))
    rows = {r.subscription_id: r for r in await notifications(db, code)}
    assert len(push.received(laptop)) == 1 and not push.received(phone)
    async with db() as session:
        left = (await session.execute(select(PushSubscription.endpoint))).scalars().all()
        follows = (await session.execute(select(PushFollow.subscription_id))).scalars().all()
    assert phone.endpoint not in left and laptop.endpoint in left
    gone = rows[None]  # the notification stays, detached from the deleted subscription
    assert gone.state == "gone"
    assert [(a.http_status, a.outcome) for a in await attempts_of(db, gone.id)] == [(status, "gone")]
    assert rows[gone_id := next(k for k in rows if k)].state == "sent" and gone_id in follows


async def test_429_waits_for_retry_after(client, db, db_settings, push, khai_sinh_form, agency):  # noqa: F811
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    push.script(phone, (429, "1"))
    async with worker_thread(fast(db_settings), load_or_create(db_settings.data_dir)):
        await move(client, agency, code, 2)
        await until(await settled(db, code))
    (row,) = await notifications(db, code)
    tries = await attempts_of(db, row.id)
    assert [(a.http_status, a.outcome) for a in tries] == [(429, "throttled"), (201, "sent")]
    assert _gap(tries) >= 0.95  # not before Retry-After
    assert row.state == "sent"


async def test_5xx_backs_off_with_jitter_then_succeeds(client, db, db_settings, push, khai_sinh_form, agency):  # noqa: F811
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    push.script(phone, 500, 503)
    settings = fast(db_settings, push_retry_base_seconds=0.3, push_retry_cap_seconds=10)
    async with worker_thread(settings, load_or_create(db_settings.data_dir)):
        await move(client, agency, code, 2)
        await until(await settled(db, code))
    (row,) = await notifications(db, code)
    tries = await attempts_of(db, row.id)
    assert [(a.http_status, a.outcome) for a in tries] == [(500, "retry"), (503, "retry"), (201, "sent")]
    first_wait, second_wait = _gap(tries[:2]), _gap(tries[1:])
    assert 0.14 <= first_wait and 0.29 <= second_wait  # half to all of 0.3 s, then of 0.6 s
    assert len(push.received(phone)) == 1


async def test_5xx_and_timeouts_give_up_after_the_cap(client, db, db_settings, push, khai_sinh_form, agency):  # noqa: F811
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    push.script(phone, 500, HANG, 502)
    settings = fast(db_settings, push_max_attempts=3, push_timeout_seconds=0.5)
    async with worker_thread(settings, load_or_create(db_settings.data_dir)):
        await move(client, agency, code, 2)
        await until(await settled(db, code))
    (row,) = await notifications(db, code)
    tries = await attempts_of(db, row.id)
    assert [(a.http_status, a.outcome, a.detail) for a in tries][1] == (None, "retry", "timeout")
    assert [a.http_status for a in tries] == [500, None, 502]
    assert row.state == "failed" and row.attempts == 3 and not push.received(phone)


@pytest.mark.parametrize("status", [400, 401, 403, 413])
async def test_refusals_fail_at_once_and_are_logged(
    client, db, db_settings, push, khai_sinh_form, agency, status, caplog  # noqa: F811
):
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    push.script(phone, status)
    with caplog.at_level(logging.WARNING, logger="api.push"):
        async with worker_thread(fast(db_settings), load_or_create(db_settings.data_dir)):
            await move(client, agency, code, 2)
            await until(await settled(db, code))
    (row,) = await notifications(db, code)
    assert row.state == "failed" and row.last_error.startswith(str(status))
    assert [(a.http_status, a.outcome) for a in await attempts_of(db, row.id)] == [(status, "failed")]
    assert any(str(status) in r.getMessage() and str(row.id) in r.getMessage() for r in caplog.records)
    async with db() as session:  # the device is kept: a refusal is our problem, not the citizen's
        assert (await session.execute(select(PushSubscription.id).where(
            PushSubscription.endpoint == phone.endpoint))).scalar_one()


async def test_a_newer_status_replaces_an_older_one_not_yet_sent(
    client, db, db_settings, push, khai_sinh_form, agency  # noqa: F811
):
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    await move(client, agency, code, 2, 4, 6)  # while no worker runs (the phone was off-line, say)
    async with worker_thread(fast(db_settings), load_or_create(db_settings.data_dir)):
        await until(await settled(db, code, 3))
    assert [r.payload["status"] for r in push.received(phone)] == [6]
    assert [r.state for r in await notifications(db, code)] == ["replaced", "replaced", "sent"]


async def test_notifications_older_than_the_ttl_are_not_sent(
    client, db, db_settings, push, khai_sinh_form, agency  # noqa: F811
):
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    await move(client, agency, code, 2)
    async with db() as session, session.begin():
        await session.execute(update(PushNotification).where(PushNotification.payload["code"].as_string() == code)
                              .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=4)))
    async with worker_thread(fast(db_settings), load_or_create(db_settings.data_dir)):
        await until(await settled(db, code))
    (row,) = await notifications(db, code)
    assert row.state == "failed" and "expired" in row.last_error and not push.received(phone)


async def test_unfollowing_cancels_what_was_waiting(client, db, db_settings, push, khai_sinh_form, agency):  # noqa: F811
    mine, code, phone = await followed_by_one_device(client, push, khai_sinh_form, agency)
    await move(client, agency, code, 2)
    response = await client.request("DELETE", "/api/push/subscriptions", json={
        "endpoint": phone.endpoint, "dossier_code": code, "tracking_token": mine["tracking_token"]})
    assert response.status_code == 204
    assert [r.state for r in await notifications(db, code)] == ["cancelled"]


def _gap(tries) -> float:
    return (tries[-1].at - tries[0].at).total_seconds()


# -- VAPID tokens -----------------------------------------------------------------------------------

def test_vapid_tokens_are_cached_per_origin_and_refreshed_early(tmp_path):
    vapid = load_or_create(tmp_path)
    now = [1_800_000_000.0]
    tokens = VapidTokens(vapid, "mailto:ops@example.org", clock=lambda: now[0])
    a = tokens.headers("https://fcm.googleapis.com/fcm/send/abc")
    assert tokens.headers("https://fcm.googleapis.com/fcm/send/other") is a  # same origin, one signature
    b = tokens.headers("https://updates.push.services.mozilla.com/wpush/v2/x")
    assert b != a
    token, key = a["Authorization"].removeprefix("vapid t=").split(",k=")
    claims = verify_jwt(token, key)
    assert claims["aud"] == "https://fcm.googleapis.com" and claims["sub"] == "mailto:ops@example.org"
    assert now[0] < claims["exp"] <= now[0] + 24 * 3600
    now[0] += TOKEN_REFRESH_AFTER - 1
    assert tokens.headers("https://fcm.googleapis.com/x") is a
    now[0] += 2
    fresh = tokens.headers("https://fcm.googleapis.com/x")
    assert fresh is not a and claims["exp"] - now[0] > 5 * 3600  # the old one still had hours left


async def test_the_push_service_refuses_a_token_for_another_key_or_origin(push, db_settings):
    other = load_or_create(db_settings.data_dir / "other")  # not the key the API advertises
    phone = push.subscriber()
    tokens = VapidTokens(other, "mailto:ops@example.org")
    import aiohttp
    async with aiohttp.ClientSession() as session:
        response = await session.post(phone.endpoint, data=b"x", headers={
            **tokens.headers(phone.endpoint), "TTL": "60", "Content-Encoding": "aes128gcm"})
        assert response.status == 403
        response = await session.post(phone.endpoint, data=b"x", headers={"Content-Encoding": "aes128gcm"})
        assert response.status == 400  # no TTL


# -- crashes and several workers --------------------------------------------------------------------

def worker_process(settings, log_path, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": settings.database_url, "DVC_DATA_DIR": str(settings.data_dir),
                   "DVC_PUSH_POLL_SECONDS": "0.05", "DVC_PUSH_TIMEOUT_SECONDS": "5", **env}
    if settings.db_schema:
        environment["DVC_DB_SCHEMA"] = settings.db_schema
    else:
        environment.pop("DVC_DB_SCHEMA", None)
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes to it
    return subprocess.Popen([sys.executable, "-m", "api", "push-worker"], cwd=ROOT, env=environment,
                            stdout=log, stderr=log)


async def many_followers(client, db, push, khai_sinh_form, agency, n):  # noqa: F811
    """A dossier followed by n devices, written straight to the database (the API is tested above)."""
    mine = await submitted(client, khai_sinh_form, agency)
    phones = [push.subscriber() for _ in range(n)]
    await follow(client, mine, phones[:1])
    async with db() as session, session.begin():
        dossier_id = (await session.execute(select(PushFollow.dossier_id).join(PushSubscription).where(
            PushSubscription.endpoint == phones[0].endpoint))).scalar_one()
        for phone in phones[1:]:
            sub = PushSubscription(endpoint=phone.endpoint, p256dh=phone.subscription["keys"]["p256dh"],
                                   auth=phone.subscription["keys"]["auth"])
            session.add(sub)
            await session.flush()
            session.add(PushFollow(subscription_id=sub.id, dossier_id=dossier_id))
    return mine, phones


async def test_a_worker_killed_mid_fan_out_loses_nothing(
    client, db, db_settings, push, khai_sinh_form, agency, tmp_path  # noqa: F811
):
    mine, phones = await many_followers(client, db, push, khai_sinh_form, agency, 400)
    code = mine["dossier"]["code"]
    push.delay = 0.2  # a slow push service keeps the fan-out going long enough to be interrupted
    await move(client, agency, code, 2)
    env = {"DVC_PUSH_LEASE_SECONDS": "2", "DVC_PUSH_CONCURRENCY": "40"}
    first = worker_process(db_settings, tmp_path / "worker.log", **env)
    try:
        await until(lambda: _received_at_least(push, 40), timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    delivered_before = {r.subscriber for r in push.receipts}
    assert len(delivered_before) < len(phones)  # the crash really was mid-way
    second = worker_process(db_settings, tmp_path / "worker.log", **env)
    try:
        await until(await settled(db, code, len(phones)), timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            second.wait(15)
        if second.poll() is None:
            second.kill()
    rows = await notifications(db, code)
    assert len(rows) == len(phones) and all(r.state == "sent" for r in rows)
    assert {p.id for p in phones} <= {r.subscriber for r in push.receipts}  # every device got it
    # Only what was in flight at the kill can arrive twice.
    assert len(push.receipts) - len(phones) <= 40


async def _received_at_least(push, n) -> bool:
    return len(push.receipts) >= n


@pytest.mark.postgres
async def test_two_workers_on_postgresql_never_send_the_same_notification(
    backend, client, db, db_settings, push, khai_sinh_form, agency, tmp_path  # noqa: F811
):
    if backend != "postgres":
        pytest.skip("SKIP LOCKED claiming is a PostgreSQL matter; SQLite runs one worker")
    mine, phones = await many_followers(client, db, push, khai_sinh_form, agency, 600)
    code = mine["dossier"]["code"]
    push.delay = 0.005
    workers = [worker_process(db_settings, tmp_path / f"worker{i}.log", DVC_PUSH_CONCURRENCY="40")
               for i in range(2)]
    try:
        await asyncio.sleep(1.0)  # both running and polling before the fan-out starts
        await move(client, agency, code, 2)
        await until(await settled(db, code, len(phones)), timeout=90)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.wait(15)
            if w.poll() is None:
                w.kill()
    mine_ids = {p.id for p in phones}
    got = [r.subscriber for r in push.receipts if r.subscriber in mine_ids]
    assert sorted(got) == sorted(mine_ids)  # each exactly once
    async with db() as session:
        names = set((await session.execute(select(PushAttempt.worker).join(PushNotification).where(
            PushNotification.payload["code"].as_string() == code))).scalars())
    assert len(names) == 2  # both did part of the work
