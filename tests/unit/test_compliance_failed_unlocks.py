"""Failed unlocks wait in a 0600 sidecar and become audit entries at the next unlock."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentconsole.compliance import failed_unlocks
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import WrongPassphrase

PASS = b"failed-unlock-passphrase"


def test_record_then_drain_in_order_and_file_is_private(tmp_path: Path) -> None:
    failed_unlocks.record(tmp_path, "alice", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    failed_unlocks.record(tmp_path, "bob")
    path = failed_unlocks.sidecar_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    drained = failed_unlocks.drain(tmp_path)
    assert [user for _, user in drained] == ["alice", "bob"]
    assert drained[0][0] == "2026-01-02T03:04:05+00:00"
    assert failed_unlocks.drain(tmp_path) == []


def test_existing_file_is_tightened_to_0600(tmp_path: Path) -> None:
    path = failed_unlocks.sidecar_path(tmp_path)
    path.write_text("")
    path.chmod(0o644)
    failed_unlocks.record(tmp_path, "alice")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    failed_unlocks.sidecar_path(tmp_path).symlink_to(target)
    failed_unlocks.record(tmp_path, "alice")  # logged, not raised: the unlock already failed
    assert target.read_text() == "keep\n"
    assert failed_unlocks.drain(tmp_path) == []


def test_user_names_are_clipped_to_printable(tmp_path: Path) -> None:
    failed_unlocks.record(tmp_path, "eve\x1b[31m\n" + "x" * 500)
    ((_, user),) = failed_unlocks.drain(tmp_path)
    assert "\x1b" not in user and "\n" not in user and len(user) <= 128


def test_malformed_lines_are_skipped(tmp_path: Path) -> None:
    failed_unlocks.sidecar_path(tmp_path).write_text('garbage\n{"at": "t", "user": "bob"}\n[1]\n')
    assert failed_unlocks.drain(tmp_path) == [("t", "bob")]


def test_the_file_is_capped_and_counts_what_did_not_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(failed_unlocks, "MAX_RECORDS", 3)
    for i in range(6):
        failed_unlocks.record(tmp_path, f"u{i}")
    drained = failed_unlocks.drain(tmp_path)
    assert [u for _, u in drained[:2]] == ["u0", "u1"]
    assert drained[2][1] == "<4 more failed unlocks not recorded>"
    assert len(drained) == 3


def test_service_audits_failed_unlocks_at_the_next_unlock(agentconsole_home: Path) -> None:
    service = ConsoleService(load_settings(agentconsole_home))
    service.create_vault("alice", bytearray(PASS))
    service.lock()
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            service.unlock("alice", bytearray(b"not the passphrase"))
    assert failed_unlocks.sidecar_path(agentconsole_home).exists()
    service.unlock("alice", bytearray(PASS))
    try:
        entries = service.audit_entries(action="unlock")
        assert [e.action for e in entries] == ["unlock.failed", "unlock.failed", "unlock"]
        assert all(e.subject == "user:alice" and e.details["at"] for e in entries[:2])
        assert service.verify_audit().ok
        assert failed_unlocks.drain(agentconsole_home) == []
        assert os.path.getsize(failed_unlocks.sidecar_path(agentconsole_home)) == 0
    finally:
        service.lock()
