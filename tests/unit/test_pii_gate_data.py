"""The decision-gate PII sets are well formed and --errors refuses them (no quality thresholds: totals only)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from script_modules import load_script

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _load(name: str) -> list[dict[str, Any]]:
    path = DATA / f"pii_{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bench() -> ModuleType:
    return load_script("bench_pii")


#: The labels the generated dev split (and so the bench) uses.
LABELS = {e["type"] for row in _load("dev") for e in row["entities"]}
KEYS = {"id", "split", "register", "text", "entities"}


@pytest.mark.parametrize("name", ["gate", "gate_nopii"])
def test_record_shape(name: str) -> None:
    rows = _load(name)
    prefix = name.replace("_", "-")
    assert [row["id"] for row in rows] == [f"{prefix}-{i:04d}" for i in range(len(rows))]
    for row in rows:
        assert set(row) == KEYS, row["id"]
        assert row["split"] == name
        assert row["text"] == row["text"].strip() and row["register"], row["id"]
    assert len({row["text"] for row in rows}) == len(rows), "no duplicate messages"


def test_pii_free_set_size_and_no_entities() -> None:
    rows = _load("gate_nopii")
    assert len(rows) >= 250
    assert sum(len(row["text"].split()) for row in rows) >= 4500
    assert all(row["entities"] == [] for row in rows)


def test_gate_spans_are_inside_the_text_ordered_trimmed_and_on_word_boundaries() -> None:
    rows = _load("gate")
    assert len(rows) >= 160
    for row in rows:
        text, end = row["text"], 0
        assert row["entities"], row["id"]
        for entity in row["entities"]:
            assert set(entity) == {"start", "end", "type"}
            assert entity["type"] in LABELS, (row["id"], entity)
            assert end <= entity["start"] < entity["end"] <= len(text), (row["id"], entity)
            value = text[entity["start"] : entity["end"]]
            assert value == value.strip(), (row["id"], value)
            before, after = text[: entity["start"]], text[entity["end"] :]
            assert not before[-1:].isalnum() and not after[:1].isalnum(), (row["id"], value)
            end = entity["end"]
    types = [e["type"] for row in rows for e in row["entities"]]
    for label in ("PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "ACCOUNT_NUMBER"):
        assert types.count(label) >= 10, label


def test_bench_scores_them_only_when_named_and_errors_refuses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    assert set(bench.GATE) == {"gate", "gate_nopii"}
    assert set(bench.GATE) <= set(bench.OPTIONAL) and not set(bench.GATE) & set(bench.SPLITS)
    assert set(bench.GATE) <= set(bench.REFUSED) and set(bench.NEVER_LOOK) <= set(bench.REFUSED)
    for name in bench.REFUSED:
        monkeypatch.setattr("sys.argv", ["bench_pii.py", "--errors", name])
        with pytest.raises(SystemExit) as exc:
            bench.main()
        assert exc.value.code == 2
