"""Application factory: ``create_app()`` wires settings, database, routes and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from redis.asyncio import Redis

from api.addresses.controllers import resolve_address, suggest_address
from api.addresses.service import AddressService
from api.chat.controllers import chat, procedure_answer
from api.chat.rasa import RasaClient
from api.chat.service import ChatService
from api.db.engine import create_engine, session_factory
from api.desk.controllers import ROUTES as DESK_ROUTES
from api.desk.controllers import LoginLimits
from api.desk.live import Notifier
from api.dossiers.calendar import WorkCalendar
from api.dossiers.controllers import ROUTES as DOSSIER_ROUTES
from api.dossiers.controllers import LookupLimits
from api.errors import EXCEPTION_HANDLERS
from api.health import health, live
from api.observability import configure_logging, http_metrics, metrics
from api.procedures.controllers import ProcedureController, levels
from api.procedures.service import CatalogIndex
from api.push.controllers import ROUTES as PUSH_ROUTES
from api.push.vapid import load_or_create, public_key
from api.push.worker import QUEUE_DEPTH_EVERY, running_worker, update_queue_depth
from api.pwa.controllers import ROUTES as PWA_ROUTES
from api.pwa.files import AppFiles
from api.settings import Settings, get_settings

log = logging.getLogger("api")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    engine = create_engine(settings)
    sessions = session_factory(engine)
    catalog = CatalogIndex()
    rasa = RasaClient(settings.rasa_urls, settings.chat_timeout_seconds)
    calendar = WorkCalendar.from_settings()
    notifier = Notifier(settings.redis_url)
    # Shared by every instance: rate limits count a client once, whichever instance it reaches.
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    if settings.log_format == "json":
        configure_logging("json")
    chat_service = ChatService(rasa, catalog, sessions, settings, calendar, notifier)

    alchemy = SQLAlchemyPlugin(
        config=SQLAlchemyAsyncConfig(
            engine_instance=engine,
            session_dependency_key="db_session",
            session_config=AsyncSessionConfig(expire_on_commit=False),
            before_send_handler="autocommit",
            create_all=False,  # the schema belongs to Alembic
            set_default_exception_handler=False,
        )
    )

    async def backlog_gauge() -> None:
        while True:  # the outbox backlog for /metrics, whichever process sends
            with contextlib.suppress(Exception):
                await update_queue_depth(engine)
            await asyncio.sleep(QUEUE_DEPTH_EVERY)

    async def start(app: Litestar) -> None:
        await notifier.start()
        # The administrative map (~15,000 units) is read once per process, off the event loop.
        app.state.addresses = await asyncio.to_thread(AddressService)
        vapid = await asyncio.to_thread(load_or_create, settings.data_dir)
        app.state.vapid_public_key = public_key(vapid)
        if settings.push_worker == "in-process":
            # make run: one process does everything; production runs `python -m api push-worker` instead.
            app.state.push_worker = running_worker(engine, settings, vapid)
            await app.state.push_worker.__aenter__()
        try:
            await catalog.refresh(sessions, force=True)
        except Exception:  # not migrated yet, or the database is down: /health says so
            log.exception("could not build the search index at start-up")
        app.state.refresher = asyncio.create_task(
            catalog.run_refresher(sessions, settings.catalog_refresh_seconds)
        )
        if settings.push_worker != "in-process":  # an in-process worker refreshes the gauge itself
            app.state.backlog = asyncio.create_task(backlog_gauge())

    async def stop(app: Litestar) -> None:
        for name in ("refresher", "backlog"):
            task = app.state.get(name)
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        worker = app.state.get("push_worker")
        if worker:
            await worker.__aexit__(None, None, None)
        await notifier.stop()
        if redis is not None:
            await redis.aclose()
        await rasa.close()
        await engine.dispose()

    return Litestar(
        route_handlers=[
            *PWA_ROUTES,
            ProcedureController,
            levels,
            procedure_answer,
            chat,
            resolve_address,
            suggest_address,
            *DOSSIER_ROUTES,
            *PUSH_ROUTES,
            *DESK_ROUTES,
            health,
            live,
            metrics,
        ],
        middleware=[http_metrics],
        plugins=[alchemy],
        logging_config=None,
        # The PWA is served from the same origin; other origins only when configured.
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None,  # logging is set up once per process (api.observability), not per app
        # Phones on a weak connection: text answers (the app, JSON) travel gzipped.
        # Live streams (SSE) are left out: gzip would hold their events back.
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6,
                                             exclude=["/api/desk/events", "/api/chat/.+/events"]),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start],
        on_shutdown=[stop],
        state=State(
            {
                "settings": settings,
                "sessions": sessions,
                "catalog": catalog,
                "engine": engine,
                "rasa": rasa,
                "chat": chat_service,
                "lookup_limits": LookupLimits(redis),
                "calendar": calendar,
                "notifier": notifier,
                "login_limits": LoginLimits(redis),
                "app_files": AppFiles.load(),
            }
        ),
        openapi_config=OpenAPIConfig(
            title="Trợ lý DVC API",
            version="0.1.0",
            description="Tra cứu thủ tục hành chính, trò chuyện với trợ lý, hồ sơ và thông báo.",
            path="/schema",
        ),
        debug=settings.debug,
    )
