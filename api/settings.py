"""Typed settings read from the environment, with defaults that need no configuration.

Everything has a safe default so that ``make run`` works on a fresh machine:
SQLite in the git-ignored ``var/`` directory, the catalog shipped in ``data/catalog``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError as exc:  # a typo in deployment config must fail loudly, at start-up
        raise ValueError(f"{name} must be a number") from exc


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    catalog_dir: Path
    # PostgreSQL schema (search_path) to use; lets several deployments or test runs share a database.
    db_schema: str | None = None
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    api_workers: int = 1  # uvicorn processes behind one port (production; SQLite wants one)
    # How often an API process checks whether another process changed the catalog.
    catalog_refresh_seconds: float = 30.0
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # The Rasa server (REST channel); the chat falls back to limited mode when it is slow or down.
    # "development" (make run, tests) or "production": production refuses plain-http push endpoints.
    environment: str = "development"
    # Where citizens reach the app: links printed on receipts and in QR codes start here.
    public_url: str = "http://127.0.0.1:8000"
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa replicas (DVC_RASA_URLS, comma-separated): each citizen goes to one of them.
    rasa_replicas: tuple[str, ...] = ()
    chat_timeout_seconds: float = 3.0
    # Web Push. "in-process": the API process sends (make run, SQLite); "off": run
    # ``python -m api push-worker`` as its own process(es) instead (production).
    push_worker: str = "in-process"
    # The VAPID "sub" claim: how a push service reaches the operator (mailto: or https:).
    vapid_subject: str = "mailto:tro-ly-dvc@example.invalid"
    push_ttl_seconds: int = 3 * 24 * 3600  # a notification older than this is no longer worth sending
    push_max_attempts: int = 8  # for 5xx answers and timeouts; then the notification is marked failed
    push_retry_base_seconds: float = 30.0  # first back-off; doubles each attempt, with jitter
    push_retry_cap_seconds: float = 3600.0
    push_lease_seconds: float = 60.0  # a claimed notification is retried by anyone after this (crashed worker)
    push_poll_seconds: float = 0.2  # how often an idle worker looks for new notifications
    push_timeout_seconds: float = 10.0  # per request to a push service
    push_concurrency: int = 200  # requests in flight per worker process
    # One-stop desk: when volunteers can take conversations (Vietnam time), on which days
    # ("working": working days of the calendar, public holidays off; "all": every day).
    desk_hours: str = "07:30-11:30,13:30-17:00"
    desk_days: str = "working"
    session_hours: float = 12.0  # a volunteer's login lasts one working day
    # Redis (optional): wakes the live streams of every API instance at once (desk, handoffs).
    redis_url: str | None = None
    log_format: str = "text"  # "json": one JSON object per line (production)
    metrics_port: int = 0  # a push worker serves /metrics here (0: not at all)
    # Proxies whose X-Forwarded-For is believed (per-client rate limits need the citizen's address).
    forwarded_allow_ips: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if self.push_worker not in ("in-process", "off"):
            raise ValueError("DVC_PUSH_WORKER must be 'in-process' or 'off'")
        if not self.vapid_subject.startswith(("mailto:", "https://")):
            raise ValueError("DVC_VAPID_SUBJECT must be a mailto: or https: URL")
        if self.log_format not in ("text", "json"):
            raise ValueError("DVC_LOG_FORMAT must be 'text' or 'json'")
        if self.desk_days not in ("working", "all"):
            raise ValueError("DVC_DESK_DAYS must be 'working' or 'all'")
        self.desk_periods  # noqa: B018 - a malformed DVC_DESK_HOURS fails at start-up

    @property
    def rasa_urls(self) -> tuple[str, ...]:
        return self.rasa_replicas or (self.rasa_url,)

    @property
    def desk_periods(self) -> list[tuple[int, int]]:
        """DVC_DESK_HOURS as (start, end) minutes after midnight."""
        periods = []
        for part in self.desk_hours.split(","):
            try:
                start, end = (int(h) * 60 + int(m) for h, m in (t.strip().split(":") for t in part.split("-")))
            except ValueError as exc:
                raise ValueError("DVC_DESK_HOURS must look like 07:30-11:30,13:30-17:00") from exc
            if not 0 <= start < end <= 24 * 60:
                raise ValueError("DVC_DESK_HOURS: each period must start before it ends, within a day")
            periods.append((start, end))
        return periods

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    data_dir = Path(_env("DVC_DATA_DIR", str(ROOT / "var"))).resolve()
    default_db = f"sqlite+aiosqlite:///{data_dir / 'dvc.sqlite3'}"
    database_url = _env("DATABASE_URL", default_db)
    # Accept the URLs that hosting providers hand out and pick the async driver.
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+asyncpg://" + database_url[len(prefix) :]
    if database_url.startswith("sqlite:///"):
        database_url = "sqlite+aiosqlite:///" + database_url[len("sqlite:///") :]
    origins = tuple(o.strip() for o in _env("DVC_CORS_ORIGINS", "").split(",") if o.strip())
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        catalog_dir=Path(_env("DVC_CATALOG_DIR", str(ROOT / "data" / "catalog"))).resolve(),
        db_schema=_env("DVC_DB_SCHEMA", "") or None,
        debug=_env_bool("DVC_DEBUG", False),
        host=_env("DVC_HOST", "127.0.0.1"),
        port=int(_env_float("DVC_PORT", 8000)),
        api_workers=int(_env_float("DVC_API_WORKERS", 1)),
        catalog_refresh_seconds=_env_float("DVC_CATALOG_REFRESH_SECONDS", 30.0),
        cors_origins=origins,
        environment=_env("DVC_ENV", "development"),
        public_url=_env("DVC_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        rasa_url=_env("DVC_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_replicas=tuple(u.strip().rstrip("/") for u in _env("DVC_RASA_URLS", "").split(",") if u.strip()),
        chat_timeout_seconds=_env_float("DVC_CHAT_TIMEOUT_SECONDS", 3.0),
        push_worker=_env("DVC_PUSH_WORKER", "in-process"),
        vapid_subject=_env("DVC_VAPID_SUBJECT", _default_vapid_subject()),
        push_ttl_seconds=int(_env_float("DVC_PUSH_TTL_SECONDS", 3 * 24 * 3600)),
        push_max_attempts=int(_env_float("DVC_PUSH_MAX_ATTEMPTS", 8)),
        push_retry_base_seconds=_env_float("DVC_PUSH_RETRY_BASE_SECONDS", 30.0),
        push_retry_cap_seconds=_env_float("DVC_PUSH_RETRY_CAP_SECONDS", 3600.0),
        push_lease_seconds=_env_float("DVC_PUSH_LEASE_SECONDS", 60.0),
        push_poll_seconds=_env_float("DVC_PUSH_POLL_SECONDS", 0.2),
        push_timeout_seconds=_env_float("DVC_PUSH_TIMEOUT_SECONDS", 10.0),
        push_concurrency=int(_env_float("DVC_PUSH_CONCURRENCY", 200)),
        desk_hours=_env("DVC_DESK_HOURS", "07:30-11:30,13:30-17:00"),
        desk_days=_env("DVC_DESK_DAYS", "working"),
        session_hours=_env_float("DVC_SESSION_HOURS", 12.0),
        redis_url=_env("DVC_REDIS_URL", "") or None,
        log_format=_env("DVC_LOG_FORMAT", "text"),
        metrics_port=int(_env_float("DVC_METRICS_PORT", 0)),
        forwarded_allow_ips=_env("DVC_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )


def _default_vapid_subject() -> str:
    # Push services want a way to reach the operator: the public https address will do.
    public = _env("DVC_PUBLIC_URL", "")
    return public.rstrip("/") if public.startswith("https://") else "mailto:tro-ly-dvc@example.invalid"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
