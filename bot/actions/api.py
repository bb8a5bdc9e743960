"""A small HTTP client for the API, with short timeouts: a slow API must not hold the chat."""

from __future__ import annotations

import os
from typing import Any

import aiohttp

API_URL = os.environ.get("DVC_API_URL", "http://127.0.0.1:8000").rstrip("/")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("DVC_API_TIMEOUT_SECONDS", "2.5")))

UNAVAILABLE = (
    "Dạ, hệ thống tra cứu đang bận nên em chưa lấy được thông tin. "
    "Anh/chị vui lòng thử lại sau ít phút ạ."
)


class ApiUnavailable(Exception):
    """The API did not answer in time, or answered with a server error."""


class NotFound(Exception):
    """The API answered 404."""


class Api:
    def __init__(self, base_url: str = API_URL) -> None:
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        # One pooled session per action server process, created inside its event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            async with self._http().request(method, self.base_url + path, **kwargs) as response:
                if response.status == 404:
                    raise NotFound(path)
                if response.status >= 500 or response.status == 405:
                    raise ApiUnavailable(f"{method} {path} → {response.status}")
                body = await response.json(content_type=None)
                if response.status >= 400:
                    raise NotFound(f"{path}: {response.status} {body}")
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}") from exc

    async def search(self, query: str, limit: int = 3) -> dict[str, Any]:
        return await self._request("GET", "/api/procedures", params={"q": query[:300], "limit": str(limit)})

    async def answer(self, code: str, topic: str) -> dict[str, Any]:
        return await self._request("GET", f"/api/procedures/{code}/answer", params={"topic": topic})

    async def levels(self) -> dict[str, Any]:
        return await self._request("GET", "/api/levels")

    async def lookup_dossier(self, code: str, phone: str) -> dict[str, Any]:
        # The phone goes in the body, never in a URL: URLs end up in logs.
        return await self._request("POST", "/api/dossiers/lookup", json={"code": code, "phone": phone})

    async def resolve_address(self, text: str) -> dict[str, Any]:
        return await self._request("GET", "/api/addresses/resolve", params={"q": text[:300]})


api = Api()
