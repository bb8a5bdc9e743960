"""The app's files, read once per process, with a build hash that names this release.

The hash goes into the service worker (so a new release replaces its caches) and into
the asset links of the shell (``?v=…``), which lets browsers keep assets for a year.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from api.settings import ROOT

PWA_DIR = ROOT / "pwa"
BUILD_MARK = "__BUILD__"
# Files with the build mark replaced when served.
TEMPLATED = {"index.html", "sw.js", "offline.html"}
TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class AppFiles:
    build: str
    pages: dict[str, StaticFile]  # top-level files by name: index.html, sw.js, …
    assets: dict[str, StaticFile]  # files under assets/, by their path below it

    @classmethod
    def load(cls, root: Path = PWA_DIR) -> AppFiles:
        paths = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")
        digest = hashlib.sha256()
        raw: dict[str, bytes] = {}
        for p in paths:
            rel = p.relative_to(root).as_posix()
            raw[rel] = p.read_bytes()
            digest.update(rel.encode() + b"\0" + raw[rel])
        build = digest.hexdigest()[:12]
        pages: dict[str, StaticFile] = {}
        assets: dict[str, StaticFile] = {}
        for rel, body in raw.items():
            if rel in TEMPLATED:
                body = body.replace(BUILD_MARK.encode(), build.encode())
            media = TYPES.get(Path(rel).suffix) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
            item = StaticFile(body, media, f'"{hashlib.sha256(body).hexdigest()[:16]}"')
            if rel.startswith("assets/"):
                assets[rel.removeprefix("assets/")] = item
            elif "/" not in rel:
                pages[rel] = item
        return cls(build, pages, assets)
