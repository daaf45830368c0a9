"""What every repository needs from the database it runs on."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any


def now() -> str:
    """Row time: UTC ISO 8601 with microseconds, so string order is time order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Repository:
    """Base of the repository mixins: :class:`~agentconsole.vault.database.Database` provides these."""

    def connection(self) -> Any:
        raise NotImplementedError

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def compact_search_index_on_commit(self) -> None:
        raise NotImplementedError

    def delete_case(self, case_id: int, *, compact_index: bool = True) -> None:
        raise NotImplementedError  # CaseRepository's
