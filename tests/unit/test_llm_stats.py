"""GenerationStats arithmetic on a clock the test controls (no real time, no model)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine

from agentconsole.config import load_settings
from agentconsole.llm import ChatTurn
from agentconsole.llm import engine as engine_module


class _Clock:
    """perf_counter stand-in: every reading is ``tick`` seconds after the previous one."""

    def __init__(self, tick: float) -> None:
        self._readings = itertools.count(start=100.0, step=tick)

    def perf_counter(self) -> float:
        return next(self._readings)


@pytest.mark.parametrize(("answer", "tokens", "decode_rate"), [("abcdefghijkl", 4, 4.0), ("abc", 1, 0.0)])
def test_stats_follow_the_clock(
    agentconsole_home: Path, monkeypatch: pytest.MonkeyPatch, answer: str, tokens: int, decode_rate: float
) -> None:
    # readings: start, one per token, finish; 0.25 s apart
    monkeypatch.setattr(engine_module, "time", _Clock(0.25))
    engine = ScriptedEngine(load_settings(agentconsole_home), answer, step=3)
    with engine.stream([ChatTurn("user", "hello")], max_tokens=16) as generation:
        assert "".join(generation) == answer
    stats = generation.stats
    assert stats.completion_tokens == tokens
    assert stats.ttft_ms == pytest.approx(250.0)  # start -> first token: one tick
    assert stats.total_ms == pytest.approx(250.0 * (tokens + 1))  # start -> finish
    # tokens after the first over the time from the first token to the last; none for a one-token answer
    assert stats.decode_tokens_per_s == pytest.approx(decode_rate)
    assert stats.finish_reason == "stop" and not stats.cancelled
