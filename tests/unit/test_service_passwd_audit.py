"""`passwd` leaves the database byte-identical, yet it still reaches the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import WrongPassphrase


def files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in home.iterdir() if p.is_file() and p.name.startswith("vault.db")}


def test_passwd_is_audited_at_the_next_unlock(agentconsole_home: Path) -> None:
    settings = load_settings(agentconsole_home)
    service = ConsoleService(settings)
    service.create_vault("alice", bytearray(b"first passphrase"))
    service.lock()
    before = files(agentconsole_home)

    ConsoleService(settings).change_passphrase_offline(
        "alice", bytearray(b"first passphrase"), bytearray(b"second passphrase")
    )
    assert files(agentconsole_home) == before

    with pytest.raises(WrongPassphrase):
        ConsoleService(settings).unlock("alice", bytearray(b"first passphrase"))
    service.unlock("alice", bytearray(b"second passphrase"))
    actions = [e.action for e in service.audit_entries()]
    assert actions.count("user.passwd") == 1
    assert actions.index("user.passwd") < len(actions) - 1  # before this unlock's own entry
    assert "unlock.failed" in actions
    assert service.verify_audit().ok
    service.lock()
