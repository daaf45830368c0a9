"""The doctor's rows and options (shared by every check module)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("agentconsole.doctor")

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class CheckResult:
    """One row of the doctor table."""

    check: str
    status: str  # OK, WARN or FAIL
    detail: str


@dataclass
class DoctorOptions:
    """What to check beyond the defaults."""

    deep: bool = False  # also load the spaCy pipeline and run the model on this CPU
    model_override: str | None = None
    user: str | None = None
    passphrase: bytearray | None = None  # with user: open the vault; zeroed by the caller
    audit_anchor: dict[str, Any] | None = None  # an exported audit head the log must still reach


Check = Callable[[Any, DoctorOptions], Iterable[CheckResult]]
