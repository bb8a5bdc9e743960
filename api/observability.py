"""Metrics (Prometheus) and structured logs (one JSON object per line, no personal data).

Metrics live in the process that produces them: each API process serves its own at
``/metrics``; a push worker serves its own on ``DVC_METRICS_PORT``. Prometheus scrapes every
instance; nothing here needs a shared store.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_LATENCY = Histogram("dvc_http_request_duration_seconds", "HTTP requests by route template and status",
                         ["method", "route", "status"], buckets=LATENCY_BUCKETS)
CHAT_TURNS = Counter("dvc_chat_turns_total", "Chat turns by who answered (assistant, limited, live)", ["mode"])
CHAT_FALLBACKS = Counter("dvc_chat_fallbacks_total", "Citizen messages the bot did not understand")
CHAT_HANDOFFS = Counter("dvc_chat_handoffs_total", "Handoffs to a volunteer (waiting) or missed (nobody on duty)",
                        ["state"])
PUSH_SENT = Counter("dvc_push_sent_total", "Notifications the push service accepted")
PUSH_FAILED = Counter("dvc_push_failed_total", "Notifications given up or not sendable, by outcome", ["outcome"])
PUSH_RETRIES = Counter("dvc_push_retries_total", "Attempts to be made again (5xx, timeouts, 429)")
PUSH_DELAY = Histogram("dvc_push_delay_seconds", "From the status change to the push service accepting it",
                       buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0))
PUSH_QUEUE = Gauge("dvc_push_queue_depth", "Notifications waiting to be sent (pending in the outbox)")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Messages are the code's own (never request bodies); the access
    log names the route template, never the URL, so no token, query or dossier code appears."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("method", "route", "status", "duration_ms", "worker"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own lines go through the root handler; its access log (whole URLs, tokens in
    # query strings) is silenced: api.access logs each request by route template instead.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False  # uvicorn checks hasHandlers(): none here, none above


access_log = logging.getLogger("api.access")


def http_metrics(app: Any) -> Any:
    """ASGI middleware: latency histogram and one access-log line per request, by route template."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_watch)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            if route.startswith("/assets/"):
                route = "/assets/{path}"
            HTTP_LATENCY.labels(scope["method"], route, str(status)).observe(elapsed)
            access_log.info("%s %s %s", scope["method"], route, status, extra={
                "method": scope["method"], "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 1)})

    return middleware


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """Prometheus text format. The public proxy does not forward this path (docker/Caddyfile)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
