"""VAPID keys: taken from the environment, or generated on first run into the data directory.

The private key never leaves the server: it is not committed, not logged, and the file is
readable by its owner only.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

ENV_PRIVATE_KEY = "DVC_VAPID_PRIVATE_KEY"  # PEM, as written by this module
KEY_FILE = "vapid_private.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_or_create(data_dir: Path) -> Vapid02:
    # Env files hold one line: a PEM may come with "\n" written for its line breaks.
    pem = os.environ.get(ENV_PRIVATE_KEY, "").strip().replace("\\n", "\n")
    if pem:
        return Vapid02.from_pem(pem.encode())
    path = data_dir / KEY_FILE
    if path.exists():
        return Vapid02.from_file(str(path))
    data_dir.mkdir(parents=True, exist_ok=True)
    vapid = Vapid02()
    vapid.generate_keys()
    # Written aside, then linked into place: several processes starting together on one data directory
    # all end up with the key of whichever finished first, never with a half-written file.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner-only from the start
    with os.fdopen(fd, "wb") as f:
        f.write(vapid.private_pem())
    try:
        os.link(tmp, path)  # fails if another process got there first
    except FileExistsError:
        return Vapid02.from_file(str(path))
    finally:
        tmp.unlink()
    return vapid


def public_key(vapid: Vapid02) -> str:
    """The application server key for PushManager.subscribe(): the raw P-256 point, base64url."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)
