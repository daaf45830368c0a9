"""Config changes, audited: the effective settings are compared at each unlock.

``config.toml`` lives outside the vault and can be edited with any editor, so
the vault keeps a snapshot of the settings it last saw (in ``meta``) and the
service audits every difference at the next unlock (``config.change``, with
old and new values of scalar keys). The switches that matter most for privacy
(``compliance.keep_raw_text``, ``consent.required``, the retention periods) are
recorded on the first unlock too, as the baseline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agentconsole.compliance.storage import UnitOfWork

META_KEY = "compliance.config_snapshot"
#: Recorded in the baseline entry (first unlock that sees a configuration).
WATCHED = (
    "compliance.keep_raw_text",
    "consent.required",
    "retention.pii_values_days",
    "retention.transcripts_days",
)


@dataclass(frozen=True)
class ConfigChange:
    """Keys whose value differs from the vault's snapshot: ``{key: [old, new]}``."""

    baseline: bool
    changed: dict[str, list[Any]] = field(default_factory=dict)


def flatten(settings: Any) -> dict[str, Any]:
    """``{"section.key": value}`` of the effective settings."""
    from agentconsole.config import to_dict

    return {f"{section}.{key}": value for section, table in to_dict(settings).items() for key, value in table.items()}


def _shown(value: Any) -> Any:
    # Scalars as they are; lists and tables (recognizer patterns, host lists) only as "changed".
    return value if value is None or isinstance(value, (str, int, float, bool)) else "(changed)"


def observe(vault: UnitOfWork, settings: Any) -> ConfigChange | None:
    """Compare with the snapshot and store the new one; None when nothing changed."""
    current = json.loads(json.dumps(flatten(settings)))  # the form it takes in the snapshot
    stored = vault.get_meta(META_KEY)
    if stored is None:
        vault.set_meta(META_KEY, json.dumps(current, sort_keys=True))
        return ConfigChange(True, {k: [None, _shown(current.get(k))] for k in WATCHED})
    try:
        previous = json.loads(stored)
    except ValueError:
        previous = {}
    keys = sorted(set(current) | set(previous))
    changed = {k: [_shown(previous.get(k)), _shown(current.get(k))] for k in keys if previous.get(k) != current.get(k)}
    if not changed:
        return None
    vault.set_meta(META_KEY, json.dumps(current, sort_keys=True))
    return ConfigChange(False, changed)
