"""Start the whole assistant on one machine: action server, Rasa and the API.

    .venv/bin/python tools/run_all.py        (what `make run` does after setting up)

Each process listens on loopback only: the API on :8000 (the one public door), Rasa on
:5005 (REST channel and HTTP API for the API's eyes only) and the action server on :5055.
Ctrl-C, or any of them stopping, stops all three.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / ".venv-bot" / "bin"
MODEL = ROOT / "bot" / "models" / "dvc.tar.gz"


def bot_env(**extra: str) -> dict[str, str]:
    """The environment Rasa and the action server run in (also used by the tests)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",  # the action server's interface
        "DVC_API_URL": os.environ.get("DVC_API_URL", f"http://127.0.0.1:{os.environ.get('DVC_PORT', '8000')}"),
        **extra,
    }


def commands() -> list[tuple[str, list[str], dict[str, str]]]:
    rasa = [
        str(BOT / "rasa"), "run", "--enable-api", "-i", "127.0.0.1", "-p", "5005",
        "--model", str(MODEL), "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
    ]
    actions = [str(BOT / "rasa"), "run", "actions", "--actions", "bot.actions", "-p", "5055"]
    api = [sys.executable, "-m", "api", "serve"]
    return [("actions", actions, bot_env()), ("rasa", rasa, bot_env()), ("api", api, dict(os.environ))]


def main() -> int:
    if not MODEL.exists():
        print("Chưa có mô hình chatbot: chạy `make run` để huấn luyện.", file=sys.stderr)
        return 1
    procs: list[tuple[str, subprocess.Popen]] = []
    for name, cmd, env in commands():
        procs.append((name, subprocess.Popen(cmd, cwd=ROOT, env=env)))
    print("Trợ lý DVC: http://127.0.0.1:8000 (trợ lý sẵn sàng sau khoảng 30 giây). Ctrl-C để dừng.", flush=True)
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"{name} đã dừng (mã {proc.returncode}); dừng các tiến trình còn lại.", file=sys.stderr)
                code, stopping = proc.returncode or 1, True
        time.sleep(0.5)
    for _name, proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for _name, proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
