"""The vault offers every operation the compliance core's storage protocols name, with the same parameters."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from agentconsole.compliance import storage
from agentconsole.vault import Vault

PROTOCOLS = [
    storage.UnitOfWork,
    storage.AuditStore,
    storage.CustomerStore,
    storage.ErasureStore,
    storage.ExportStore,
    storage.RetentionStore,
]
COMPLIANCE = Path(storage.__file__).parent


def members(protocol: type) -> dict[str, object]:
    names = {n for n in vars(protocol) if not n.startswith("_")}
    return {n: vars(protocol)[n] for n in names}


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_vault_has_every_operation_with_the_same_parameters(protocol: type) -> None:
    assert members(protocol), protocol
    for name, member in members(protocol).items():
        if isinstance(member, property):
            continue  # attributes: database_id is set on every unlocked vault
        ours = inspect.signature(member)
        theirs = inspect.signature(getattr(Vault, name))
        assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
            (p.name, p.kind, p.default) for p in theirs.parameters.values()
        ], f"{protocol.__name__}.{name}"


def test_no_compliance_module_runs_sql() -> None:
    pattern = re.compile(r"\.(execute|executemany|executescript|cursor)\(|\bconnection\(\)")
    offenders = [p.name for p in COMPLIANCE.glob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
