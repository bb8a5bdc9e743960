"""Client of the Rasa servers' REST channel, with a hard time limit.

With several Rasa replicas each citizen (sender id) always goes to the same one, so that the
replicas rarely wait for each other's conversation locks; if that replica cannot be reached,
the next one answers — they share the conversations (tracker store in PostgreSQL).
"""

from __future__ import annotations

import zlib
from typing import Any

import httpx


class AssistantUnavailable(Exception):
    """Rasa is down, too slow, or answered something we cannot use."""


class RasaClient:
    def __init__(self, base_urls: str | tuple[str, ...] | list[str], timeout: float) -> None:
        self.base_urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.base_url = self.base_urls[0]
        # One pooled client per replica for the process: a chat turn must not pay for a new connection.
        self._http = [
            httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)))
            for url in self.base_urls
        ]

    def replica(self, sender_id: str) -> int:
        return zlib.crc32(sender_id.encode()) % len(self._http)

    async def send(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        first = self.replica(sender_id)
        order = [self._http[(first + i) % len(self._http)] for i in range(len(self._http))]
        for i, http in enumerate(order):
            try:
                response = await http.post("/webhooks/rest/webhook", json={"sender": sender_id, "message": message})
                response.raise_for_status()
                data = response.json()
                break
            except httpx.ConnectError as exc:  # that replica is down: another one has the conversation too
                if i == len(order) - 1:
                    raise AssistantUnavailable(f"{type(exc).__name__}: {exc}") from exc
            except (httpx.HTTPError, ValueError) as exc:
                raise AssistantUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise AssistantUnavailable(f"unexpected answer: {str(data)[:200]}")
        return [m for m in data if isinstance(m, dict)]

    async def is_up(self) -> bool:
        """True when at least one replica answers."""
        for http in self._http:
            try:
                if (await http.get("/", timeout=1.0)).status_code == 200:
                    return True
            except httpx.HTTPError:
                continue
        return False

    async def close(self) -> None:
        for http in self._http:
            await http.aclose()
