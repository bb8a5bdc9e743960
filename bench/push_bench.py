"""Web Push figures, against the local push service of the tests (which checks every VAPID token,
requires TTL and decrypts every message, as a real push service and browser would):

1. throughput: 100 status changes, each fanned out to 100 devices (10,000 subscriptions), from the
   first change to the last message received — goal ≥ 1,500 notifications/s — and, in the same run,
   a plain ``pywebpush.webpush()`` loop (one request at a time, a new connection and a new VAPID
   signature each) over the same kind of subscription;
2. delay: 100 status changes per second sent to the API as signed agency events, each dossier
   followed by one device — p95 from sending the change to the push service's receipt, goal ≤ 1 s.

    .venv/bin/python bench/push_bench.py [--db sqlite|postgres|both] [--seconds 20]

SQLite runs the worker inside the API process (``make run``); PostgreSQL runs it as its own
process (``python -m api push-worker``), as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from api.db.base import utcnow  # noqa: E402
from api.db.engine import create_engine, session_factory  # noqa: E402
from api.db.migrate import upgrade  # noqa: E402
from api.dossiers.calendar import WorkCalendar  # noqa: E402
from api.dossiers.integration import new_secret, sign  # noqa: E402
from api.dossiers.models import Agency, Dossier  # noqa: E402
from api.dossiers.service import AgencyEvent, DossierService  # noqa: E402
from api.push.models import PushFollow, PushSubscription  # noqa: E402
from api.push.vapid import load_or_create  # noqa: E402
from api.settings import Settings  # noqa: E402
from tests.conftest import PG_URL, _pg_admin, free_port, pg_reachable  # noqa: E402

AGENCY = "000.00.99.T99"


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Env:
    """A fresh database (SQLite file or PostgreSQL schema) and data directory for one measurement."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.dir = Path(tempfile.mkdtemp(prefix=f"push-bench-{db}-"))
        self.schema = f"push_bench_{uuid.uuid4().hex[:8]}" if db == "postgres" else None
        url = PG_URL if db == "postgres" else f"sqlite+aiosqlite:///{self.dir / 'dvc.sqlite3'}"
        self.settings = Settings(data_dir=self.dir, database_url=url, catalog_dir=ROOT / "data" / "catalog",
                                 db_schema=self.schema, push_worker="off")
        self.env = {**os.environ, "DATABASE_URL": url, "DVC_DATA_DIR": str(self.dir), "DVC_RASA_URL": "http://127.0.0.1:9"}
        if self.schema:
            self.env["DVC_DB_SCHEMA"] = self.schema
        self.secret = new_secret()

    async def __aenter__(self) -> Env:
        if self.schema:
            await _pg_admin(f'CREATE SCHEMA "{self.schema}"')
        self.engine = create_engine(self.settings)
        await upgrade(self.engine)
        self.sessions = session_factory(self.engine)
        load_or_create(self.dir)  # the key the worker and the API will share
        async with self.sessions() as s, s.begin():
            s.add(Agency(code=AGENCY, name="Bộ phận một cửa (đo hiệu năng)", secret=self.secret))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.engine.dispose()
        if self.schema:
            await _pg_admin(f'DROP SCHEMA "{self.schema}" CASCADE')

    async def dossiers_with_devices(self, push_base: str, dossiers: int, devices_each: int) -> list[str]:
        async with httpx.AsyncClient(timeout=60) as http:
            subs = (await http.post(f"{push_base}/_control/subscribers", params={"n": dossiers * devices_each})).json()
        codes = [f"{AGENCY}-261125-{i:04d}" for i in range(dossiers)]
        async with self.sessions() as s, s.begin():
            await s.execute(insert(Dossier), [
                {"code": code, "agency_code": AGENCY, "procedure_code": "bench", "procedure_name": "Đo hiệu năng",
                 "status": 1, "received_at": utcnow(), "delivery": "office", "applicant_name": "Người thử",
                 "phone": "0912345678", "tracking_token_hash": "0" * 64, "answers": {}} for code in codes])
            await s.execute(insert(PushSubscription), [
                {"endpoint": sub["endpoint"], "p256dh": sub["keys"]["p256dh"], "auth": sub["keys"]["auth"]}
                for sub in subs])
            dossier_ids = dict((await s.execute(select(Dossier.code, Dossier.id))).all())
            sub_ids = dict((await s.execute(select(PushSubscription.endpoint, PushSubscription.id))).all())
            await s.execute(insert(PushFollow), [
                {"subscription_id": sub_ids[sub["endpoint"]], "dossier_id": dossier_ids[codes[n // devices_each]]}
                for n, sub in enumerate(subs)])
        return codes

    def process(self, *args: str, log: str, **env: str) -> subprocess.Popen:
        out = open(self.dir / log, "ab")  # noqa: SIM115 - the child writes to it
        return subprocess.Popen([sys.executable, "-m", "api", *args], cwd=ROOT, env={**self.env, **env},
                                stdout=out, stderr=out)


@contextlib.contextmanager
def push_service():
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "push_service.py"), "--defer-decrypt"],
                            stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(10)


async def receipts(base: str) -> dict:
    async with httpx.AsyncClient(timeout=60) as http:
        return (await http.get(f"{base}/_control/receipts")).json()


async def wait_for(base: str, count: int, timeout: float) -> None:
    """Poll the (cheap) count until ``count`` messages arrived or ``timeout`` passed."""
    deadline = time.time() + timeout
    async with httpx.AsyncClient(timeout=10) as http:
        while time.time() < deadline:
            if (await http.get(f"{base}/_control/count")).json()["receipts"] >= count:
                return
            await asyncio.sleep(0.25)


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- 1. throughput ---------------------------------------------------------------------------------

async def throughput(db: str, workers: int) -> float:
    with push_service() as base:
        async with Env(db) as env:
            codes = await env.dossiers_with_devices(base, 100, 100)
            procs = [env.process("push-worker", log=f"worker{i}.log") for i in range(workers)]
            await asyncio.sleep(3)  # started and polling
            agency = await _agency(env)
            started = time.time()
            for code in codes:  # each change in its own transaction, as agency events arrive
                async with env.sessions() as s, s.begin():
                    await DossierService(s, None, WorkCalendar.from_settings()).apply_agency_event(
                        agency, AgencyEvent(event_id=f"{code}-2", dossier_code=code, status=2))
            enqueued = time.time() - started
            await wait_for(base, 10_000, 300)
            got = await receipts(base)
            if len(got["receipts"]) < 10_000:
                raise RuntimeError(f"only {len(got['receipts'])} of 10,000 arrived: {got['rejected']}")
            stop(*procs)
            last = max(r["at"] for r in got["receipts"])
            rate = 10_000 / (last - started)
            sent_twice = len(got["receipts"]) - len({r["subscriber"] for r in got["receipts"]})
            print(f"  {db:8} {workers} worker process(es): 10,000 notifications in {last - started:.2f} s "
                  f"= {rate:,.0f}/s (status changes committed in {enqueued:.2f} s; "
                  f"rejected {len(got['rejected'])}, sent twice {sent_twice})")
            return rate


async def _agency(env: Env) -> Agency:
    async with env.sessions() as s:
        return (await s.execute(select(Agency).where(Agency.code == AGENCY))).scalar_one()


def plain_loop(count: int) -> float:
    """The baseline: pywebpush.webpush() called once per subscription, one after another."""
    from pywebpush import webpush

    with push_service() as base:
        subs = httpx.post(f"{base}/_control/subscribers", params={"n": count}, timeout=60).json()
        directory = Path(tempfile.mkdtemp(prefix="push-bench-plain-"))
        vapid = load_or_create(directory)
        body = json.dumps({"title": "Hồ sơ thử", "body": "Được tiếp nhận.", "url": "/"}, ensure_ascii=False)
        started = time.time()
        for sub in subs:
            webpush(sub, body, vapid_private_key=vapid, vapid_claims={"sub": "mailto:tro-ly-dvc@example.invalid"},
                    ttl=259200)
        took = time.time() - started
        got = httpx.get(f"{base}/_control/receipts", timeout=60).json()
        assert len(got["receipts"]) == count, got["rejected"]
    rate = count / took
    print(f"  plain pywebpush.webpush() loop: {count:,} notifications in {took:.2f} s = {rate:,.0f}/s")
    return rate


# -- 2. delay at 100 changes per second ------------------------------------------------------------

async def delay(db: str, seconds: int, rate: int, api_workers: int = 1) -> list[float]:
    changes = seconds * rate
    with push_service() as base:
        async with Env(db) as env:
            codes = await env.dossiers_with_devices(base, changes, 1)
            port = free_port()
            extra = {"DVC_PORT": str(port), "DVC_PUSH_WORKER": "in-process" if db == "sqlite" else "off",
                     "DVC_API_WORKERS": str(api_workers),
                     **({"DVC_PUSH_WORKER": "off"} if os.environ.get("BENCH_NO_WORKER") else {})}
            procs = [env.process("serve", log="api.log", **extra)]
            if db == "postgres":
                procs.append(env.process("push-worker", log="worker.log"))
            api = f"http://127.0.0.1:{port}"
            try:
                await _wait_healthy(api)
                sent: dict[str, float] = {}
                answered: dict[str, float] = {}
                async with httpx.AsyncClient(base_url=api, timeout=30,
                                             limits=httpx.Limits(max_connections=50)) as http:
                    async def change(code: str) -> None:
                        body = json.dumps({"event_id": f"{code}-2", "dossier_code": code, "status": 2}).encode()
                        ts = str(int(time.time()))
                        headers = {"X-Agency-Code": AGENCY, "X-Timestamp": ts, "Content-Type": "application/json",
                                   "X-Signature": sign(env.secret, ts, body)}
                        sent[code] = time.time()
                        for attempt in range(3):  # a kept-alive connection the server just closed
                            try:
                                response = await http.post("/api/integrations/dossier-events", content=body,
                                                           headers=headers)
                                break
                            except httpx.TransportError:
                                if attempt == 2:
                                    raise
                        response.raise_for_status()
                        answered[code] = time.time()

                    tasks = []
                    start = time.perf_counter()
                    for i, code in enumerate(codes):  # an open-loop schedule: 100 per second whatever happens
                        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
                        tasks.append(asyncio.create_task(change(code)))
                    await asyncio.gather(*tasks)
                    await wait_for(base, changes, 60)
                    got = await receipts(base)
            finally:
                stop(*procs)
    arrived = {r["payload"]["code"]: r["at"] for r in got["receipts"]}
    delays = [arrived[c] - sent[c] for c in codes if c in arrived]
    lost = changes - len(delays)
    api = [answered[c] - sent[c] for c in codes if c in answered]
    if not delays:
        print(f"  {db:8} nothing delivered; the API answered in p50 {p(api, .5) * 1000:.0f} ms, "
              f"p95 {p(api, .95) * 1000:.0f} ms")
        return delays
    print(f"  {db:8} {api_workers} API process(es), {rate} changes/s for {seconds} s ({changes:,} changes): delay p50 {p(delays, .5) * 1000:.0f} ms, "
          f"p95 {p(delays, .95) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms; not delivered: {lost} "
          f"(the API answered the change in p50 {p(api, .5) * 1000:.0f} ms, p95 {p(api, .95) * 1000:.0f} ms)")
    return delays


async def _wait_healthy(api: str) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{api}/health")).status_code in (200, 503):
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError("the API did not start")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--plain", type=int, default=1000, help="notifications sent by the plain loop")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_reachable():
        print("PostgreSQL is not reachable at 127.0.0.1:5432: measuring SQLite only")
        dbs.remove("postgres")
    print("1. Throughput, 10,000 subscriptions (goal ≥ 1,500/s)")
    for db in dbs:
        await throughput(db, 1)
    if "postgres" in dbs:
        await throughput("postgres", 2)
    await asyncio.to_thread(plain_loop, args.plain)
    print("2. Delay from a status change to the push service, 100 changes/s (goal p95 ≤ 1 s), and 50/s")
    for db in dbs:
        for rate in (100, 50):
            await delay(db, args.seconds, rate)


if __name__ == "__main__":
    asyncio.run(main())
