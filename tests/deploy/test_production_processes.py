"""The compose file's processes on this machine, as production runs them: two API instances,
two push workers, two Rasa replicas sharing PostgreSQL and Redis — under load, no request
fails, and every notification is delivered exactly once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.bot.stack import require_bot
from tests.conftest import require_pg
from tests.deploy.cluster import Cluster, load


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_pg()
    require_bot()
    with Cluster(tmp_path_factory.mktemp("cluster")).running() as running:
        yield running


def test_two_of_everything_under_load_nothing_fails_or_is_lost(cluster):
    report = asyncio.run(load(cluster, seconds=15, concurrency=12))
    print(report.summary())
    assert not report.failures, report.failures[:10]
    assert len(report.per_instance) == 2 and min(report.per_instance.values()) > 0.4 * report.requests
    assert report.chat_modes["assistant"] > 0 and set(report.chat_modes) == {"assistant"}  # Rasa answered every turn
    assert report.dossiers > 0
    assert report.delivered == report.expected_notifications and report.duplicates == 0


def test_every_instance_exposes_metrics_and_readiness(cluster):
    for url in cluster.api_urls:
        assert httpx.get(f"{url}/health/live").json() == {"status": "ok"}
        assert httpx.get(f"{url}/health/ready").status_code == 200
        text = httpx.get(f"{url}/metrics").text
        for name in ("dvc_http_request_duration_seconds_bucket", "dvc_chat_turns_total", "dvc_push_queue_depth"):
            assert name in text, (url, name)
    sent = 0.0
    for url in cluster.worker_metrics:
        text = httpx.get(url).text
        assert "dvc_push_delay_seconds_bucket" in text
        sent += sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("dvc_push_sent_total"))
    assert sent > 0  # the workers report what they sent


def test_a_rasa_replica_down_means_the_other_answers(cluster):
    # Conversations live in PostgreSQL, so the next replica can take a citizen over.
    from api.chat.rasa import RasaClient

    async def turn() -> list:
        client = RasaClient(["http://127.0.0.1:9", *cluster.env["DVC_RASA_URLS"].split(",")], 10)
        try:
            sender = next(f"s{i}" for i in range(100) if client.replica(f"s{i}") == 0)  # routed to the dead one
            return await client.send(sender, "làm giấy khai sinh cần gì")
        finally:
            await client.close()

    assert any("khai sinh" in m.get("text", "").lower() for m in asyncio.run(turn()))
