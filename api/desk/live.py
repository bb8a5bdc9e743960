"""Wakes the live streams (SSE) when something they show has changed.

In one process a change wakes its streams at once; streams also look again every
``POLL_SECONDS``, which is how changes made by another API process reach them.
"""

from __future__ import annotations

import asyncio
import contextlib

POLL_SECONDS = 2.0
HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing an idle stream
MAX_STREAM_SECONDS = 300.0  # then the browser's EventSource reconnects (and may reach another instance)


class Notifier:
    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()  # those waiting hold the old event, now set

    async def wait(self, timeout: float = POLL_SECONDS) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)
