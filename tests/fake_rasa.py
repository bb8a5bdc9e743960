"""A stand-in for Rasa's REST channel, served on a real port, scriptable per test."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import uvicorn


class FakeRasa:
    """``mode``: "ok" (answers ``reply``), "slow" (sleeps ``delay`` first), "error" (500), "garbage"."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 4.0
        self.reply: list[dict] = [{"recipient_id": "x", "text": "Dạ, em chào anh/chị."}]
        self.received: list[dict] = []
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error", interface="asgi3")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    async def app(self, scope, receive, send):  # a bare ASGI app: no framework needed
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        if scope["path"] == "/":
            return await self._send(send, 200, b"Hello from Rasa: 3.6.21")
        self.received.append(json.loads(body or b"{}"))
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        if self.mode == "error":
            return await self._send(send, 500, b"boom")
        if self.mode == "garbage":
            return await self._send(send, 200, b"<html>not json")
        await self._send(send, 200, json.dumps(self.reply).encode())

    @staticmethod
    async def _send(send, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def start(self) -> FakeRasa:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Rasa did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
