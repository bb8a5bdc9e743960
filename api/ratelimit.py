"""A sliding-window rate limiter for endpoints that must not be guessed at (lookups, logins).

Counts live in Redis when the deployment has one (``DVC_REDIS_URL``), so that every API
instance behind the proxy shares one budget per client; otherwise, and whenever Redis cannot
be reached, in this process.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections import defaultdict, deque
from typing import Any

from redis.exceptions import RedisError

from api.errors import AppError

log = logging.getLogger("api.ratelimit")
WINDOW = 60.0


class RateLimiter:
    def __init__(self, per_minute: int, max_keys: int = 100_000,
                 message: str = "Dạ, anh/chị tra cứu nhiều lần quá. Vui lòng đợi một phút rồi thử lại.",
                 name: str = "default", redis: Any = None) -> None:
        self.per_minute = per_minute
        self.message = message
        self.max_keys = max_keys
        self.name = name
        self.redis = redis  # a redis.asyncio.Redis, or None
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    async def check(self, key: str, now: float | None = None) -> None:
        """Refuses (429) when ``key`` used its minute up, without counting this call."""
        await self._window(key, time.time() if now is None else now, record=False)

    async def hit(self, key: str, now: float | None = None) -> None:
        await self._window(key, time.time() if now is None else now, record=True)

    async def _window(self, key: str, now: float, record: bool) -> None:
        if self.redis is not None:
            try:
                return await self._shared(key, now, record)
            except (RedisError, OSError) as exc:  # Redis away: this process still counts on its own
                log.warning("rate limit counted in this process only: Redis unavailable (%s)", type(exc).__name__)
        self._local(key, now, record)

    def _refuse(self, now: float, oldest: float) -> None:
        retry = max(1, math.ceil(WINDOW - (now - oldest)))
        raise AppError(self.message, developer_message=f"rate limit: {self.per_minute}/min", status=429,
                       headers={"Retry-After": str(retry)})

    def _local(self, key: str, now: float, record: bool) -> None:
        if len(self._hits) > self.max_keys:  # bounded memory under a flood of distinct keys
            self._hits.clear()
        window = self._hits[key]
        while window and now - window[0] >= WINDOW:
            window.popleft()
        if len(window) >= self.per_minute:
            self._refuse(now, window[0])
        if record:
            window.append(now)

    async def _shared(self, key: str, now: float, record: bool) -> None:
        # One sorted set per key, scored by time: what is older than the window is dropped.
        name = f"dvc:ratelimit:{self.name}:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, 0, now - WINDOW)
            pipe.zcard(name)
            pipe.zrange(name, 0, 0, withscores=True)
            _, count, oldest = await pipe.execute()
        if count >= self.per_minute:
            self._refuse(now, oldest[0][1] if oldest else now)
        if record:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(name, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                pipe.expire(name, int(WINDOW) + 1)
                await pipe.execute()
