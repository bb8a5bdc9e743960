"""Shared fixtures: databases on SQLite and PostgreSQL, the app, a live server.

Tests that take ``db_settings`` or ``client`` run once on SQLite and once on
PostgreSQL (127.0.0.1:5432, database ``test``, each run in a schema of its own).
Without a reachable PostgreSQL the PostgreSQL half is skipped on a developer's
machine and fails in CI (CI=true), where it must run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from api.settings import ROOT, Settings, load_settings

PG_URL = os.environ.get("DVC_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CATALOG_DIR = ROOT / "data" / "catalog"
NO_RASA = "http://127.0.0.1:9"  # the discard port: connections are refused at once


def pg_reachable() -> bool:
    with contextlib.suppress(OSError):
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    return False


def require_pg() -> None:
    if not pg_reachable():
        if IN_CI:
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable; CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable on this machine")


def _settings(database_url: str, data_dir: Path, schema: str | None = None) -> Settings:
    base = load_settings()
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        catalog_dir=CATALOG_DIR,
        db_schema=schema,
        catalog_refresh_seconds=0.2,  # tests see another process's imports quickly
        rasa_url=NO_RASA,  # a developer's running Rasa must not answer the tests by accident
        push_worker="off",  # push tests run their own worker against a local push service
        debug=False,
        host=base.host,
        port=base.port,
    )


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def make_database(backend: str, tmp: Path, *, catalog: bool) -> AsyncIterator[Settings]:
    """A new, migrated database (and optionally the shipped catalog), dropped afterwards."""
    from api.db.engine import create_engine, session_factory
    from api.db.migrate import upgrade
    from api.procedures.importer import import_records, iter_raw

    schema = None
    if backend == "sqlite":
        settings = _settings(f"sqlite+aiosqlite:///{tmp / f'{uuid.uuid4().hex}.sqlite3'}", tmp)
    else:
        require_pg()
        schema = f"dvc_test_{uuid.uuid4().hex[:12]}"
        await _pg_admin(f'CREATE SCHEMA "{schema}"')
        settings = _settings(PG_URL, tmp, schema)
    engine = create_engine(settings)
    try:
        await upgrade(engine)
        if catalog:
            report = await import_records(session_factory(engine), iter_raw(CATALOG_DIR))
            assert not report.problems, report.problems
        yield settings
    finally:
        await engine.dispose()
        if schema:
            await _pg_admin(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
async def db_settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Settings]:
    async with make_database(backend, tmp_path_factory.mktemp(backend), catalog=True) as settings:
        yield settings


@pytest.fixture
async def fresh_db(backend: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """An empty migrated database of its own, for tests that change the catalog."""
    async with make_database(backend, tmp_path, catalog=False) as settings:
        yield settings


@pytest.fixture(scope="session")
async def client(db_settings: Settings) -> AsyncIterator[AsyncTestClient]:
    from api.app import create_app

    async with AsyncTestClient(app=create_app(db_settings)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def api_server(data_dir: Path, port: int | None = None, **env_extra: str) -> Iterator[str]:
    """The real server (``python -m api setup`` then ``serve``) on SQLite, as ``make run`` starts it."""
    port = port or free_port()
    env = {**os.environ, "DVC_DATA_DIR": str(data_dir), "DVC_PORT": str(port), "DVC_RASA_URL": NO_RASA, **env_extra}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "api", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = open(data_dir / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with api_server(tmp_path_factory.mktemp("live")) as base:
        yield base


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Keep the PostgreSQL half together after the SQLite half (one database set-up each);
    # the browser tests last: Playwright's sync API runs an event loop of its own in this thread.
    items.sort(key=lambda item: (item.nodeid.startswith("tests/browser/"), "[postgres" in item.nodeid))


__all__ = ["asyncio", "make_database", "require_pg"]
