"""Readiness: each component's status, 200 only when all of them are ready."""

from __future__ import annotations

import time

import msgspec
from litestar import Request, Response, get
from sqlalchemy import text

from api.procedures.service import CatalogIndex


class Component(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" | "starting" | "error"
    detail: str | None = None
    latency_ms: float | None = None
    procedures: int | None = None
    revision: int | None = None


class HealthReport(msgspec.Struct):
    status: str  # "ok" | "degraded" (chat in limited mode) | "unavailable"
    components: dict[str, Component]


class Live(msgspec.Struct):
    status: str


@get("/health/live", summary="Tiến trình còn chạy (liveness)", tags=["Hệ thống"])
async def live() -> Live:
    # Answering at all is the point: the event loop is not stuck. Nothing else is checked,
    # so a database outage never makes an orchestrator restart healthy API processes.
    return Live("ok")


@get(["/health", "/health/ready"], summary="Sẵn sàng nhận yêu cầu (readiness): cơ sở dữ liệu, chỉ mục tìm kiếm, "
     "trợ lý", tags=["Hệ thống"])
async def health(request: Request) -> Response[HealthReport]:
    components: dict[str, Component] = {}
    started = time.perf_counter()
    try:
        async with request.app.state.sessions() as session:
            await session.execute(text("SELECT 1"))
        components["database"] = Component("ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))
    except Exception as exc:  # report, never raise: health must answer while the database is down
        components["database"] = Component("error", detail=type(exc).__name__)
    catalog: CatalogIndex = request.app.state.catalog
    components["catalog"] = (
        Component("ok", procedures=catalog.index.n, revision=catalog.revision)
        if catalog.ready
        else Component("starting", detail="search index not built yet")
    )
    # The assistant may be down: the chat still answers in limited mode, so the API is
    # "degraded", not unavailable.
    components["bot"] = (
        Component("ok")
        if await request.app.state.rasa.is_up()
        else Component("unavailable", detail="limited mode")
    )
    ready = all(components[c].status == "ok" for c in ("database", "catalog"))
    status = ("ok" if components["bot"].status == "ok" else "degraded") if ready else "unavailable"
    return Response(HealthReport(status, components), status_code=200 if ready else 503)
