"""Search at national scale: import 70,000 procedures, build the index, measure query latency.

    .venv/bin/python bench/search_bench.py [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Figures printed: import time (goal ≤ 60 s), index build time and size, search latency
p50/p95/p99 in process and over HTTP through the real server (goal p95 ≤ 20 ms), and
relevance on the labelled query set against the scaled catalog.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.db.engine import create_engine, session_factory  # noqa: E402
from api.db.migrate import upgrade  # noqa: E402
from api.procedures.importer import import_records, iter_raw  # noqa: E402
from api.procedures.service import CatalogIndex  # noqa: E402
from api.settings import Settings, load_settings  # noqa: E402
from bench.catalog_scale import write_jsonl  # noqa: E402
from bench.relevance_bench import evaluate, load_queries, report  # noqa: E402

WORK = ROOT / "var" / "bench"


def percentiles(samples_ms: list[float]) -> str:
    qs = statistics.quantiles(samples_ms, n=100)
    return f"p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms, p99 {qs[98]:.2f} ms (n={len(samples_ms)})"


async def prepare(settings: Settings, catalog: Path) -> CatalogIndex:
    engine = create_engine(settings)
    await upgrade(engine)
    sessions = session_factory(engine)
    started = time.perf_counter()
    rep = await import_records(sessions, iter_raw(catalog))
    print(f"import: {rep.inserted} procedures in {time.perf_counter() - started:.1f} s ({rep.summary()})")
    started = time.perf_counter()
    again = await import_records(sessions, iter_raw(catalog))
    print(f"re-import (unchanged): {time.perf_counter() - started:.1f} s ({again.summary()})")
    index = CatalogIndex()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    await index.refresh(sessions, force=True)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"index build: {index.index.n} procedures, {index.build_seconds:.1f} s, "
        f"{len(index.index.postings)} terms, peak RSS +{(rss_after - rss_before) / 1024:.0f} MB"
    )
    await engine.dispose()
    return index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_latency(settings: Settings, queries: list[str], rounds: int) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url, "DVC_PORT": str(port)}
    if settings.db_schema:
        env["DVC_DB_SCHEMA"] = settings.db_schema
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not become ready")
                time.sleep(0.3)
            for q in queries[:20]:  # warm-up
                client.get("/api/procedures", params={"q": q})
            samples = []
            for _ in range(rounds):
                for q in queries:
                    t = time.perf_counter()
                    r = client.get("/api/procedures", params={"q": q, "limit": 10})
                    samples.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200
        print(f"search over HTTP (uvicorn, 1 worker, sequential): {percentiles(samples)}")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="default: a fresh SQLite file under var/bench")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    catalog = WORK / "catalog-70k.jsonl"
    started = time.perf_counter()
    count = write_jsonl(catalog)
    print(f"generated {count} procedures in {time.perf_counter() - started:.1f} s")

    base = load_settings()
    schema = None
    url = args.database_url or f"sqlite+aiosqlite:///{WORK / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        import asyncpg

        schema = f"dvc_bench_{uuid.uuid4().hex[:8]}"

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            await conn.execute(sql)
            await conn.close()

        asyncio.run(admin(f'CREATE SCHEMA "{schema}"'))
    settings = Settings(data_dir=WORK, database_url=url, catalog_dir=base.catalog_dir, db_schema=schema)
    print(f"database: {url.split('@')[-1]}" + (f" schema {schema}" if schema else ""))
    try:
        index = asyncio.run(prepare(settings, catalog))
        labelled = load_queries()
        queries = [q for q, _, _ in labelled]
        samples = []
        for _ in range(args.rounds):
            for q in queries:
                t = time.perf_counter()
                index.search(q, limit=10, offset=0)
                samples.append((time.perf_counter() - t) * 1000)
        print(f"search in process: {percentiles(samples)}")
        http_latency(settings, queries, args.rounds)
        report(evaluate(index.index, labelled), "relevance on the 70,000-procedure catalog")
    finally:
        if schema:
            asyncio.run(admin(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
