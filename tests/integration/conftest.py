"""Real cores shared by the integration tests: the PII engine and the default model.

Module-scoped (each loads once per test module). A module that needs a
different engine under the same name (e.g. a bare ``PrivacyEngine`` as
``engine``) defines its own fixture, which overrides these.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from agentconsole.config import Settings
from agentconsole.llm import Engine, build_engine
from agentconsole.privacy import PrivacyEngine


@pytest.fixture(scope="module")
def privacy() -> PrivacyEngine:
    """The real PII engine (Presidio + the shipped NER) with default settings."""
    return PrivacyEngine.from_settings(Settings().privacy)


@pytest.fixture(scope="module")
def engine(default_model_path: Path) -> Engine:
    """The real default model, loaded, deterministic (temperature 0, fixed seed), short drafts."""
    settings = Settings()
    settings = dataclasses.replace(
        settings, model=dataclasses.replace(settings.model, temperature=0.0, seed=7, max_tokens=48, n_ctx=2048)
    )
    model = build_engine(settings, str(default_model_path))
    model.load()
    return model
