"""Tampering, truncation, wrong passphrases and downgraded key slots."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agentconsole import cli
from agentconsole.vault import Vault, VaultTampered, WrongPassphrase, keys_path_for

PASS = "tamper-test-passphrase"
PAGE = 4096

# Writes into a vault and dies without checkpointing: -wal and -shm stay behind.
CRASH_WITH_WAL = r"""
import os, signal, sys
from agentconsole.vault import Vault
v = Vault.unlock(sys.argv[1], "alice", bytearray(os.environ["TEST_PASSPHRASE"].encode()))
v.connection().execute("PRAGMA wal_autocheckpoint = 0")
case = v.create_case(v.upsert_customer("CUST-WAL"), "in the wal")
v.add_message(case, "customer", "only in the write-ahead log")
os.kill(os.getpid(), signal.SIGKILL)
"""

UNLOCK = r"""
import os, sys
from agentconsole.vault import Vault, VaultTampered
try:
    Vault.unlock(sys.argv[1], "alice", bytearray(os.environ["TEST_PASSPHRASE"].encode()))
except VaultTampered as exc:
    print(exc.message)
"""


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "vault.db"
    with Vault.create(path, "alice", bytearray(PASS.encode())) as v:
        case = v.create_case(v.upsert_customer("CUST-1"), "enough pages")
        for i in range(60):
            v.add_message(case, "customer", f"message {i} " + "padding text " * 40)
    assert path.stat().st_size >= 8 * PAGE
    assert not Path(f"{path}-wal").exists()
    return path


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_flipped_byte_in_page_5_is_named(vault_path: Path) -> None:
    _flip(vault_path, 4 * PAGE + 100)
    with pytest.raises(VaultTampered, match=r"vault was modified outside agentconsole: page 5$") as info:
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))
    assert info.value.pages == [5]


def test_vault_check_prints_the_damaged_page(
    vault_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n")
    args = ["--home", str(vault_path.parent), "vault", "check", "--user", "alice", "--passphrase-file", str(secret)]
    assert cli.main(args) == 0
    assert capsys.readouterr().out.strip().startswith("OK: every page verifies; commit")
    _flip(vault_path, 4 * PAGE + 2000)
    assert cli.main(args) == 1
    assert capsys.readouterr().out.strip() == "DAMAGED: pages 5"


def test_page_1_damage_is_not_mistaken_for_a_wrong_passphrase(vault_path: Path) -> None:
    _flip(vault_path, 200)
    with pytest.raises(VaultTampered, match="page 1$"):
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))


def test_truncated_file_is_refused(vault_path: Path) -> None:
    data = vault_path.read_bytes()
    vault_path.write_bytes(data[: len(data) - PAGE // 2])
    with pytest.raises(VaultTampered, match="file truncated"):
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))
    vault_path.write_bytes(data[: len(data) - 2 * PAGE])
    with pytest.raises(VaultTampered, match="modified outside agentconsole"):
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))


def test_sqlcipher_writes_nothing_to_stderr(vault_path: Path) -> None:
    _flip(vault_path, 4 * PAGE + 100)
    result = subprocess.run(
        [sys.executable, "-c", UNLOCK, str(vault_path)],
        env={**os.environ, "TEST_PASSPHRASE": PASS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "vault was modified outside agentconsole: page 5"
    assert result.stderr == ""


def _crash_leaving_wal(vault_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASH_WITH_WAL, str(vault_path)],
        env={**os.environ, "TEST_PASSPHRASE": PASS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert Path(f"{vault_path}-wal").stat().st_size > 0


def test_wrong_passphrase_changes_nothing_on_disk(vault_path: Path) -> None:
    _crash_leaving_wal(vault_path)
    before = _snapshot(vault_path.parent)
    assert {"vault.db", "vault.db-wal", "vault.db-shm", "vault.keys"} <= set(before)
    with pytest.raises(WrongPassphrase, match="^wrong passphrase or user name$"):
        Vault.unlock(vault_path, "alice", bytearray(b"a-wrong-passphrase"))
    assert _snapshot(vault_path.parent) == before
    with Vault.unlock(vault_path, "alice", bytearray(PASS.encode())) as v:  # the WAL content is recovered
        assert next(c.title for c in v.list_cases()) == "in the wal"


def test_downgraded_kdf_is_refused_and_changes_nothing(vault_path: Path) -> None:
    keys = keys_path_for(vault_path)
    doc = json.loads(keys.read_text())
    doc["slots"][0]["kdf"].update(time_cost=1, memory_kib=8)
    keys.write_text(json.dumps(doc))
    before = _snapshot(vault_path.parent)
    with pytest.raises(VaultTampered, match="refused as a downgrade"):
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))
    assert _snapshot(vault_path.parent) == before


def test_keys_file_of_another_vault_is_refused(vault_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "vault.db"
    Vault.create(other, "alice", bytearray(PASS.encode())).lock()
    keys_path_for(vault_path).write_bytes(keys_path_for(other).read_bytes())
    with pytest.raises(VaultTampered):
        Vault.unlock(vault_path, "alice", bytearray(PASS.encode()))
