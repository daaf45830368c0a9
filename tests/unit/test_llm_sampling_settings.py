"""Sampling settings from [model] reach every request (no model load needed)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from agentconsole.config import ModelSettings, Settings
from agentconsole.llm import ChatTurn, build_engine


def test_repeat_penalty_defaults_on_and_follows_the_config(tmp_path: Path, default_model_path: Path) -> None:
    assert ModelSettings().repeat_penalty > 1.0  # small models loop without one
    settings = Settings(home=tmp_path)
    settings = dataclasses.replace(settings, model=dataclasses.replace(settings.model, repeat_penalty=1.3, top_p=0.8))
    engine = build_engine(settings, str(default_model_path))
    request = engine._make_request([ChatTurn("user", "hello")])
    assert (request.repeat_penalty, request.top_p) == (1.3, 0.8)
    assert not engine.is_loaded
