"""The production processes under load, on this 2-core machine (no Docker engine here):
two API instances, two push workers, two Rasa replicas (PostgreSQL tracker store, Redis lock
store) and the action server, against the local PostgreSQL and Redis, as docker/compose.yml
runs them. Citizens search, open procedures, chat, open the app, submit dossiers that three
devices follow; the agency moves each dossier; every notification must arrive once.

    .venv/bin/python bench/deploy_bench.py [--seconds 60] [--citizens 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deploy.cluster import Cluster, load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--citizens", type=int, default=20, help="concurrent simulated citizens")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Cluster(Path(tmp)).running() as cluster:
        report = asyncio.run(load(cluster, args.seconds, args.citizens))
    print(f"{args.citizens} concurrent citizens for {args.seconds:.0f} s, 2 API + 2 workers + 2 Rasa:")
    print(report.summary())
    if report.failures:
        print("failures:", *report.failures[:10], sep="\n  ")


if __name__ == "__main__":
    main()
