"""The production processes of docker/compose.yml, started on this machine (no Docker engine):
two API instances, two push workers, two Rasa replicas (tracker store in PostgreSQL, lock
store in Redis, from docker/rasa-endpoints.yml) and the action server, against the local
PostgreSQL and Redis; plus a load generator that spreads requests over the API instances as
the proxy does, and checks that no request failed and every notification arrived once.

Used by tests/deploy/test_production_processes.py (short) and bench/deploy_bench.py (long).
One setting differs from production: DVC_ENV stays "development", because the local push
service that plays FCM/Mozilla speaks plain http on loopback, which production refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.dossiers.integration import sign
from api.settings import ROOT
from tests.bot.stack import BOT_BIN, MODEL, process, wait_for
from tests.conftest import PG_URL, _pg_admin, free_port
from tools.run_all import bot_env

SEARCHES = ["lam lai can cuoc", "đăng ký khai sinh", "cap lai gplx", "xin phieu ly lich tu phap",
            "dang ky tam tru", "giấy phép xây dựng", "đăng ký kết hôn", "doi bang lai xe"]
PROCEDURES = ["1.001193", "3.000348", "3.000333", "1.000894", "1.004222", "1.013226"]
CHATS = ["làm giấy khai sinh cần gì", "phí bao nhiêu", "mat bang lai xe thi lam sao", "nộp online được không",
         "đăng ký thường trú cần giấy tờ gì", "cảm ơn em"]
DEVICES_PER_DOSSIER = 3


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Cluster:
    work: Path
    with_rasa: bool = True
    api_urls: list[str] = field(default_factory=list)
    worker_metrics: list[str] = field(default_factory=list)
    push_service: str = ""
    agency_code: str = "000.00.99.H99"
    agency_secret: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def running(self) -> Iterator[Cluster]:
        tag = uuid.uuid4().hex[:8]
        db, rasa_db = f"dvc_cluster_{tag}", f"rasa_cluster_{tag}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{db}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{rasa_db}"'))
        base_pg = PG_URL.rsplit("/", 1)[0]
        rasa_ports = [free_port(), free_port()]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DVC_") and k != "DATABASE_URL"},
            "DATABASE_URL": f"{base_pg}/{db}",
            "DVC_DATA_DIR": str(self.work / "data"),  # uploads and the VAPID key, shared as a volume would be
            "DVC_PUSH_WORKER": "off",
            "DVC_REDIS_URL": "redis://127.0.0.1:6379/0",
            "DVC_LOG_FORMAT": "json",
            "DVC_RASA_URLS": ",".join(f"http://127.0.0.1:{p}" for p in rasa_ports),
            "DVC_PUBLIC_URL": "https://dichvucong.example.gov.vn",
            "DVC_VAPID_SUBJECT": "mailto:quan-tri@example.gov.vn",
            "DVC_PUSH_POLL_SECONDS": "0.1",
        }
        try:
            with contextlib.ExitStack() as stack:
                self._run(["python", "-m", "api", "setup", "--no-demo-agency"])
                printed = self._run(["python", "-m", "api", "register-agency", self.agency_code,
                                     "Bộ phận một cửa (cụm thử)"])
                self.agency_secret = re.search(r"\): (\S+)", printed).group(1)
                self.push_service = stack.enter_context(self._push_service())
                for i in range(2):
                    port = free_port()
                    stack.enter_context(self._process(f"api-{i}", [sys.executable, "-m", "api", "serve", "--port",
                                                                   str(port)]))
                    self.api_urls.append(f"http://127.0.0.1:{port}")
                for i in range(2):
                    port = free_port()
                    stack.enter_context(self._process(f"worker-{i}", [sys.executable, "-m", "api", "push-worker"],
                                                      DVC_METRICS_PORT=str(port)))
                    self.worker_metrics.append(f"http://127.0.0.1:{port}/metrics")
                if self.with_rasa:
                    self._start_bot(stack, rasa_ports, rasa_db)
                for url in self.api_urls:
                    self._wait(f"{url}/health/ready", 90)
                yield self
        finally:
            time.sleep(0.5)
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{rasa_db}" WITH (FORCE)'))

    def _run(self, cmd: list[str]) -> str:
        done = subprocess.run([sys.executable, *cmd[1:]], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    @contextlib.contextmanager
    def _process(self, name: str, cmd: list[str], **extra: str) -> Iterator[subprocess.Popen]:
        with process(cmd, {**self.env, **extra}, self.work / f"{name}.log") as proc:
            yield proc

    @contextlib.contextmanager
    def _push_service(self) -> Iterator[str]:
        proc = subprocess.Popen([sys.executable, "tests/push_service.py", "--defer-decrypt"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            yield proc.stdout.readline().strip()
        finally:
            proc.terminate()
            proc.wait(10)

    def _start_bot(self, stack: contextlib.ExitStack, rasa_ports: list[int], rasa_db: str) -> None:
        action_port = free_port()
        rasa_env = bot_env(
            DVC_API_URL=self.api_urls[0],
            RASA_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
            RASA_DB_HOST="127.0.0.1", RASA_DB_NAME=rasa_db, RASA_DB_USER="postgres",
            RASA_DB_PASSWORD="", RASA_REDIS_HOST="127.0.0.1",
        )
        rasa_env.pop("DATABASE_URL", None)
        stack.enter_context(process([str(BOT_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "-p",
                                     str(action_port)], rasa_env, self.work / "actions.log"))
        procs = []
        for i, port in enumerate(rasa_ports):
            # The very endpoints file the containers use.
            cmd = [str(BOT_BIN / "rasa"), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "--model",
                   str(MODEL), "--endpoints", "docker/rasa-endpoints.yml", "--credentials", "bot/credentials.yml"]
            procs.append((stack.enter_context(process(cmd, rasa_env, self.work / f"rasa-{i}.log")), port, i))
        wait_for(f"http://127.0.0.1:{action_port}/health", procs[0][0], self.work / "actions.log", 60)
        for proc, port, i in procs:
            wait_for(f"http://127.0.0.1:{port}/status", proc, self.work / f"rasa-{i}.log", 240)

    def _wait(self, url: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in self.work.glob("*.log"))
        raise RuntimeError(f"{url} not ready:\n{logs}")


@dataclass
class LoadReport:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    per_instance: Counter = field(default_factory=Counter)
    chat_modes: Counter = field(default_factory=Counter)
    submitted: int = 0
    dossiers: int = 0
    expected_notifications: int = 0
    delivered: int = 0
    duplicates: int = 0
    push_delays: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def summary(self) -> str:
        lines = [f"{self.requests:,} requests in {self.seconds:.0f} s = {self.requests / self.seconds:.0f}/s over "
                 f"{len(self.per_instance)} API instances {dict(self.per_instance)}; failed: {len(self.failures)}"]
        for kind, values in sorted(self.latencies.items()):
            lines.append(f"  {kind:<10} {len(values):>6,}  p50 {statistics.median(values) * 1000:6.0f} ms  "
                         f"p95 {pct(values, .95) * 1000:6.0f} ms")
        lines.append(f"  chat answered by: {dict(self.chat_modes)}")
        lines.append(f"  {self.submitted} dossiers submitted, {self.dossiers} followed by {DEVICES_PER_DOSSIER} "
                     f"devices each and moved by the agency; notifications: expected "
                     f"{self.expected_notifications}, delivered {self.delivered}, sent twice {self.duplicates}; "
                     f"delay change → push service p50 {statistics.median(self.push_delays) * 1000:.0f} ms, "
                     f"p95 {pct(self.push_delays, .95) * 1000:.0f} ms" if self.push_delays else "  no notifications")
        return "\n".join(lines)


async def load(cluster: Cluster, seconds: float, concurrency: int, with_chat: bool = True) -> LoadReport:
    """Requests as citizens make them, round robin over the API instances (as the proxy does)."""
    from api.dossiers.forms import load_forms
    from tests.integration.test_dossiers_api import full_answers

    report = LoadReport(seconds)
    client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="10.255.0.1")
    rng_ip = random.Random(seconds)
    answers = full_answers(load_forms()["dang-ky-khai-sinh"])
    subscribers: list[dict] = []
    changes: dict[str, float] = {}
    turn = 0
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        subscribers = (await http.post(f"{cluster.push_service}/_control/subscribers",
                                       params={"n": 1000 * DEVICES_PER_DOSSIER})).json()

        def instance() -> str:
            nonlocal turn
            turn += 1
            url = cluster.api_urls[turn % len(cluster.api_urls)]
            report.per_instance[url.rsplit(":", 1)[1]] += 1
            return url

        async def call(kind: str, method: str, path: str, **kw) -> httpx.Response | None:
            # The proxy names the citizen in X-Forwarded-For (per-client limits count citizens, not it).
            kw["headers"] = {**kw.get("headers", {}), "X-Forwarded-For": client_ip.get()}
            started = time.perf_counter()
            try:
                response = await http.request(method, instance() + path, **kw)
            except httpx.HTTPError as exc:
                report.failures.append(f"{kind} {path}: {type(exc).__name__}")
                return None
            report.latencies[kind].append(time.perf_counter() - started)
            if response.status_code >= 400:
                report.failures.append(f"{kind} {path}: {response.status_code} {response.text[:120]}")
            return response

        async def dossier_flow() -> None:
            draft = await call("draft", "POST", "/api/drafts", json={"procedure_code": "1.001193", "answers": answers})
            if draft is None or draft.status_code != 201:
                return
            d = draft.json()
            done = await call("submit", "POST", f"/api/drafts/{d['draft']['id']}/submit",
                              headers={"X-Resume-Token": d["resume_token"]},
                              json={"applicant_name": "Lê Thị Hoa", "phone": "0912345678", "delivery": "office"})
            if done is None or done.status_code != 201:
                return
            report.submitted += 1
            code, token = done.json()["dossier"]["code"], done.json()["tracking_token"]
            for _ in range(DEVICES_PER_DOSSIER):
                if not subscribers:
                    return
                sub = subscribers.pop()
                await call("subscribe", "POST", "/api/push/subscriptions",
                           json={"subscription": sub, "dossier_code": code, "tracking_token": token})
            body = json.dumps({"event_id": f"{code}-2", "dossier_code": code, "status": 2}).encode()
            ts = str(int(time.time()))
            headers = {"X-Agency-Code": cluster.agency_code, "X-Timestamp": ts, "Content-Type": "application/json",
                       "X-Signature": sign(cluster.agency_secret, ts, body)}
            changes[code] = time.time()
            moved = await call("event", "POST", "/api/integrations/dossier-events", content=body, headers=headers)
            if moved is not None and moved.status_code == 200:
                report.dossiers += 1
                report.expected_notifications += DEVICES_PER_DOSSIER
            await call("track", "GET", f"/api/dossiers/{code}", headers={"X-Tracking-Token": token})

        async def citizen(n: int, deadline: float) -> None:
            client_ip.set(f"10.{n // 250}.{n % 250}.{rng_ip.randint(1, 250)}")
            rng = random.Random(n)
            sender = f"load-{n}-{uuid.uuid4().hex[:6]}"
            while time.monotonic() < deadline:
                roll = rng.random()
                if roll < 0.35:
                    await call("search", "GET", "/api/procedures", params={"q": rng.choice(SEARCHES)})
                elif roll < 0.55:
                    await call("detail", "GET", f"/api/procedures/{rng.choice(PROCEDURES)}")
                elif roll < 0.75 and with_chat:
                    response = await call("chat", "POST", "/api/chat",
                                          json={"sender_id": sender, "message": rng.choice(CHATS)})
                    if response is not None and response.status_code == 200:
                        report.chat_modes[response.json()["mode"]] += 1
                elif roll < 0.85:
                    await call("shell", "GET", "/")
                else:
                    await dossier_flow()
                await asyncio.sleep(rng.uniform(0.0, 0.05))

        deadline = time.monotonic() + seconds
        await asyncio.gather(*(citizen(i, deadline) for i in range(concurrency)))
        # Every notification must arrive, once: wait for the workers to drain the outbox.
        wait_until = time.monotonic() + 60
        while time.monotonic() < wait_until:
            count = (await http.get(f"{cluster.push_service}/_control/count")).json()["receipts"]
            if count >= report.expected_notifications:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # anything sent twice would arrive now
        got = (await http.get(f"{cluster.push_service}/_control/receipts", timeout=120)).json()["receipts"]
    seen = Counter((r["subscriber"], r["payload"]["code"], r["payload"]["status"]) for r in got)
    report.delivered = len(seen)
    report.duplicates = sum(n - 1 for n in seen.values())
    report.push_delays = [r["at"] - changes[r["payload"]["code"]] for r in got if r["payload"]["code"] in changes]
    return report
