"""The web app's figures: first-load weight (JS + CSS gzipped) and Lighthouse on a phone.

    .venv/bin/python bench/pwa_bench.py [--runs 3]

Starts its own API (SQLite in a temporary directory) as `make run` does, installs
Lighthouse 12 from the npm registry into var/lighthouse/ the first time (12.2.3: the last
release that runs on Node 20), and runs it against Debian's chromium (CHROME_PATH) with the
default mobile profile (Moto G Power, slow 4G, 4× CPU slowdown) on the main screens.
Goals: JS + CSS ≤ 150 KB gzipped; performance ≥ 90, accessibility ≥ 95, best practices ≥ 95.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import api_server  # noqa: E402

LIGHTHOUSE = "12.2.3"
TOOL_DIR = ROOT / "var" / "lighthouse"
CLI = TOOL_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
SCREENS = {
    "Trò chuyện": "/",
    "Tìm thủ tục": "/#/thu-tuc?q=lam%20lai%20can%20cuoc",
    "Chi tiết thủ tục": "/#/thu-tuc/1.001193",
    "Hồ sơ của tôi": "/#/ho-so",
}
CATEGORIES = ("performance", "accessibility", "best-practices")
GOALS = {"performance": 90, "accessibility": 95, "best-practices": 95}


def first_load_bytes() -> tuple[int, int]:
    """(raw, gzipped) bytes of the JS and CSS the shell loads (desk.js only loads on desk pages)."""
    files = [ROOT / "pwa" / "assets" / "app.js", ROOT / "pwa" / "assets" / "app.css"]
    raw = sum(f.stat().st_size for f in files)
    packed = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    return raw, packed


def ensure_lighthouse() -> None:
    if CLI.exists():
        return
    TOOL_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "-E", f"lighthouse@{LIGHTHOUSE}"],
                   cwd=TOOL_DIR, check=True)


def lighthouse(url: str, chrome: str, out: Path) -> dict[str, int]:
    flags = "--headless=new --no-sandbox --disable-gpu" if os.geteuid() == 0 else "--headless=new --disable-gpu"
    subprocess.run(
        ["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"],
        check=True, env={**os.environ, "CHROME_PATH": chrome}, timeout=300,
    )
    report = json.loads(out.read_text())
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per screen (the median is kept)")
    args = parser.parse_args()

    raw, packed = first_load_bytes()
    print(f"JS + CSS on first load: {raw / 1024:.1f} KB, {packed / 1024:.1f} KB gzipped (goal ≤ 150 KB)")

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chrome or not shutil.which("node"):
        print("Lighthouse skipped: needs Debian's chromium (or CHROME_PATH) and Node.js")
        return
    ensure_lighthouse()
    with tempfile.TemporaryDirectory() as tmp, api_server(Path(tmp)) as base:
        print(f"Lighthouse {LIGHTHOUSE}, mobile profile, median of {args.runs} runs per screen:")
        print(f"  {'screen':<18}" + "".join(f"{c:>16}" for c in CATEGORIES))
        worst = dict.fromkeys(CATEGORIES, 100)
        for name, path in SCREENS.items():
            runs = [lighthouse(base + path, chrome, Path(tmp) / f"lh-{i}.json") for i in range(args.runs)]
            median = {c: int(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
            worst = {c: min(worst[c], median[c]) for c in CATEGORIES}
            print(f"  {name:<18}" + "".join(f"{median[c]:>16}" for c in CATEGORIES))
        verdict = ", ".join(f"{c} {worst[c]} ({'met' if worst[c] >= GOALS[c] else 'NOT met'}, goal ≥ {GOALS[c]})"
                            for c in CATEGORIES)
        print(f"  lowest: {verdict}")


if __name__ == "__main__":
    main()
