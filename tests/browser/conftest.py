"""Real headless Chromium against the real server: Debian's `chromium` (which `.ci/run` installs)
driven by Playwright for Python. Without Chromium these tests skip with a message; in CI they fail."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.dossiers.forms import load_forms
from tests.bot.stack import IN_CI, MODEL, chatbot
from tests.conftest import ROOT, api_server, free_port
from tests.integration.test_dossiers_api import full_answers

CHROMIUM = os.environ.get("DVC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# Screenshots of every screen at 360×740: a test artifact, kept out of git.
SCREENS = Path(os.environ.get("DVC_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts")) / "screens"
KHAI_SINH = "1.001193"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CONTEXT = {**PHONE, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM:
        message = ("Chromium is not installed (Debian: `apt-get install chromium`, or set DVC_CHROMIUM): "
                   "the browser tests are skipped")
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def push_service(tmp_path_factory) -> Iterator[str]:
    """The local push service of the push tests, in its own process: the browser's push service."""
    log = tmp_path_factory.mktemp("push-service") / "push.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "tests/push_service.py"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=err, text=True)
        try:
            base = proc.stdout.readline().strip()
            assert base.startswith("http://127.0.0.1:"), log.read_text()
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory, chromium_path) -> Iterator[dict[str, str]]:
    """The API as `make run` starts it (SQLite, in-process push worker), with Rasa and the action
    server when the chatbot is built."""
    work = tmp_path_factory.mktemp("browser")
    rasa_port = free_port()
    have_bot = MODEL.exists() and (ROOT / ".venv-bot" / "bin" / "rasa").exists()
    env = {"DVC_RASA_URL": f"http://127.0.0.1:{rasa_port}"} if have_bot else {}
    env |= {"DVC_DESK_HOURS": "00:00-24:00", "DVC_DESK_DAYS": "all"}  # the desk is open whenever tests run
    with api_server(work, **env) as api_url:
        context = chatbot(api_url, work, rasa_port=rasa_port) if have_bot else contextlib.nullcontext()
        with context:
            yield {"url": api_url, "data_dir": str(work), "bot": "yes" if have_bot else ""}


# As root (containers, CI) Chromium needs --no-sandbox.
CHROMIUM_ARGS = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="module")  # stopped after each module: it holds the thread's event loop
def playwright(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Phone:
    """One citizen's phone: a fresh browser context at 360×740, console errors collected."""

    def __init__(self, browser, base_url: str, context=None) -> None:
        self.context = context or browser.new_context(base_url=base_url, **CONTEXT)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.set_default_timeout(15_000)

    def _console(self, msg) -> None:
        # API answers such as 422 or an off-line 503 are part of the flows under test; Chromium
        # logs each as "Failed to load resource". Script errors are what must never happen.
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"console: {msg.text}")

    def open(self, path: str = "/") -> None:
        self.page.goto(path)
        self.page.wait_for_selector("main h1")

    def screen(self, name: str) -> None:
        """Screenshot for the artifacts, then axe: WCAG 2.2 AA, no violation allowed."""
        SCREENS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
        assert_accessible(self.page, name)

    def wait_for_service_worker(self) -> None:
        self.page.wait_for_function("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)")


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]}}


def assert_accessible(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    report = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
              for v in violations]
    assert not violations, f"axe on {name}:\n" + "\n".join(report)


@pytest.fixture
def phone(browser, stack) -> Iterator[Phone]:
    device = Phone(browser, stack["url"])
    yield device
    device.context.close()
    assert not device.errors, device.errors


@pytest.fixture
def installed_phone(playwright, chromium_path, stack, tmp_path) -> Iterator[Phone]:
    """A phone with a real profile on disk: Chromium only installs apps outside incognito."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path, args=CHROMIUM_ARGS, base_url=stack["url"],
        **CONTEXT)
    device = Phone(None, stack["url"], context)
    yield device
    context.close()
    assert not device.errors, device.errors


def submitted_dossier(api_url: str) -> tuple[str, str]:
    answers = full_answers(load_forms()["dang-ky-khai-sinh"])
    created = httpx.post(f"{api_url}/api/drafts", json={"procedure_code": KHAI_SINH, "answers": answers}).json()
    done = httpx.post(f"{api_url}/api/drafts/{created['draft']['id']}/submit",
                      headers={"X-Resume-Token": created["resume_token"]},
                      json={"applicant_name": "Lê Thị Hoa", "phone": "0912345678", "delivery": "office"})
    assert done.status_code == 201, done.text
    return done.json()["dossier"]["code"], done.json()["tracking_token"]


@pytest.fixture(scope="session")
def volunteer(stack) -> dict[str, str]:
    """A desk account made with the documented command."""
    account = {"username": "lan", "password": "mat-khau-tinh-nguyen-vien", "name": "Chị Lan"}
    env = {**os.environ, "DVC_DATA_DIR": stack["data_dir"], "DVC_NEW_PASSWORD": account["password"]}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "api", "create-volunteer", account["username"], "--name",
                           account["name"], "--role", "admin"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return account


def send_agency_event(stack: dict[str, str], code: str, status: int, note: str | None = None) -> None:
    """The agency's one-stop system moves the dossier (signed with the agency's secret)."""
    port = stack["url"].rsplit(":", 1)[1]
    env = {**os.environ, "DVC_DATA_DIR": stack["data_dir"], "DVC_PORT": port}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "api", "send-agency-event", code, str(status)] + (["--note", note] if note else [])
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def new_subscription(push_service: str) -> dict:
    return httpx.post(f"{push_service}/_control/subscribers", params={"n": 1}).json()[0]


def receipts(push_service: str) -> list[dict]:
    return httpx.get(f"{push_service}/_control/receipts").json()["receipts"]


__all__ = ["Phone", "json", "new_subscription", "receipts", "send_agency_event", "submitted_dossier"]
