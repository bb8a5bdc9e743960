"""Client of the Rasa server's REST channel, with a hard time limit."""

from __future__ import annotations

from typing import Any

import httpx


class AssistantUnavailable(Exception):
    """Rasa is down, too slow, or answered something we cannot use."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url
        # One pooled client for the process: a chat turn must not pay for a new connection.
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0))
        )

    async def send(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        try:
            response = await self._http.post(
                "/webhooks/rest/webhook", json={"sender": sender_id, "message": message}
            )
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise AssistantUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise AssistantUnavailable(f"unexpected answer: {str(data)[:200]}")
        return [m for m in data if isinstance(m, dict)]

    async def is_up(self) -> bool:
        try:
            return (await self._http.get("/", timeout=1.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        await self._http.aclose()
