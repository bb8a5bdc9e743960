"""The web app as the API serves it: the shell, the service worker, assets and their caching."""

from __future__ import annotations

import gzip
import re

from api.pwa.files import AppFiles

FIRST_LOAD_BUDGET = 150 * 1024  # JS + CSS, gzipped


async def test_shell_links_this_release_and_forbids_foreign_scripts(client):
    response = await client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["cache-control"] == "no-cache"
    build = AppFiles.load().build
    assert f"/assets/app.js?v={build}" in response.text and "__BUILD__" not in response.text
    # Nothing comes from another origin: no CDN, no web fonts.
    assert not re.search(r"(src|href)=\"(https?:)?//", response.text)


async def test_assets_of_this_release_are_kept_a_year_others_revalidated(client):
    build = AppFiles.load().build
    fresh = await client.get(f"/assets/app.css?v={build}")
    assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert fresh.headers["content-type"].startswith("text/css")
    stale = await client.get("/assets/app.css?v=older")
    assert stale.headers["cache-control"] == "no-cache"
    again = await client.get("/assets/app.css", headers={"If-None-Match": fresh.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_service_worker_names_the_build_and_may_control_the_whole_app(client):
    response = await client.get("/sw.js")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["content-type"].startswith("text/javascript")
    assert f"const BUILD = '{AppFiles.load().build}'" in response.text


async def test_unknown_asset_is_a_vietnamese_404_and_paths_never_reach_the_disk(client):
    for path in ("/assets/nope.js", "/assets/../api/settings.py", "/assets/%2e%2e/pyproject.toml"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "không tìm thấy" in response.json()["detail"].lower()


async def test_text_travels_gzipped(client):
    response = await client.get("/assets/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


def test_first_load_stays_within_150_kb_gzipped():
    files = AppFiles.load()
    shell = files.pages["index.html"].body.decode()
    linked = re.findall(r'(?:src|href)="/assets/([^"?]+\.(?:js|css))', shell)
    assert {"app.js", "app.css"} <= set(linked)
    total = sum(len(gzip.compress(files.assets[name].body, 6)) for name in linked)
    assert total <= FIRST_LOAD_BUDGET, f"{total / 1024:.1f} KB gzipped"


def test_every_file_the_service_worker_precaches_exists():
    files = AppFiles.load()
    sw = files.pages["sw.js"].body.decode()
    listed = re.search(r"const SHELL = \[(.*?)\];", sw, re.S).group(1)
    for url in re.findall(r"[`'](/[^`']*)[`']", listed):
        path = url.split("?")[0]
        if path.startswith("/assets/"):
            assert path.removeprefix("/assets/") in files.assets, url
        elif path != "/":
            assert path.lstrip("/") in files.pages, url
