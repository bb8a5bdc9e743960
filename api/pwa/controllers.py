"""HTTP layer of the web app: the shell at ``/``, the service worker, the manifest and assets."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import Parameter

from api.errors import NotFoundError
from api.pwa.files import AppFiles, StaticFile

# The shell may only load what the app itself serves: no CDN, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    # Resume and tracking links carry their secret after '#', which browsers never send;
    # no-referrer also keeps the page address itself from other sites.
    "Referrer-Policy": "no-referrer",
}
NO_CACHE = "no-cache"  # always revalidated: a release must reach phones at once
YEAR = "public, max-age=31536000, immutable"


def _files(request: Request) -> AppFiles:
    return request.app.state.app_files


def _send(request: Request, item: StaticFile, cache: str, extra: dict[str, str] | None = None) -> Response[bytes]:
    headers = {"Cache-Control": cache, "ETag": item.etag, **SECURITY, **(extra or {})}
    if request.headers.get("if-none-match") == item.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(item.body, media_type=item.media_type, headers=headers)


@get("/", include_in_schema=False)
async def shell(request: Request) -> Response[bytes]:
    return _send(request, _files(request).pages["index.html"], NO_CACHE, {"Content-Security-Policy": CSP})


@get("/offline.html", include_in_schema=False)
async def offline_page(request: Request) -> Response[bytes]:
    return _send(request, _files(request).pages["offline.html"], NO_CACHE, {"Content-Security-Policy": CSP})


@get("/manifest.webmanifest", include_in_schema=False)
async def manifest(request: Request) -> Response[bytes]:
    return _send(request, _files(request).pages["manifest.webmanifest"], NO_CACHE)


@get("/sw.js", include_in_schema=False)
async def service_worker(request: Request) -> Response[bytes]:
    # Scope "/" although the file is at the root anyway: explicit, and safe if it ever moves.
    return _send(request, _files(request).pages["sw.js"], NO_CACHE, {"Service-Worker-Allowed": "/"})


@get("/assets/{path:path}", include_in_schema=False)
async def asset(
    request: Request, path: str, v: Annotated[str | None, Parameter(query="v", required=False)] = None
) -> Response[bytes]:
    files = _files(request)
    item = files.assets.get(path.lstrip("/"))
    if item is None:  # the set of files is fixed at start-up: no path reaches the disk
        raise NotFoundError("Dạ, không tìm thấy tệp này.", developer_message=f"no asset {path!r}")
    # Links from this release's shell carry ?v=<build>: those may be kept for a year.
    return _send(request, item, YEAR if v == files.build else NO_CACHE)


ROUTES = [shell, offline_page, manifest, service_worker, asset]
