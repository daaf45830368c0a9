"""Key slots: Argon2id parameters, wrapping, passphrase changes, users."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from agentconsole.vault import (
    Vault,
    VaultError,
    VaultExists,
    VaultNotFound,
    VaultTampered,
    WrongPassphrase,
    keys_path_for,
)

ALICE = b"alice-passphrase-1"
BOB = b"bob-passphrase-22"


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "vault.db"


@pytest.fixture
def vault(vault_path: Path):
    v = Vault.create(vault_path, "alice", bytearray(ALICE))
    yield v
    v.lock()


def _keys(path: Path) -> dict:
    return json.loads(keys_path_for(path).read_text())


def test_create_writes_private_files_and_default_argon2id_params(vault: Vault, vault_path: Path) -> None:
    assert vault.user == "alice" and vault.role == "supervisor" and not vault.is_locked
    assert stat.S_IMODE(vault_path.parent.stat().st_mode) == 0o700
    for f in (vault_path, keys_path_for(vault_path)):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    doc = _keys(vault_path)
    (slot,) = doc["slots"]
    assert (slot["user"], slot["role"]) == ("alice", "supervisor")
    assert slot["kdf"]["algorithm"] == "argon2id"
    assert (slot["kdf"]["time_cost"], slot["kdf"]["memory_kib"], slot["kdf"]["parallelism"]) == (3, 65536, 4)
    assert doc["pending_generation"] is None


def test_keys_file_holds_no_key_or_passphrase_in_clear(vault: Vault, vault_path: Path) -> None:
    raw = keys_path_for(vault_path).read_bytes()
    data_key = bytes(vault._data_key)
    for needle in (data_key, data_key.hex().encode(), data_key.hex().upper().encode(), ALICE):
        assert needle not in raw


def test_wrong_passphrase_is_clear(vault: Vault, vault_path: Path) -> None:
    vault.lock()
    with pytest.raises(WrongPassphrase, match="^wrong passphrase or user name$"):
        Vault.unlock(vault_path, "alice", bytearray(b"not-the-passphrase"))
    with pytest.raises(WrongPassphrase, match="^wrong passphrase or user name$"):
        Vault.unlock(vault_path, "mallory", bytearray(ALICE))
    Vault.unlock(vault_path, "alice", bytearray(ALICE)).lock()


def test_create_refuses_existing_vault_and_unlock_needs_one(vault: Vault, vault_path: Path, tmp_path: Path) -> None:
    assert Vault.exists(vault_path)
    with pytest.raises(VaultExists):
        Vault.create(vault_path, "bob", bytearray(BOB))
    assert not Vault.exists(tmp_path / "elsewhere" / "vault.db")
    with pytest.raises(VaultNotFound):
        Vault.unlock(tmp_path / "elsewhere" / "vault.db", "alice", bytearray(ALICE))


def test_missing_keys_file_is_reported(vault: Vault, vault_path: Path) -> None:
    vault.lock()
    keys_path_for(vault_path).rename(vault_path.with_name("moved.keys"))
    with pytest.raises(VaultNotFound, match="keys file missing"):
        Vault.unlock(vault_path, "alice", bytearray(ALICE))


@pytest.mark.parametrize(("field", "value"), [("time_cost", 2), ("memory_kib", 32768), ("time_cost", 1)])
def test_downgraded_kdf_params_are_refused(vault: Vault, vault_path: Path, field: str, value: int) -> None:
    vault.lock()
    doc = _keys(vault_path)
    doc["slots"][0]["kdf"][field] = value
    keys_path_for(vault_path).write_text(json.dumps(doc))
    with pytest.raises(VaultTampered, match="downgrade"):
        Vault.unlock(vault_path, "alice", bytearray(ALICE))


def test_role_is_bound_to_the_slot(vault: Vault, vault_path: Path) -> None:
    vault.add_user("bob", "agent", bytearray(BOB))
    vault.lock()
    doc = _keys(vault_path)
    doc["slots"][1]["role"] = "supervisor"  # bob promotes himself by editing the file
    keys_path_for(vault_path).write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, "bob", bytearray(BOB))


def test_damaged_keys_file_is_refused(vault: Vault, vault_path: Path) -> None:
    vault.lock()
    keys_path_for(vault_path).write_text("{not json")
    with pytest.raises(VaultTampered, match="keys file"):
        Vault.unlock(vault_path, "alice", bytearray(ALICE))


def test_users_can_be_added_listed_and_removed(vault: Vault, vault_path: Path) -> None:
    vault.add_user("bob", "agent", bytearray(BOB))
    vault.add_user("carol", "auditor", bytearray(b"carol-passphrase"))
    assert vault.list_users() == [("alice", "supervisor"), ("bob", "agent"), ("carol", "auditor")]
    with pytest.raises(VaultError, match="already exists"):
        vault.add_user("bob", "agent", bytearray(BOB))
    with pytest.raises(VaultError, match="unknown role"):
        vault.add_user("dave", "admin", bytearray(BOB))
    with pytest.raises(VaultError, match="user names"):
        vault.add_user("../etc", "agent", bytearray(BOB))
    with pytest.raises(VaultError, match="at least one supervisor"):
        vault.remove_user("alice")
    vault.remove_user("carol")
    with pytest.raises(VaultError, match="no user carol"):
        vault.remove_user("carol")
    vault.lock()
    bob = Vault.unlock(vault_path, "bob", bytearray(BOB))
    assert (bob.user, bob.role) == ("bob", "agent")
    bob.lock()
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, "carol", bytearray(b"carol-passphrase"))


def test_change_passphrase_rewraps_only_that_slot(vault: Vault, vault_path: Path) -> None:
    vault.add_user("bob", "agent", bytearray(BOB))
    vault.lock()
    before = _keys(vault_path)
    Vault.change_passphrase(vault_path, "alice", bytearray(ALICE), bytearray(b"alice-new-passphrase"))
    after = _keys(vault_path)
    assert after["slots"][1] == before["slots"][1]
    assert after["slots"][0]["kdf"]["salt"] != before["slots"][0]["kdf"]["salt"]
    with pytest.raises(WrongPassphrase):
        Vault.unlock(vault_path, "alice", bytearray(ALICE))
    Vault.unlock(vault_path, "alice", bytearray(b"alice-new-passphrase")).lock()
    Vault.unlock(vault_path, "bob", bytearray(BOB)).lock()
    with pytest.raises(WrongPassphrase):
        Vault.change_passphrase(vault_path, "bob", bytearray(b"guess"), bytearray(b"whatever-new"))


def test_change_passphrase_works_while_this_process_holds_the_vault(vault: Vault, vault_path: Path) -> None:
    Vault.change_passphrase(vault_path, "alice", bytearray(ALICE), bytearray(b"alice-new-passphrase"))
    assert vault.list_users() == [("alice", "supervisor")]  # still usable
    vault.lock()
    Vault.unlock(vault_path, "alice", bytearray(b"alice-new-passphrase")).lock()


def test_data_key_material_is_per_purpose_and_survives_rekey(vault: Vault) -> None:
    audit = vault.data_key_material(b"audit-mac")
    assert len(audit) == 32 and audit != vault.data_key_material(b"other")
    vault.rekey()
    assert vault.data_key_material(b"audit-mac") == audit


def test_rekey_changes_the_data_key_and_keeps_every_user(vault: Vault, vault_path: Path) -> None:
    vault.add_user("bob", "agent", bytearray(BOB))
    old = bytes(vault._data_key)
    vault.rekey()
    assert bytes(vault._data_key) != old
    assert _keys(vault_path)["generation"] == 2
    vault.lock()
    Vault.unlock(vault_path, "bob", bytearray(BOB)).lock()
    Vault.unlock(vault_path, "alice", bytearray(ALICE)).lock()
