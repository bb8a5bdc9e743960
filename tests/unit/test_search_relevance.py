"""Relevance on the labelled query set (bench/data/search_queries.tsv), as citizens type."""

import pytest

from api.text.normalize import fold
from bench.relevance_bench import base_index, evaluate, load_queries


@pytest.fixture(scope="module")
def index():
    return base_index()


def test_query_set_is_big_and_realistic():
    queries = load_queries()
    assert len(queries) >= 100
    unaccented = [q for q, _, _ in queries if fold(q) == q.lower()]
    assert len(unaccented) / len(queries) >= 0.3


def test_top1_and_top3_accuracy(index):
    ev = evaluate(index, load_queries())
    misses = "\n".join(f"{q!r} → {want}, got {got}" for q, want, got, _ in ev.misses)
    assert ev.top1_rate >= 0.95, misses
    assert ev.top3_rate >= 0.99, misses


def test_confident_answers_are_right(index):
    """When the search says it is sure, the bot answers with one procedure: it must be right."""
    confident = wrong = 0
    for query, slug, _ in load_queries():
        result = index.search(query, limit=3)
        if result.confident:
            confident += 1
            wrong += result.hits[0].doc.slug != slug
    assert confident / len(load_queries()) >= 0.7
    assert wrong / confident <= 0.01
