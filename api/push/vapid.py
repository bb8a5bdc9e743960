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
    pem = os.environ.get(ENV_PRIVATE_KEY, "").strip()
    if pem:
        return Vapid02.from_pem(pem.encode())
    path = data_dir / KEY_FILE
    if path.exists():
        return Vapid02.from_file(str(path))
    data_dir.mkdir(parents=True, exist_ok=True)
    vapid = Vapid02()
    vapid.generate_keys()
    # Create the file owner-only before writing the key into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(vapid.private_pem())
    return vapid


def public_key(vapid: Vapid02) -> str:
    """The application server key for PushManager.subscribe(): the raw P-256 point, base64url."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)
