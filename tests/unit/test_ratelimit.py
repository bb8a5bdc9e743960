"""Rate limits for guessable endpoints: a sliding minute, shared through Redis by every API
instance when there is one, and still enforced in each process when Redis is away."""

from __future__ import annotations

import socket
import uuid

import pytest
from redis.asyncio import Redis

from api.errors import AppError
from api.ratelimit import RateLimiter
from tests.conftest import IN_CI


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
async def redis():
    if not redis_reachable():
        if IN_CI:
            pytest.fail("Redis at 127.0.0.1:6379 is not reachable; CI must run the Redis tests")
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable on this machine")
    client = Redis.from_url("redis://127.0.0.1:6379/0")
    yield client
    await client.aclose()


async def test_a_sliding_minute_in_one_process():
    limiter = RateLimiter(per_minute=3)
    for t in (0.0, 1.0, 2.0):
        await limiter.hit("client", now=1000 + t)
    with pytest.raises(AppError) as refused:
        await limiter.check("client", now=1010)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "50"
    await limiter.check("client", now=1060.5)  # the first hit left the window
    await limiter.check("someone-else", now=1010)


async def test_two_instances_share_one_budget_through_redis(redis):
    name = f"test-{uuid.uuid4().hex[:8]}"
    first, second = (RateLimiter(per_minute=4, name=name, redis=redis) for _ in range(2))  # two API processes
    for limiter in (first, second, first, second):
        await limiter.hit("10.0.0.7")
    for limiter in (first, second):
        with pytest.raises(AppError) as refused:
            await limiter.check("10.0.0.7")
        assert refused.value.status == 429 and 1 <= int(refused.value.headers["Retry-After"]) <= 60
    await first.check("10.0.0.8")  # another client is not affected
    assert 0 < await redis.ttl(f"dvc:ratelimit:{name}:10.0.0.7") <= 61  # nothing is kept for long


async def test_redis_away_means_each_process_still_counts():
    away = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    limiter = RateLimiter(per_minute=2, name="away", redis=away)
    await limiter.hit("c")
    await limiter.hit("c")
    with pytest.raises(AppError):
        await limiter.check("c")
    await away.aclose()
