"""The second never-seen PII split is well formed (no quality thresholds: it is read as totals only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from script_modules import load_script

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SPLIT = DATA / "pii_neverseen2.jsonl"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _generator():
    return load_script("make_pii_neverseen2")


ROWS = _load(SPLIT)
#: The labels the other splits (and so the bench) use.
LABELS = {
    e["type"] for split in ("neverseen", "dev") for row in _load(DATA / f"pii_{split}.jsonl") for e in row["entities"]
}


def test_same_record_shape_as_the_first_never_seen_split() -> None:
    keys = set(_load(DATA / "pii_neverseen.jsonl")[0])
    assert 300 <= len(ROWS) <= 400
    assert [row["id"] for row in ROWS] == [f"neverseen2-{i:05d}" for i in range(len(ROWS))]
    for row in ROWS:
        assert set(row) == keys, row["id"]
        assert row["split"] == "neverseen2"
        assert isinstance(row["template"], list) and all(isinstance(t, str) for t in row["template"])


def test_spans_are_inside_the_text_ordered_and_trimmed() -> None:
    for row in ROWS:
        text, end = row["text"], 0
        for entity in row["entities"]:
            assert entity["type"] in LABELS, (row["id"], entity)
            assert end <= entity["start"] < entity["end"] <= len(text), (row["id"], entity)
            value = text[entity["start"] : entity["end"]]
            assert value == value.strip() and value.strip("\\n"), (row["id"], value)
            # a span starts and ends at a word boundary (a literal "\n" before or after counts as one)
            before, after = text[: entity["start"]], text[entity["end"] :]
            assert not (before[-1:].isascii() and before[-1:].isalnum()) or before.endswith("\\n"), (row["id"], value)
            assert not (after[:1].isascii() and after[:1].isalnum()) or after.startswith("\\n"), (row["id"], value)
            end = entity["end"]


def test_every_type_and_pii_free_messages_are_present() -> None:
    types = {e["type"] for row in ROWS for e in row["entities"]}
    assert {"PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "ACCOUNT_NUMBER"} <= types
    assert sum(not row["entities"] for row in ROWS) >= 20


def test_templates_are_new_and_locales_held_out() -> None:
    gen = _generator()
    corpus = load_script("make_pii_corpus")
    assert not set(gen.LOCALES) & set(corpus.TRAIN_LOCALES)
    assert set(gen.LOCALES) <= set(corpus.NEVER_SEEN_LOCALES)
    assert gen.shared_with_old_templates() == []
    templates = gen.templates()
    assert sum(len(t) for register, t in templates.items() if register != "negative") >= 60
    for template in templates["negative"]:
        assert not set(gen.SLOT_RE.findall(template)) & set(gen.LABEL), template


def test_regeneration_gives_the_committed_file() -> None:
    faker = pytest.importorskip("faker")
    gen = _generator()
    if faker.VERSION != gen.FAKER_VERSION:
        pytest.skip(f"Faker {faker.VERSION}; the file was made with {gen.FAKER_VERSION}")
    assert gen.dumps(gen.generate()) == SPLIT.read_text(encoding="utf-8")
