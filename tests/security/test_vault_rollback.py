"""Lost commits and rollbacks: a damaged write-ahead log, an older database, an older data directory.

SQLite drops every WAL frame after the first one whose checksum fails, and an
older copy of ``vault.db`` is intact page by page: neither shows up in
``cipher_integrity_check``. The commit seal (``vault.seal``, per commit) and the
local anchor (outside the data directory, at every lock) must catch them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole import cli
from agentconsole.compliance import local_anchor
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault, VaultRolledBack, VaultTampered, seal_path_for

PASS = "rollback-test-passphrase"
PAGE = 4096
WAL_HEADER, FRAME_HEADER = 32, 24

# Commits 20 messages (20 transactions) into the WAL only, then dies: the WAL is what a crash leaves.
COMMIT_THEN_DIE = r"""
import os, signal, sys
from agentconsole.vault import Vault
v = Vault.unlock(sys.argv[1], "alice", bytearray(os.environ["TEST_PASSPHRASE"].encode()))
v.connection().execute("PRAGMA wal_autocheckpoint = 0")
case = v.create_case(v.upsert_customer("CUST-WAL"), "in the wal")
for i in range(20):
    v.add_message(case, "customer", f"committed message {i}")
if sys.argv[2] == "die":
    os.kill(os.getpid(), signal.SIGKILL)
print("ready", flush=True)
sys.stdin.readline()          # the test flips a bit in the WAL now, while the vault is open
v.add_message(case, "customer", "one more after the flip")
if sys.argv[2] == "die-later":
    os.kill(os.getpid(), signal.SIGKILL)
v.lock()
print("locked", flush=True)
"""


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "vault.db"
    with Vault.create(path, "alice", bytearray(PASS.encode())) as v:
        case = v.create_case(v.upsert_customer("CUST-1"), "before")
        for i in range(5):
            v.add_message(case, "customer", f"message {i} " + "padding " * 40)
    return path


def _unlock(path: Path) -> Vault:
    return Vault.unlock(path, "alice", bytearray(PASS.encode()))


def _run_child(vault_path: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", COMMIT_THEN_DIE, str(vault_path), mode],
        env={**os.environ, "TEST_PASSPHRASE": PASS},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _crash_with_commits_in_wal(vault_path: Path) -> Path:
    child = _run_child(vault_path, "die")
    _, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    wal = Path(f"{vault_path}-wal")
    assert wal.stat().st_size > WAL_HEADER + 20 * (FRAME_HEADER + PAGE)
    return wal


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x04
    path.write_bytes(bytes(data))


def _frames(wal: Path) -> int:
    return (wal.stat().st_size - WAL_HEADER) // (FRAME_HEADER + PAGE)


def _check(vault_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n")
    code = cli.main(
        ["--home", str(vault_path.parent), "vault", "check", "--user", "alice", "--passphrase-file", str(secret)]
    )
    return code, capsys.readouterr().out.strip()


def test_an_intact_wal_after_a_crash_is_recovered_whole(vault_path: Path) -> None:
    _crash_with_commits_in_wal(vault_path)
    with _unlock(vault_path) as v:
        case = next(c for c in v.list_cases() if c.title == "in the wal")
        assert len(v.list_messages(case.id)) == 20


@pytest.mark.parametrize("where", ["first frame", "middle frame", "last frame", "wal header"])
def test_one_flipped_bit_in_the_wal_after_a_crash_is_detected(
    vault_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    wal = _crash_with_commits_in_wal(vault_path)
    frames = _frames(wal)
    frame = {"first frame": 0, "middle frame": frames // 2, "last frame": frames - 1}.get(where)
    offset = 12 if frame is None else WAL_HEADER + frame * (FRAME_HEADER + PAGE) + FRAME_HEADER + 1000
    _flip(wal, offset)
    with pytest.raises(VaultRolledBack, match="committed transactions are missing") as info:
        _unlock(vault_path)
    assert info.value.found < info.value.sealed
    code, out = _check(vault_path, tmp_path, capsys)
    assert code == 1 and out.startswith("ROLLED BACK: vault was rolled back or its write-ahead log damaged")


@pytest.mark.parametrize("ending", ["lock", "die-later"])
def test_a_bit_flipped_in_the_wal_while_the_vault_is_open_is_detected(vault_path: Path, ending: str) -> None:
    child = _run_child(vault_path, ending)
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    wal = Path(f"{vault_path}-wal")
    _flip(wal, WAL_HEADER + 2 * (FRAME_HEADER + PAGE) + FRAME_HEADER + 500)
    child.stdin.write("go\n")
    child.stdin.flush()
    child.communicate(timeout=120)
    # Either the damaged frame was checkpointed into the file (a page fails its HMAC) or
    # recovery dropped it and everything after (the database is behind its seal).
    with pytest.raises(VaultTampered, match="modified outside agentconsole|committed transactions are missing"):
        _unlock(vault_path)


def test_an_older_copy_of_the_database_is_refused(vault_path: Path) -> None:
    old = vault_path.read_bytes()
    with _unlock(vault_path) as v:
        v.create_case(v.upsert_customer("CUST-NEW"), "after the copy")
    vault_path.write_bytes(old)  # keys and seal stay current
    with pytest.raises(VaultRolledBack, match=r"2 committed transactions are missing") as info:
        _unlock(vault_path)
    assert info.value.sealed == info.value.found + 2  # the customer, then the case


def test_an_edited_or_missing_seal_is_refused(vault_path: Path) -> None:
    seal = seal_path_for(vault_path)
    doc = json.loads(seal.read_text())
    doc["commit"] += 5
    seal.write_text(json.dumps(doc))
    with pytest.raises(VaultTampered, match="MAC does not verify"):
        _unlock(vault_path)
    seal.unlink()
    with pytest.raises(VaultRolledBack, match="commit seal vault.seal is missing"):
        _unlock(vault_path)


def test_every_write_transaction_advances_the_seal(vault_path: Path) -> None:
    seal = seal_path_for(vault_path)
    with _unlock(vault_path) as v:
        v.update_search_index()  # messages waiting for the search index: indexing them is a write
        before = v.commit_seq()
        v.search("padding")  # reads do not count
        assert v.commit_seq() == before
        case = v.create_case(v.upsert_customer("CUST-2"), "two more commits")
        v.add_message(case, "customer", "hello")
        assert v.commit_seq() == before + 3
        assert json.loads(seal.read_text())["commit"] == before + 3
    assert oct(seal.stat().st_mode & 0o777) == "0o600"


# --- the whole data directory rolled back: the local anchor, outside it -------------------------


def _service(home: Path) -> ConsoleService:
    return ConsoleService(load_settings(home))


def test_a_restored_data_directory_is_caught_by_the_local_anchor(
    agentconsole_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = _service(agentconsole_home)
    service.create_vault("alice", bytearray(PASS.encode()))
    case_id = service.import_transcript("CUST-9001", "to be erased", [("customer", "hello there", None)])
    assert case_id
    service.lock()
    backup = tmp_path / "backup"
    shutil.copytree(agentconsole_home, backup)

    service.unlock("alice", bytearray(PASS.encode()))
    service.erase_customer("CUST-9001")
    service.lock()
    anchor_file = local_anchor.path_for(
        service.settings.anchor_dir, json.loads((agentconsole_home / "vault.seal").read_text())["database_id"]
    )
    assert anchor_file.exists() and not anchor_file.is_relative_to(agentconsole_home)

    shutil.rmtree(agentconsole_home)
    shutil.copytree(backup, agentconsole_home)  # database, keys, seal: all older, all consistent
    with pytest.raises(VaultRolledBack, match="vault was rolled back: the local anchor"):
        _service(agentconsole_home).unlock("alice", bytearray(PASS.encode()))
    code, out = _check(agentconsole_home / "vault.db", tmp_path, capsys)
    assert code == 1 and out.startswith("ROLLED BACK: vault was rolled back: the local anchor")

    # A supervisor who restored the backup on purpose accepts it; that is audited.
    secret = tmp_path / "pass.txt"
    assert cli.main(["vault", "accept-rollback", "--user", "alice", "--passphrase-file", str(secret)]) == 0
    service = _service(agentconsole_home)
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        accepted = service.audit_entries(action="vault.rollback_accepted")
        assert len(accepted) == 1 and accepted[0].details["anchor_commit"] > accepted[0].details["database_commit"]
        assert [e.action for e in service.audit_entries(action="vault.rollback_detected")] == [
            "vault.rollback_detected"
        ]
        assert service.get_case(case_id).customer_ref == "CUST-9001"  # the backup's state, as accepted
        assert service.verify_audit().ok
    finally:
        service.lock()


def test_an_agent_cannot_accept_a_rollback(agentconsole_home: Path, tmp_path: Path) -> None:
    service = _service(agentconsole_home)
    service.create_vault("alice", bytearray(PASS.encode()))
    service.user_add("bob", "agent", bytearray(b"bob-rollback-passphrase"))
    service.lock()
    db = agentconsole_home / "vault.db"
    old = db.read_bytes()
    service.unlock("alice", bytearray(PASS.encode()))
    service.lock()
    db.write_bytes(old)
    with pytest.raises(VaultRolledBack):
        service.accept_rollback("bob", bytearray(b"bob-rollback-passphrase"))
    assert not service.is_unlocked


def test_audit_verify_reports_a_truncated_log_against_the_local_anchor(agentconsole_home: Path) -> None:
    service = _service(agentconsole_home)
    service.create_vault("alice", bytearray(PASS.encode()))
    for n in range(3):
        service.new_case(f"CUST-{n}", "a case")
    service.lock()  # the local anchor now holds the audit head
    # An insider with the key cuts the tail of the log with a SQL shell.
    with _unlock(agentconsole_home / "vault.db") as v:
        head = v.connection().execute("SELECT max(seq) FROM audit_entries").fetchone()[0]
        v.connection().execute("DELETE FROM audit_entries WHERE seq > 3")
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        result = service.verify_audit()
        assert not result.ok
        # the entries this unlock wrote follow entry 3 now, still short of the anchored head
        assert result.reason.startswith("against the local anchor: the log ends at entry ")
        assert f"but the anchor has entry {head}: entries were removed" in result.reason
    finally:
        service.lock()


def test_a_forged_local_anchor_is_reported(agentconsole_home: Path) -> None:
    service = _service(agentconsole_home)
    service.create_vault("alice", bytearray(PASS.encode()))
    service.lock()
    (anchor_file,) = service.settings.anchor_dir.glob("*.json")
    doc = json.loads(anchor_file.read_text())
    doc["commit"] = 1  # lowered, to hide a later rollback: the MAC breaks
    anchor_file.write_text(json.dumps(doc))
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        assert any("MAC does not verify" in w for w in service.unlock_warnings)
        assert [e.action for e in service.audit_entries(action="anchor.problem")] == ["anchor.problem"]
    finally:
        service.lock()
    anchor_file.unlink()
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        assert any("is missing" in w for w in service.unlock_warnings)
    finally:
        service.lock()
