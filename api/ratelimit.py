"""A small sliding-window rate limiter, per process, for endpoints that must not be guessed at."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from api.errors import AppError


class RateLimiter:
    def __init__(self, per_minute: int, max_keys: int = 100_000,
                 message: str = "Dạ, anh/chị tra cứu nhiều lần quá. Vui lòng đợi một phút rồi thử lại.") -> None:
        self.per_minute = per_minute
        self.message = message
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, key: str, now: float | None = None) -> None:
        """Refuses (429) when ``key`` used its minute up, without counting this call."""
        self._window(key, time.monotonic() if now is None else now, record=False)

    def hit(self, key: str, now: float | None = None) -> None:
        self._window(key, time.monotonic() if now is None else now, record=True)

    def _window(self, key: str, now: float, record: bool) -> None:
        if len(self._hits) > self.max_keys:  # bounded memory under a flood of distinct keys
            self._hits.clear()
        window = self._hits[key]
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.per_minute:
            retry = max(1, math.ceil(60 - (now - window[0])))
            raise AppError(
                self.message,
                developer_message=f"rate limit: {self.per_minute}/min",
                status=429,
                headers={"Retry-After": str(retry)},
            )
        if record:
            window.append(now)
