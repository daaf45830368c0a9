"""UI tests run on anyio's pytest plugin (asyncio backend)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath) and item.get_closest_marker("anyio") is None:
            import inspect

            if inspect.iscoroutinefunction(getattr(item, "function", None)):
                item.add_marker(pytest.mark.anyio)
