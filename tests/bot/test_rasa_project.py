"""The Rasa project itself: training data quality, `rasa data validate`, the NLU evaluation on
the held-out split, and the core flows as test stories."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml

from api.settings import ROOT
from api.text.normalize import fold
from tests.bot.stack import MODEL, rasa, require_bot

TRAIN = ROOT / "nlu_data" / "train"
TEST = ROOT / "nlu_data" / "test"
ARTIFACTS = ROOT / "test-artifacts" / "nlu"
INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "ask_procedure", "ask_documents", "ask_fee",
    "ask_processing_time", "ask_online_submission", "explain_level", "track_dossier", "ask_postal_return",
    "subscribe_updates", "find_office", "ask_account", "human_handoff", "bot_challenge", "out_of_scope",
    "inform",  # added by the project: bare answers to the bot's questions
]
SMALL_TALK = {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge"}
_ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)|\[([^\]]+)\]\{[^}]*\}")


def examples(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for path in sorted(folder.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in item:
                out[item["intent"]] += [
                    line[2:].strip() for line in item["examples"].splitlines() if line.strip().startswith("- ")
                ]
    return out


def plain(example: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(3), example)


def key(example: str) -> str:
    return " ".join(re.findall(r"\w+", fold(plain(example))))


def test_every_intent_has_enough_examples_typed_like_on_a_phone():
    train = examples(TRAIN)
    assert set(INTENTS) <= set(train), set(INTENTS) - set(train)
    for intent in INTENTS:
        minimum = 20 if intent in SMALL_TALK else 40
        assert len(train[intent]) >= minimum, (intent, len(train[intent]))
    everything = [e for items in train.values() for e in items]
    unaccented = [e for e in everything if fold(plain(e)) == plain(e).lower()]
    assert len(unaccented) / len(everything) >= 0.30


def test_no_example_in_two_intents_and_the_test_split_is_held_out():
    train, test = examples(TRAIN), examples(TEST)
    owner: dict[str, str] = {}
    for intent, items in train.items():
        for e in items:
            assert owner.setdefault(key(e), intent) == intent, f"{e!r} is in {owner[key(e)]} and {intent}"
    held_out = {key(e) for items in test.values() for e in items}
    assert not held_out & set(owner), "test examples must not be in the training data"
    n_train = sum(map(len, train.values()))
    n_test = sum(map(len, test.values()))
    assert n_test / (n_train + n_test) >= 0.15


def test_training_data_is_nfc():
    for path in [*TRAIN.glob("*.yml"), *TEST.glob("*.yml")]:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


def test_lookup_tables_are_generated_from_the_current_catalog():
    result = subprocess.run([sys.executable, "bot/scripts/generate_lookups.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_rasa_data_validate_without_warnings():
    require_bot()
    result = rasa("data", "validate", "--fail-on-warnings", "--config", "bot/config.yml", "--domain", "bot/domain",
                  "--data", "nlu_data/train", "bot/data")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


def test_nlu_on_the_held_out_split(tmp_path):
    """Intent accuracy ≥ 0.92 and `procedure` entity F1 ≥ 0.85 on examples never trained on."""
    require_bot()
    out = tmp_path / "nlu"
    result = rasa("test", "nlu", "--nlu", "nlu_data/test", "--model", str(MODEL), "--config", "bot/config.yml",
                  "--out", str(out), "--no-plot")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for report in out.glob("*.json"):
        shutil.copy(report, ARTIFACTS / report.name)
    intents = json.loads((out / "intent_report.json").read_text())
    entities = json.loads((out / "DIETClassifier_report.json").read_text())
    weak = {k: round(v["f1-score"], 2) for k, v in intents.items() if isinstance(v, dict) and v.get("f1-score", 1) < 0.8}
    assert intents["accuracy"] >= 0.92, f"intent accuracy {intents['accuracy']:.3f}; weak intents: {weak}"
    assert entities["procedure"]["f1-score"] >= 0.85, entities["procedure"]


def test_core_flows_as_test_stories(tmp_path):
    require_bot()
    result = rasa("test", "core", "--stories", "bot/tests/stories", "--model", str(MODEL),
                  "--fail-on-prediction-errors", "--out", str(tmp_path / "core"), "--no-plot")
    failed = tmp_path / "core" / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:] + details[-3000:]

