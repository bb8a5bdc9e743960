"""Helpers to run the chatbot's processes (Rasa, action server) from the API's test suite."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.settings import ROOT
from tests.conftest import free_port
from tools.run_all import bot_env

BOT_BIN = ROOT / ".venv-bot" / "bin"
MODEL = ROOT / "bot" / "models" / "dvc.tar.gz"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_bot() -> None:
    """The chatbot's environment and trained model come from `make test`; skip clearly without them."""
    missing = [str(p.relative_to(ROOT)) for p in (BOT_BIN / "rasa", MODEL) if not p.exists()]
    if missing:
        message = f"chatbot not built ({', '.join(missing)} missing): run `make test`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BOT_BIN / "rasa"), *args], cwd=ROOT, env=bot_env(), capture_output=True, text=True, timeout=timeout
    )


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.5)


@contextlib.contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


@contextlib.contextmanager
def chatbot(api_url: str, workdir: Path, rasa_port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Action server and Rasa on free loopback ports; yields Rasa's URL and its process."""
    action_port, rasa_port = free_port(), rasa_port or free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    env = bot_env(DVC_API_URL=api_url)
    actions_cmd = [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "bot.actions", "-p", str(action_port)]
    rasa_cmd = [
        str(BOT_BIN / "rasa"), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(rasa_port),
        "--model", str(MODEL), "--endpoints", str(endpoints), "--credentials", "bot/credentials.yml",
    ]
    with process(actions_cmd, env, workdir / "actions.log") as actions_proc, process(
        rasa_cmd, env, workdir / "rasa.log"
    ) as rasa_proc:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions_proc, workdir / "actions.log", 60)
        wait_for(f"http://127.0.0.1:{rasa_port}/status", rasa_proc, workdir / "rasa.log", 180)
        yield f"http://127.0.0.1:{rasa_port}", rasa_proc
