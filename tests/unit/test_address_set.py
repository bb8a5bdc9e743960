"""Accuracy on the project's labelled address set (bench/data/addresses.tsv)."""

import pytest

from api.addresses.service import AddressService
from bench.address_bench import evaluate, load


@pytest.fixture(scope="module")
def scores():
    return evaluate(AddressService(), load())


def test_the_set_is_big_and_varied():
    rows = load()
    assert len(rows) >= 300
    styles = {r["style"] for r in rows}
    assert {"current_unaccented", "legacy_unaccented", "current_abbrev", "legacy_abbrev", "split"} <= styles


@pytest.mark.parametrize("family", ["current", "legacy"])
def test_ward_level_accuracy(scores, family):
    s = scores[family]
    assert s.rate >= 0.97, "\n".join(f"{a!r}: want {w}, got {g}" for a, w, g in s.misses)


def test_split_wards_are_always_flagged(scores):
    s = scores["split"]
    assert s.rate == 1.0, "\n".join(f"{a!r}: want {w}, got {g}" for a, w, g in s.misses)
