"""Subscriptions and the outbox. Sending (the worker) reads the outbox; see the push issue."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.dossiers import status as st
from api.dossiers.models import Dossier
from api.errors import BadRequestError
from api.push.models import PushFollow, PushNotification, PushSubscription

MAX_PAYLOAD_BYTES = 3993  # what survives aes128gcm encryption within the 4 KB push limit
HIGH_URGENCY = {st.Status.YEU_CAU_BO_SUNG, st.Status.NGHIA_VU_TAI_CHINH, st.Status.DA_XU_LY_XONG}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Keys(msgspec.Struct):
    # base64url of an uncompressed P-256 point (65 bytes, starting 0x04) and of 16 random bytes
    p256dh: Annotated[str, msgspec.Meta(pattern=r"^B[A-P][A-Za-z0-9_-]{85}=?$")]
    auth: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{22}(==)?$")]


class SubscriptionJSON(msgspec.Struct):
    """What PushSubscription.toJSON() gives in the browser."""

    # https, or plain http on loopback (development and tests only; refused in production)
    endpoint: Annotated[
        str,
        msgspec.Meta(
            min_length=12, max_length=2048,
            pattern=r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?/.*|http://(127\.0\.0\.1|localhost)(:[0-9]+)?/.*)$",
        ),
    ]
    keys: Keys
    expirationTime: int | float | None = None  # noqa: N815 - the browser's name


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def validate(sub: SubscriptionJSON, *, allow_loopback: bool) -> SubscriptionJSON:
    problem = None
    url = urlsplit(sub.endpoint)
    if url.scheme == "http" and url.hostname in LOOPBACK_HOSTS and allow_loopback:
        pass
    elif url.scheme != "https" or not url.hostname:
        problem = ("endpoint", "endpoint must be an https URL")
    try:
        key = _b64url(sub.keys.p256dh)
        if len(key) != 65 or key[0] != 4:
            problem = problem or ("keys.p256dh", "p256dh must be an uncompressed P-256 point (65 bytes)")
        if len(_b64url(sub.keys.auth)) != 16:
            problem = problem or ("keys.auth", "auth must be 16 bytes")
    except (ValueError, TypeError):
        problem = problem or ("keys", "keys must be base64url")
    if problem:
        raise BadRequestError(
            "Dạ, trình duyệt gửi thông tin đăng ký thông báo chưa đúng. Anh/chị thử bật lại thông báo giúp em.",
            developer_message=problem[1],
            errors=[{"field": problem[0], "message": problem[1]}],
        )
    return sub


async def subscribe(session: AsyncSession, sub: SubscriptionJSON, dossier: Dossier) -> PushSubscription:
    row = (
        await session.execute(select(PushSubscription).where(PushSubscription.endpoint == sub.endpoint))
    ).scalar_one_or_none()
    if row is None:
        row = PushSubscription(endpoint=sub.endpoint, p256dh=sub.keys.p256dh, auth=sub.keys.auth)
        session.add(row)
        await session.flush()
    else:  # pushsubscriptionchange or a re-subscribe: the keys may be new
        row.p256dh, row.auth = sub.keys.p256dh, sub.keys.auth
    follows = (
        await session.execute(
            select(PushFollow.id).where(PushFollow.subscription_id == row.id, PushFollow.dossier_id == dossier.id)
        )
    ).first()
    if follows is None:
        session.add(PushFollow(subscription_id=row.id, dossier_id=dossier.id))
    await session.flush()
    return row


async def renew(session: AsyncSession, old_endpoint: str, sub: SubscriptionJSON) -> PushSubscription | None:
    """The browser replaced a subscription (``pushsubscriptionchange``): keep following the same dossiers.

    Knowing the old endpoint — an unguessable URL only this device and its push service hold — is
    what authorises the move.
    """
    old = (
        await session.execute(select(PushSubscription).where(PushSubscription.endpoint == old_endpoint))
    ).scalar_one_or_none()
    if old is None:
        return None
    if old_endpoint == sub.endpoint:
        old.p256dh, old.auth = sub.keys.p256dh, sub.keys.auth
        await session.flush()
        return old
    new = (
        await session.execute(select(PushSubscription).where(PushSubscription.endpoint == sub.endpoint))
    ).scalar_one_or_none()
    if new is None:  # the usual case: the same row gets the new address, follows and waiting messages stay
        old.endpoint, old.p256dh, old.auth = sub.endpoint, sub.keys.p256dh, sub.keys.auth
        await session.flush()
        return old
    new.p256dh, new.auth = sub.keys.p256dh, sub.keys.auth
    already = set((await session.execute(
        select(PushFollow.dossier_id).where(PushFollow.subscription_id == new.id))).scalars())
    for follow in (await session.execute(select(PushFollow).where(PushFollow.subscription_id == old.id))).scalars():
        if follow.dossier_id not in already:
            session.add(PushFollow(subscription_id=new.id, dossier_id=follow.dossier_id))
    await session.execute(
        update(PushNotification)
        .where(PushNotification.subscription_id == old.id, PushNotification.state == "pending")
        .values(subscription_id=new.id)
    )
    await session.flush()
    await forget_subscriptions(session, [old.id], state="cancelled")
    await session.flush()
    return new


async def unsubscribe(session: AsyncSession, endpoint: str, dossier: Dossier | None) -> bool:
    row = (
        await session.execute(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    ).scalar_one_or_none()
    if row is None:
        return False
    if dossier is None:
        await forget_subscriptions(session, [row.id], state="cancelled")
    else:
        await session.execute(
            delete(PushFollow).where(PushFollow.subscription_id == row.id, PushFollow.dossier_id == dossier.id)
        )
        # Whatever was still waiting about that dossier is no longer wanted on this device.
        await session.execute(
            update(PushNotification)
            .where(PushNotification.subscription_id == row.id, PushNotification.dossier_id == dossier.id,
                   PushNotification.state == "pending")
            .values(state="cancelled")
        )
    await session.flush()
    return True


async def forget_subscriptions(session: AsyncSession | AsyncConnection, ids: list[int], *, state: str) -> None:
    """Delete subscriptions; their notifications still waiting end in ``state`` and stay as history."""
    if not ids:
        return
    await session.execute(
        update(PushNotification)
        .where(PushNotification.subscription_id.in_(ids), PushNotification.state == "pending")
        .values(state=state)
    )
    await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids)))


def payload(dossier: Dossier, status: st.Status) -> dict[str, Any]:
    body = f"{st.NAMES[status]}. {st.NEXT_STEP[status]}"
    data = {"title": f"Hồ sơ {dossier.code}", "body": body, "url": f"/#/ho-so/{dossier.code}",
            "code": dossier.code, "status": int(status)}
    while len(json.dumps(data, ensure_ascii=False).encode()) > MAX_PAYLOAD_BYTES:
        data["body"] = data["body"][: len(data["body"]) // 2] + "…"
    return data


def topic(dossier_code: str) -> str:
    """A Topic header (≤ 32 URL-safe characters) per dossier."""
    return base64.urlsafe_b64encode(hashlib.sha256(dossier_code.encode()).digest()).decode()[:32]


async def enqueue_status(session: AsyncSession, dossier: Dossier, status: st.Status) -> int:
    """Write one notification per following device, in the caller's transaction."""
    followers = (
        await session.execute(select(PushFollow.subscription_id).where(PushFollow.dossier_id == dossier.id))
    ).scalars().all()
    if not followers:
        return 0
    content, key = payload(dossier, status), topic(dossier.code)
    urgency = "high" if status in HIGH_URGENCY else "normal"
    # One multi-row INSERT: a dossier followed by many devices must not slow its status change down.
    await session.execute(insert(PushNotification), [
        {"subscription_id": subscription_id, "dossier_id": dossier.id, "status": int(status), "payload": content,
         "topic": key, "urgency": urgency}
        for subscription_id in followers
    ])
    return len(followers)
