"""A local push service for tests and benchmarks: it plays FCM / Mozilla autopush on loopback.

Like a real one it checks the VAPID token (ES256 signature against the advertised key, ``aud``,
``exp`` at most 24 h ahead, ``sub``), requires ``TTL``, and decrypts the aes128gcm body with the
subscriber's keys (it also plays the browser, which holds them). Each subscription can be scripted
to answer 201, 404, 410, 429 with Retry-After, 500 or nothing at all.

Run on its own (for benchmarks, in another process): ``python tests/push_service.py --port 8765``;
``POST /_control/subscribers?n=N`` makes subscriptions and ``GET /_control/receipts`` lists deliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HANG = "hang"  # scripted answer: read the request, never answer (the sender must time out)
MAX_TOKEN_LIFETIME = 24 * 3600


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Subscriber:
    id: str
    endpoint: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def subscription(self) -> dict[str, Any]:
        """What the browser's PushSubscription.toJSON() would give."""
        point = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}


@dataclass
class Receipt:
    subscriber: str
    payload: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    at: float  # time.time() when the request arrived


@dataclass
class LocalPushService:
    vapid_public_key: str | None = None  # the key the application server advertises; None: any
    delay: float = 0.0  # seconds before each answer: a slow push service
    # A real push service never decrypts (the browser does): the benchmark checks every message
    # after the clock stops, so that the harness does not eat the CPU of the worker it measures.
    defer_decrypt: bool = False
    _undecrypted: list[tuple[Subscriber, bytes, dict[str, str | None], float]] = field(default_factory=list)
    base: str = ""
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (subscriber, status, why)
    requests: Counter[str] = field(default_factory=Counter)
    _scripts: dict[str, deque] = field(default_factory=dict)
    _verified: dict[str, dict[str, Any]] = field(default_factory=dict)  # token → claims
    _runner: web.AppRunner | None = None

    # -- set-up -------------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=8192)
        app.router.add_post("/push/{id}", self._push)
        app.router.add_post("/_control/subscribers", self._control_subscribers)
        app.router.add_get("/_control/receipts", self._control_receipts)
        app.router.add_get("/_control/count", self._control_count)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)  # hung answers are dropped
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # the port the OS chose
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> LocalPushService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def subscriber(self) -> Subscriber:
        sid = b64url(os.urandom(9))
        sub = Subscriber(sid, f"{self.base}/push/{sid}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.subscribers[sid] = sub
        return sub

    def script(self, subscriber: Subscriber, *answers: int | tuple[int, str] | str) -> None:
        """The next answers for this subscription, in order; afterwards 201."""
        self._scripts.setdefault(subscriber.id, deque()).extend(answers)

    def received(self, subscriber: Subscriber) -> list[Receipt]:
        return [r for r in self.receipts if r.subscriber == subscriber.id]

    # -- the push endpoint --------------------------------------------------------------------------

    async def _push(self, request: web.Request) -> web.Response:
        sid = request.match_info["id"]
        body = await request.read()
        self.requests[sid] += 1
        sub = self.subscribers.get(sid)
        if sub is None:
            return web.Response(status=404, text="no such subscription")
        problem = self._check(request)
        if problem:
            self.rejected.append((sid, problem[0], problem[1]))
            return web.Response(status=problem[0], text=problem[1])
        arrived = time.time()
        payload = None
        if not self.defer_decrypt:
            payload = self._decrypt(sub, body)
            if payload is None:
                return web.Response(status=400, text="cannot decrypt")
        if self.delay:
            await asyncio.sleep(self.delay)
        script = self._scripts.get(sid)
        answer = script.popleft() if script else 201
        if answer == HANG:
            await asyncio.sleep(3600)
        if isinstance(answer, tuple):
            return web.Response(status=answer[0], headers={"Retry-After": answer[1]})
        if answer == 201:
            headers = {k: request.headers.get(k) for k in ("TTL", "Urgency", "Topic")}
            if payload is None:
                self._undecrypted.append((sub, body, headers, arrived))
            else:
                self._receipt(sub, payload, headers, arrived)
            return web.Response(status=201, headers={"Location": f"{self.base}/message/{len(self.receipts)}"})
        return web.Response(status=int(answer))

    def _decrypt(self, sub: Subscriber, body: bytes) -> dict[str, Any] | None:
        try:
            return json.loads(http_ece.decrypt(body, private_key=sub.key, auth_secret=sub.auth, version="aes128gcm"))
        except Exception as exc:  # what a browser would drop
            self.rejected.append((sub.id, 400, f"cannot decrypt: {exc!r}"))
            return None

    def _receipt(self, sub: Subscriber, payload: dict[str, Any], headers: dict[str, str | None], at: float) -> None:
        self.receipts.append(Receipt(sub.id, payload, int(headers["TTL"] or 0), headers["Urgency"], headers["Topic"],
                                     at))

    def decrypt_pending(self) -> None:
        """Decrypt what arrived while decryption was deferred; failures are listed in ``rejected``."""
        pending, self._undecrypted = self._undecrypted, []
        for sub, body, headers, at in pending:
            payload = self._decrypt(sub, body)
            if payload is not None:
                self._receipt(sub, payload, headers, at)

    def _check(self, request: web.Request) -> tuple[int, str] | None:
        ttl = request.headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            return 400, "TTL header required"
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return 400, "Content-Encoding must be aes128gcm"
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("vapid "):
            return 401, "vapid authorization required"
        parts = dict(p.strip().split("=", 1) for p in auth[len("vapid "):].split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        if self.vapid_public_key and key != self.vapid_public_key:
            return 403, "key differs from the application server key of the subscription"
        claims = self._verified.get(token)
        if claims is None:
            try:
                claims = verify_jwt(token, key)
            except (ValueError, InvalidSignature, KeyError) as exc:
                return 401, f"bad VAPID token: {exc!r}"
            self._verified[token] = claims
        now = time.time()
        if claims.get("aud") != self.base:
            return 401, f"aud {claims.get('aud')!r} is not this push service's origin"
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + MAX_TOKEN_LIFETIME:
            return 401, "exp missing, past, or more than 24 hours ahead"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return 401, "sub must be a mailto: or https: URL"
        return None

    # -- control (for a benchmark in another process) -----------------------------------------------

    async def _control_subscribers(self, request: web.Request) -> web.Response:
        n = int(request.query.get("n", "1"))
        return web.json_response([self.subscriber().subscription for _ in range(n)])

    async def _control_count(self, request: web.Request) -> web.Response:
        arrived = len(self.receipts) + len(self._undecrypted)
        return web.json_response({"receipts": arrived, "requests": sum(self.requests.values())})

    async def _control_receipts(self, request: web.Request) -> web.Response:
        self.decrypt_pending()
        return web.json_response({
            "receipts": [{"payload": r.payload, "at": r.at, "subscriber": r.subscriber} for r in self.receipts],
            "rejected": self.rejected[:20], "requests": sum(self.requests.values()),
        })


def verify_jwt(token: str, key: str) -> dict[str, Any]:
    """An ES256 JWT signed by ``key`` (base64url uncompressed P-256 point); returns its claims."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError(f"alg must be ES256, not {header.get('alg')}")
    signature = b64url_decode(signature_b64)
    if len(signature) != 64:
        raise ValueError("ES256 signature must be 64 bytes (r‖s)")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64url_decode(claims_b64))


async def _serve(port: int, defer_decrypt: bool) -> None:
    service = LocalPushService(defer_decrypt=defer_decrypt)
    await service.start(port)
    print(service.base, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--defer-decrypt", action="store_true", help="decrypt when receipts are asked for")
    args = parser.parse_args()
    try:  # uvloop (with uvicorn[standard]) leaves more of the machine to the worker being measured
        import uvloop
        uvloop.run(_serve(args.port, args.defer_decrypt))
    except ImportError:
        asyncio.run(_serve(args.port, args.defer_decrypt))
