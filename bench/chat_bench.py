"""Chatbot figures: training time, /api/chat turn latency under 20 concurrent conversations,
and the Rasa server's memory.

    .venv/bin/python bench/chat_bench.py [--skip-training] [--conversations 20] [--turns 6]

Starts its own API (SQLite in a temporary directory), Rasa and action server on free
loopback ports, as `make run` does. Goals: training ≤ 5 min on this 2-core machine,
turn latency p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot.stack import BOT_BIN, bot_env, chatbot  # noqa: E402
from tests.conftest import api_server, free_port  # noqa: E402

CONVERSATIONS = [
    ["chào em", "mat bang lai xe may thi lam lai the nao", "mất bao lâu?", "nộp online được không?", "cảm ơn"],
    ["làm giấy khai sinh cần gì", "phí bao nhiêu?", "nộp ở đâu", "mất mấy ngày", "ok cảm ơn em"],
    ["muốn đăng ký tạm trú cho sinh viên", "cần giấy tờ gì", "lệ phí bn", "làm online dc ko"],
    ["đổi cccd hết hạn", "mất bao lâu vậy", "mức độ 4 là gì", "tạm biệt"],
    ["tra cứu hồ sơ", "000.00.53.H48-220921-0099", "0912345678", "cảm ơn"],
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def train(out: Path) -> float:
    import subprocess

    started = time.perf_counter()
    subprocess.run(
        [str(BOT_BIN / "rasa"), "train", "--config", "bot/config.yml", "--domain", "bot/domain", "--data",
         "nlu_data/train", "bot/data", "--out", str(out), "--force", "--quiet"],
        cwd=ROOT, env=bot_env(), check=True, capture_output=True,
    )
    return time.perf_counter() - started


async def conversation(
    client: httpx.AsyncClient, turns: list[str], samples: list[float], modes: list[str], think: float = 0.0
) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    rng = random.Random(sender)
    for message in turns:
        if think:  # a citizen reads the answer and types the next message on a phone
            await asyncio.sleep(rng.uniform(think / 2, think * 1.5))
        started = time.perf_counter()
        response = await client.post("/api/chat", json={"sender_id": sender, "message": message})
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        modes.append(response.json()["mode"])


async def load(api_url: str, conversations: int, rounds: int, think: float) -> tuple[list[float], list[str], float]:
    samples: list[float] = []
    modes: list[str] = []
    limits = httpx.Limits(max_connections=conversations)
    async with httpx.AsyncClient(base_url=api_url, timeout=30, limits=limits) as client:
        await conversation(client, CONVERSATIONS[0], [], [])  # warm-up
        started = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(
                conversation(client, CONVERSATIONS[i % len(CONVERSATIONS)], samples, modes, think)
                for i in range(conversations)
            ))
        elapsed = time.perf_counter() - started
    return samples, modes, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between a citizen's turns")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_training:
            seconds = train(work / "models")
            print(f"training (rasa train --force, NLU + core): {seconds / 60:.1f} min ({seconds:.0f} s)")
        rasa_port = free_port()
        with api_server(work, DVC_RASA_URL=f"http://127.0.0.1:{rasa_port}") as api_url:
            with chatbot(api_url, work, rasa_port=rasa_port) as (_url, rasa_proc):
                print(f"Rasa server memory after start: {rss_mb(rasa_proc.pid):.0f} MB RSS")
                for think in (args.think, 0.0):
                    samples, modes, elapsed = asyncio.run(load(api_url, args.conversations, args.rounds, think))
                    qs = statistics.quantiles(samples, n=100)
                    print(
                        f"/api/chat, {args.conversations} concurrent conversations, "
                        f"{'%.0f s between turns' % think if think else 'no pause between turns (saturation)'}: "
                        f"{len(samples)} turns in {elapsed:.1f} s ({len(samples) / elapsed:.1f} turns/s); "
                        f"p50 {qs[49]:.0f} ms, p95 {qs[94]:.0f} ms, p99 {qs[98]:.0f} ms; "
                        f"limited-mode answers: {modes.count('limited')}"
                    )
                print(f"Rasa server memory after the load: {rss_mb(rasa_proc.pid):.0f} MB RSS")


if __name__ == "__main__":
    main()
