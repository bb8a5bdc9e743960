"""Wakes the live streams (SSE) when something they show has changed.

In one process a change wakes its streams at once. With Redis (``DVC_REDIS_URL``) a change
in any API instance is published and wakes the streams of every instance at once. Streams
also look again every ``POLL_SECONDS`` whatever happens, so nothing is missed while Redis is
away — only slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

POLL_SECONDS = 2.0
HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing an idle stream
MAX_STREAM_SECONDS = 300.0  # then the browser's EventSource reconnects (and may reach another instance)
CHANNEL = "dvc:live"

log = logging.getLogger("api.live")


class Notifier:
    def __init__(self, redis_url: str | None = None) -> None:
        self._changed = asyncio.Event()
        self._redis_url = redis_url
        self._redis = None
        self._listener: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    async def start(self) -> None:
        if not self._redis_url:
            return
        from redis.asyncio import Redis

        self._redis = Redis.from_url(self._redis_url)
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()  # those waiting hold the old event, now set

    def notify(self) -> None:
        self._wake()
        if self._redis is not None:
            task = asyncio.create_task(self._publish())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _publish(self) -> None:
        try:
            await self._redis.publish(CHANNEL, b"1")
        except Exception as exc:  # noqa: BLE001 - the other instances will see it at their next poll
            log.warning("could not publish a live change to Redis: %s", exc)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis restarting: poll meanwhile, then listen again
                log.warning("live changes from Redis unavailable, polling meanwhile: %s", exc)
                await asyncio.sleep(POLL_SECONDS)

    async def wait(self, timeout: float = POLL_SECONDS) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)
