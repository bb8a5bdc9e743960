"""Status changes pushed by an agency's one-stop system, signed with HMAC-SHA256.

Headers: ``X-Agency-Code``, ``X-Timestamp`` (Unix seconds), ``X-Signature`` =
hex(HMAC-SHA256(secret, f"{timestamp}.{raw body}")). A request older or newer than five
minutes is refused (replay window); an event id already applied is acknowledged again
without applying it twice (idempotency).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

REPLAY_WINDOW_SECONDS = 300


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class SignatureError(ValueError):
    """Why a request is refused, for the developer (the agency's integrator)."""


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> None:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise SignatureError("X-Timestamp must be Unix seconds") from exc
    now = time.time() if now is None else now
    if abs(now - sent) > REPLAY_WINDOW_SECONDS:
        raise SignatureError("X-Timestamp outside the 5-minute window")
    expected = sign(secret, timestamp, body)
    # Constant-time: the comparison must not tell an attacker how much of it was right.
    if not hmac.compare_digest(expected, (signature or "").lower()):
        raise SignatureError("X-Signature does not match")
