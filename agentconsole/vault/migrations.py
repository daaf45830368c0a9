"""What a subsystem with tables of its own in the vault declares: its name and numbered migrations."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Subsystem:
    """A subsystem's tables: *migrations* are SQL scripts, applied in order, never edited once released."""

    name: str
    migrations: tuple[str, ...]

    def __post_init__(self) -> None:
        # The name is written into the migration script itself, so it must be a plain identifier.
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"subsystem name must be a lowercase identifier: {self.name!r}")
