"""Sending one notification to a push service: encryption and VAPID through pywebpush, over one
shared aiohttp session, and what each answer means for the notification.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid02
from pywebpush import WebPusher

log = logging.getLogger("api.push")

TOKEN_LIFETIME = 12 * 3600  # push services accept at most 24 h
TOKEN_REFRESH_AFTER = 6 * 3600  # re-sign well before the token could expire in flight
DEFAULT_RETRY_AFTER = 60.0  # a 429 without Retry-After

# "replaced" and some "gone"/"failed" are decided without a request (see the worker).
Outcome = Literal["sent", "gone", "retry", "throttled", "failed", "replaced"]


class VapidTokens:
    """One signed VAPID token per push-service origin, reused for hours instead of signed per message."""

    def __init__(self, vapid: Vapid02, subject: str, clock=time.time) -> None:
        self.vapid = vapid
        self.subject = subject
        self.clock = clock
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    def headers(self, endpoint: str) -> dict[str, str]:
        url = urlsplit(endpoint)
        audience = f"{url.scheme}://{url.netloc}"
        now = self.clock()
        cached = self._cache.get(audience)
        if cached is None or now - cached[0] >= TOKEN_REFRESH_AFTER:
            claims = {"aud": audience, "exp": int(now) + TOKEN_LIFETIME, "sub": self.subject}
            cached = (now, self.vapid.sign(claims))
            self._cache[audience] = cached
        return cached[1]


@dataclass(frozen=True, slots=True)
class Message:
    """One notification as the sender needs it."""

    id: int
    endpoint: str
    p256dh: str
    auth: str
    body: bytes
    ttl: int
    urgency: str
    topic: str
    created: float = 0.0  # when the status changed (epoch seconds): the delay metric


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    http_status: int | None
    detail: str | None
    duration_ms: int
    retry_after: float | None = None


def classify(status: int, retry_after: str | None, reason: str) -> tuple[Outcome, str | None, float | None]:
    """What a push service's answer means (RFC 8030 §5 and the services' documented codes)."""
    if 200 <= status < 300:
        return "sent", None, None
    if status in (404, 410):
        return "gone", f"{status} {reason}: subscription expired or unsubscribed", None
    if status == 429:
        return "throttled", f"429 {reason}", parse_retry_after(retry_after)
    if status >= 500:
        return "retry", f"{status} {reason}", None
    # 400 bad request, 401/403 VAPID refused, 413 payload too large, and anything else: retrying won't help.
    return "failed", f"{status} {reason}", None


def parse_retry_after(value: str | None) -> float:
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(0.0, when.timestamp() - time.time())


class PushSender:
    """Owns the HTTP session; ``send`` never raises for what a push service or the network does."""

    def __init__(self, vapid: Vapid02, subject: str, *, timeout: float, concurrency: int) -> None:
        self.tokens = VapidTokens(vapid, subject)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.concurrency = concurrency
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PushSender:
        # A few push services (FCM, Mozilla, Apple) carry nearly all traffic: keep connections to them open.
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency,
                                         ttl_dns_cache=300, keepalive_timeout=60)
        self.session = aiohttp.ClientSession(connector=connector)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session:
            await self.session.close()

    async def send(self, message: Message) -> Result:
        assert self.session is not None, "use PushSender as an async context manager"
        started = time.perf_counter()
        subscription = {"endpoint": message.endpoint, "keys": {"p256dh": message.p256dh, "auth": message.auth}}
        headers = {**self.tokens.headers(message.endpoint), "Urgency": message.urgency, "Topic": message.topic,
                   "Content-Type": "application/octet-stream"}

        def took() -> int:
            return int((time.perf_counter() - started) * 1000)

        try:
            pusher = WebPusher(subscription, aiohttp_session=self.session)
            response = await pusher.send_async(message.body, headers, ttl=message.ttl, timeout=self.timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return Result("retry", None, "timeout", took())
        except aiohttp.ClientError as exc:
            return Result("retry", None, f"connection: {type(exc).__name__}: {exc}"[:300], took())
        except Exception as exc:  # a key the browser gave that cannot be used: retrying won't help
            log.warning("push message %s could not be encrypted or sent: %s", message.id, type(exc).__name__)
            return Result("failed", None, f"{type(exc).__name__}: {exc}"[:300], took())
        outcome, detail, retry_after = classify(response.status, response.headers.get("Retry-After"),
                                                response.reason or "")
        return Result(outcome, response.status, detail, took(), retry_after)
