"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from agentconsole.privacy import PrivacyEngine


@pytest.fixture(scope="module")
def engine() -> PrivacyEngine:
    """The real privacy engine (shipped model), loaded once per test module."""
    return PrivacyEngine.from_settings()
