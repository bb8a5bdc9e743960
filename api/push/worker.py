"""The outbox worker: claims due notifications, sends them, records every attempt.

Claiming is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``: on PostgreSQL
several workers take disjoint batches without waiting on each other; on SQLite the statement holds
the database's write lock, which gives the same guarantee. The claim moves ``next_attempt_at``
forward by a lease, so a worker killed mid-batch leaves its notifications due again afterwards:
nothing is lost, and a notification is sent again only if the worker died before recording it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import socket
import time
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.db.base import aware, utcnow
from api.observability import PUSH_DELAY, PUSH_FAILED, PUSH_QUEUE, PUSH_RETRIES, PUSH_SENT
from api.push.models import PushAttempt, PushNotification, PushSubscription
from api.push.sender import Message, PushSender, Result
from api.push.service import forget_subscriptions
from api.settings import Settings

log = logging.getLogger("api.push")

LANES = 4  # batches in flight per process: one lane's database work overlaps the others' network waits
RETENTION = dt.timedelta(days=30)  # finished notifications and their attempts are kept this long
HOUSEKEEPING_EVERY = 3600.0
QUEUE_DEPTH_EVERY = 15.0  # how often the backlog gauge is refreshed

_notifications = PushNotification.__table__
_finish = (
    update(_notifications)
    .where(_notifications.c.id == bindparam("_id"), _notifications.c.state == "pending")
    .values(state=bindparam("_state"), next_attempt_at=bindparam("_next"), last_error=bindparam("_error"),
            sent_at=bindparam("_sent_at"))
)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential back-off with "equal jitter": between half and all of min(cap, base·2ⁿ⁻¹)."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return random.uniform(delay / 2, delay)


class PushWorker:
    def __init__(self, engine: AsyncEngine, sender: PushSender, settings: Settings,
                 *, name: str | None = None, lanes: int = LANES) -> None:
        self.engine = engine  # Core connections: the ORM's per-statement work is not needed here
        self.sender = sender
        self.settings = settings
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}")[:64]
        # SQLite has one writer at a time: one lane keeps the worker from queueing for its own lock.
        self.lanes = 1 if settings.is_sqlite else lanes
        self.batch = max(1, settings.push_concurrency // self.lanes)
        self.counts: Counter[str] = Counter()  # outcomes since start, for logs and metrics

    # -- one round -------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim one batch of due notifications, send it, record the results. Returns the batch size."""
        claimed, skipped = await self._claim()
        if skipped:
            await self._record(skipped, [])
        if not claimed:
            return len(skipped)
        results = await asyncio.gather(*(self.sender.send(message) for message, _ in claimed))
        await self._record([(message.id, attempts, result) for (message, attempts), result
                            in zip(claimed, results, strict=True)], claimed)
        return len(claimed) + len(skipped)

    async def _claim(self) -> tuple[list[tuple[Message, int]], list[tuple[int, int, Result]]]:
        now = utcnow()
        is_due = (PushNotification.state == "pending", PushNotification.next_attempt_at <= now)
        due = (
            select(PushNotification.id).where(*is_due).order_by(PushNotification.next_attempt_at)
            .limit(self.batch).with_for_update(skip_locked=True)
        )
        lease = now + dt.timedelta(seconds=self.settings.push_lease_seconds)
        async with self.engine.connect() as session:  # a read first: an idle poll takes no write lock
            if (await session.execute(select(PushNotification.id).where(*is_due).limit(1))).first() is None:
                return [], []
        async with self.engine.begin() as session:
            rows = (await session.execute(
                update(_notifications)
                .where(_notifications.c.id.in_(due.scalar_subquery()))
                .values(next_attempt_at=lease, attempts=_notifications.c.attempts + 1)
                # The payload as stored text: sent as it is, not decoded and encoded again.
                .returning(_notifications.c.id, _notifications.c.subscription_id,
                           cast(_notifications.c.payload, Text).label("payload"),
                           _notifications.c.topic, _notifications.c.urgency, _notifications.c.attempts,
                           _notifications.c.created_at)
            )).all()
            if not rows:
                return [], []
            sub_ids = {r.subscription_id for r in rows if r.subscription_id is not None}
            subs = {s.id: s for s in (await session.execute(
                select(PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh,
                       PushSubscription.auth).where(PushSubscription.id.in_(sub_ids))
            )).all()}
            newest = await self._newest(session, {(r.subscription_id, r.topic) for r in rows})
        claimed: list[tuple[Message, int]] = []
        skipped: list[tuple[int, int, Result]] = []
        for r in rows:
            age = (now - aware(r.created_at)).total_seconds()
            sub = subs.get(r.subscription_id)
            if sub is None:
                skipped.append((r.id, r.attempts, Result("gone", None, "subscription no longer exists", 0)))
            elif age >= self.settings.push_ttl_seconds:
                skipped.append((r.id, r.attempts, Result("failed", None, "expired before it could be sent", 0)))
            elif newest.get((r.subscription_id, r.topic), r.id) > r.id:
                # The same device already has (or is about to get) a newer status of this dossier.
                skipped.append((r.id, r.attempts, Result("replaced", None, "a newer status replaced it", 0)))
            else:
                claimed.append((Message(r.id, sub.endpoint, sub.p256dh, sub.auth, r.payload.encode(),
                                        ttl=max(1, int(self.settings.push_ttl_seconds - age)),
                                        urgency=r.urgency, topic=r.topic,
                                        created=aware(r.created_at).timestamp()), r.attempts))
        return claimed, skipped

    @staticmethod
    async def _newest(session: AsyncConnection, keys: Iterable[tuple[int | None, str]]) -> dict[tuple[int, str], int]:
        """The newest notification per (device, dossier topic) among those claimed."""
        keys = {(s, t) for s, t in keys if s is not None}
        if not keys:
            return {}
        rows = await session.execute(
            select(PushNotification.subscription_id, PushNotification.topic, func.max(PushNotification.id))
            .where(PushNotification.subscription_id.in_({s for s, _ in keys}),
                   PushNotification.state.in_(("pending", "sent")))
            .group_by(PushNotification.subscription_id, PushNotification.topic)
        )
        return {(s, t): newest for s, t, newest in rows if (s, t) in keys}

    async def _record(self, results: list[tuple[int, int, Result]], claimed: list[tuple[Message, int]]) -> None:
        s = self.settings
        now = utcnow()
        finished, sent, attempts, gone_subs = [], [], [], []
        endpoints = {message.id: message.endpoint for message, _ in claimed}
        created = {message.id: message.created for message, _ in claimed}
        for notification_id, attempt, result in results:
            state, next_at, sent_at = result.outcome, now, None
            if result.outcome == "sent":
                sent_at = now
            elif result.outcome == "retry":
                if attempt >= s.push_max_attempts:
                    state = "failed"
                else:
                    state = "pending"
                    next_at = now + dt.timedelta(seconds=backoff(attempt, s.push_retry_base_seconds,
                                                                 s.push_retry_cap_seconds))
            elif result.outcome == "throttled":
                state = "pending"
                next_at = now + dt.timedelta(seconds=result.retry_after or 0)
            elif result.outcome == "failed" and result.http_status is not None:
                log.warning("push service refused notification %s: %s", notification_id, result.detail)
            if result.outcome == "gone" and notification_id in endpoints:
                gone_subs.append(endpoints[notification_id])
            self.counts[state] += 1
            if state == "sent":  # the common case, one statement for the whole batch
                sent.append(notification_id)
                PUSH_SENT.inc()
                if created.get(notification_id):
                    PUSH_DELAY.observe(max(0.0, now.timestamp() - created[notification_id]))
            else:
                if state == "pending":
                    PUSH_RETRIES.inc()
                else:
                    PUSH_FAILED.labels(state).inc()
                finished.append({"_id": notification_id, "_state": state, "_next": next_at,
                                 "_error": result.detail, "_sent_at": sent_at})
            if notification_id in endpoints:  # a request was made: that is an attempt
                attempts.append({"notification_id": notification_id, "attempt": attempt, "at": now,
                                 "http_status": result.http_status, "outcome": result.outcome,
                                 "detail": result.detail, "duration_ms": result.duration_ms,
                                 "worker": self.name})
        async with self.engine.begin() as session:
            if sent:
                await session.execute(
                    update(_notifications)
                    .where(_notifications.c.id.in_(sent), _notifications.c.state == "pending")
                    .values(state="sent", sent_at=now, last_error=None)
                )
            if finished:
                await session.execute(_finish, finished)
            if attempts:
                await session.execute(insert(PushAttempt.__table__), attempts)
            if gone_subs:
                ids = (await session.execute(
                    select(PushSubscription.id).where(PushSubscription.endpoint.in_(gone_subs)))).scalars().all()
                await forget_subscriptions(session, list(ids), state="gone")

    # -- running ---------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; the sender must already be open."""
        log.info("push worker %s started (%d lanes × %d)", self.name, self.lanes, self.batch)
        tasks = [asyncio.create_task(self._lane(stop)) for _ in range(self.lanes)]
        tasks.append(asyncio.create_task(self._housekeeping(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            log.info("push worker %s stopped: %s", self.name, dict(self.counts))

    async def _lane(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # the database went away for a moment: try again shortly
                log.exception("push worker round failed")
                busy = 0
                await _wait(stop, 1.0)
            if not busy:
                await _wait(stop, self.settings.push_poll_seconds)

    async def _housekeeping(self, stop: asyncio.Event) -> None:
        last_purge = 0.0
        while not stop.is_set():
            try:
                await update_queue_depth(self.engine)
                if time.monotonic() - last_purge >= HOUSEKEEPING_EVERY:
                    last_purge = time.monotonic()
                    async with self.engine.begin() as session:
                        await session.execute(delete(PushNotification).where(
                            PushNotification.state != "pending", PushNotification.created_at < utcnow() - RETENTION))
            except Exception:
                log.exception("push housekeeping failed")
            await _wait(stop, QUEUE_DEPTH_EVERY)


async def update_queue_depth(engine: AsyncEngine) -> None:
    """The outbox's backlog, for /metrics (read by the API processes and the workers alike)."""
    async with engine.connect() as session:
        PUSH_QUEUE.set((await session.execute(
            select(func.count()).select_from(PushNotification).where(PushNotification.state == "pending")
        )).scalar_one())


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


@contextlib.asynccontextmanager
async def running_worker(engine: AsyncEngine, settings: Settings, vapid, **kwargs):
    """Start a worker in the current event loop; stop it cleanly on exit."""
    stop = asyncio.Event()
    async with PushSender(vapid, settings.vapid_subject, timeout=settings.push_timeout_seconds,
                          concurrency=settings.push_concurrency) as sender:
        worker = PushWorker(engine, sender, settings, **kwargs)
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 15)
