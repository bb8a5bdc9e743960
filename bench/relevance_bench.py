"""Relevance of the procedure search on the labelled query set (bench/data/search_queries.tsv).

Prints top-1 and top-3 accuracy overall, per style (accented, unaccented, typo, …)
and lists every miss. Goal: top-1 ≥ 95 %, top-3 ≥ 99 %.

    .venv/bin/python bench/relevance_bench.py
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.procedures.search import DocInput, SearchIndex  # noqa: E402
from bench.catalog_scale import shipped_records  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "data" / "search_queries.tsv"


@dataclass
class Evaluation:
    total: int
    top1: int
    top3: int
    by_style: dict[str, list[int]]
    misses: list[tuple[str, str, list[str], str]]

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total


def load_queries() -> list[tuple[str, str, str]]:
    with QUERIES.open(encoding="utf-8") as f:
        return [(r["query"], r["slug"], r["style"]) for r in csv.DictReader(f, delimiter="\t")]


def base_index() -> SearchIndex:
    docs = [
        DocInput(
            id=i,
            code=r["code"],
            name=r["name"],
            field=r["field"],
            online_level=r["online_level"],
            slug=r.get("slug"),
            agency_level=r["agency"]["level"],
            aliases=tuple(r.get("aliases", ())),
            result=r.get("result", ""),
        )
        for i, r in enumerate(shipped_records())
    ]
    return SearchIndex(docs)


def evaluate(index: SearchIndex, queries: list[tuple[str, str, str]]) -> Evaluation:
    ev = Evaluation(len(queries), 0, 0, defaultdict(lambda: [0, 0, 0]), [])
    for query, slug, style in queries:
        result = index.search(query, limit=3)
        slugs = [h.doc.slug for h in result.hits]
        hit1 = bool(slugs) and slugs[0] == slug
        hit3 = slug in slugs[:3]
        ev.top1 += hit1
        ev.top3 += hit3
        ev.by_style[style][0] += 1
        ev.by_style[style][1] += hit1
        ev.by_style[style][2] += hit3
        if not hit1:
            ev.misses.append((query, slug, slugs, result.corrected))
    return ev


def report(ev: Evaluation, title: str) -> None:
    print(f"{title}: {ev.total} queries — top-1 {ev.top1_rate:.1%}, top-3 {ev.top3_rate:.1%}")
    for style, (n, t1, t3) in sorted(ev.by_style.items()):
        print(f"  {style:<11} {n:>4}  top-1 {t1 / n:.1%}  top-3 {t3 / n:.1%}")
    for query, slug, got, understood in ev.misses:
        print(f"  miss: {query!r} → want {slug}, got {got} (understood: {understood})")


if __name__ == "__main__":
    report(evaluate(base_index(), load_queries()), "Relevance on the shipped catalog")
