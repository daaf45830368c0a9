"""`agentconsole ask` and `agentconsole models` end to end, with the real model."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agentconsole.cli import main
from agentconsole.llm import LocalEngine

pytestmark = pytest.mark.model

GREEDY = ["--temperature", "0", "--seed", "3", "--max-tokens", "16"]


def test_ask_streams_text_and_prints_stats_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-mask", *GREEDY, "--stats", "How", "do", "I", "reset", "my", "router?"]) == 0
    out, err = capsys.readouterr()
    assert out.strip()
    assert "time to first token" in err and "tokens/s" in err
    assert out.strip() not in err


def test_ask_json_is_one_object_with_text_and_stats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-mask", *GREEDY, "--json", "Where is my invoice?"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["text"].strip()
    assert data["masked"] is False
    assert 1 <= data["stats"]["completion_tokens"] <= 16
    assert data["stats"]["prompt_tokens"] > 0
    assert err == ""


def test_ask_reads_the_question_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("My laptop will not boot.\nWhat should I try first?\n"))
    assert main(["ask", "--no-mask", *GREEDY, "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["text"].strip()


def test_ask_masks_pii_before_the_model_sees_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen_by_model: list[str] = []
    real_stream = LocalEngine.stream

    def recording_stream(self: LocalEngine, turns: list, **options: object):  # type: ignore[no-untyped-def]
        seen_by_model.extend(t.content for t in turns)
        return real_stream(self, turns, **options)

    monkeypatch.setattr(LocalEngine, "stream", recording_stream)
    question = "Hello, I am Maria Schneider, my e-mail is maria.schneider@example.org. Greet me by name."
    assert main(["ask", *GREEDY, "--json", question]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["masked"] is True and data["entities_masked"] >= 1
    prompt = "\n".join(seen_by_model)
    assert "maria.schneider@example.org" not in prompt
    assert "<EMAIL_ADDRESS_1>" in prompt


def test_ask_with_a_bad_model_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_text("not a model")
    assert main(["--model", str(bogus), "ask", "--no-mask", "hello"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not GGUF" in err


def test_ask_model_option_after_the_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--model", str(tmp_path / "missing.gguf"), "--no-mask", "hello"]) == 1
    assert "not found" in capsys.readouterr().err


def test_models_lists_the_default_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:7] == ["NAME", "SIZE", "ARCH", "QUANT", "CONTEXT", "PARAMS", "CHECKSUM"]
    row = next(line for line in out if line.startswith("smollm2-135m-instruct"))
    assert row.split()[1:8] == ["93.8", "MiB", "llama", "Q4_1", "8192", "134.5M", "ok"]


def test_models_json(agentconsole_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (agentconsole_home / "models").mkdir()
    (agentconsole_home / "models" / "scratch.gguf").write_bytes(b"GGUF\x03\0\0\0")
    assert main(["models", "--json"]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["smollm2-135m-instruct"]["checksum_status"] == "ok"
    assert listed["scratch"]["checksum_status"] == "INVALID" and "truncated" in listed["scratch"]["error"]
