"""UI tests: async Pilot tests run on anyio's pytest plugin, asyncio backend only."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
