"""Postal address resolver: ward-level accuracy on the labelled set, and suggest latency.

    .venv/bin/python bench/address_bench.py

bench/data/addresses.tsv holds addresses written as people write them, in the current
(2025) and the pre-2025 formats, with and without diacritics, abbreviated, and old wards
that were split. Goals: ward-level accuracy ≥ 97 % on current and on pre-2025 addresses,
every split ward flagged as ambiguous; suggest p95 ≤ 30 ms.
"""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from api.addresses.service import AddressService  # noqa: E402
from tests.conftest import api_server  # noqa: E402

ADDRESSES = ROOT / "bench" / "data" / "addresses.tsv"


@dataclass
class Score:
    total: int = 0
    right: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


def load() -> list[dict[str, str]]:
    with ADDRESSES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def evaluate(service: AddressService, rows: list[dict[str, str]]) -> dict[str, Score]:
    """Scores per style and per family ("current", "legacy", "split")."""
    scores: dict[str, Score] = defaultdict(Score)
    for row in rows:
        r = service.resolver.resolve(row["address"])
        expected = set(row["ward_codes"].split("|"))
        if row["status"] == "resolved":
            ok = r.status == "resolved" and r.ward.unit.code in expected
            got = r.ward.unit.name if r.ward else r.status
        else:
            got_codes = {w.unit.code for w in r.candidates}
            ok = r.status == "ambiguous" and got_codes == expected
            got = f"{r.status} {sorted(got_codes)}"
        family = "split" if row["style"] == "split" else row["style"].split("_")[0]
        for key in (row["style"], family):
            scores[key].total += 1
            scores[key].right += ok
            if not ok and key == family:
                scores[key].misses.append((row["address"], row["ward_codes"], got))
    return scores


def main() -> None:
    started = time.perf_counter()
    service = AddressService()
    print(f"map loaded in {time.perf_counter() - started:.2f} s")
    rows = load()
    scores = evaluate(service, rows)
    print(f"{len(rows)} addresses")
    for key in sorted(scores):
        s = scores[key]
        print(f"  {key:<20} {s.right:>4}/{s.total:<4} {s.rate:.1%}")
    for family in ("current", "legacy", "split"):
        for address, want, got in scores[family].misses[:15]:
            print(f"  miss [{family}] {address!r}: want {want}, got {got}")
    samples = []
    prefixes = [row["address"][: n] for row in rows[:200] for n in (3, 6, 10)]
    for q in prefixes:
        t = time.perf_counter()
        service.suggest(q, 8)
        samples.append((time.perf_counter() - t) * 1000)
    qs = statistics.quantiles(samples, n=100)
    print(f"suggest (in process, {len(samples)} prefixes): p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms")
    samples = []
    for row in rows:
        t = time.perf_counter()
        service.resolver.resolve(row["address"])
        samples.append((time.perf_counter() - t) * 1000)
    qs = statistics.quantiles(samples, n=100)
    print(f"resolve (in process): p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms")
    with tempfile.TemporaryDirectory() as tmp, api_server(Path(tmp)) as base, httpx.Client(base_url=base) as client:
        for q in prefixes[:20]:  # warm-up
            client.get("/api/addresses/suggest", params={"q": q})
        samples = []
        for q in prefixes:
            t = time.perf_counter()
            client.get("/api/addresses/suggest", params={"q": q}).raise_for_status()
            samples.append((time.perf_counter() - t) * 1000)
    qs = statistics.quantiles(samples, n=100)
    print(f"suggest over HTTP (uvicorn, sequential): p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms")


if __name__ == "__main__":
    main()
