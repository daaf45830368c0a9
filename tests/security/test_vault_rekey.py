"""passwd leaves the database alone; rekey replaces the key and survives being killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher_pages

from agentconsole import cli
from agentconsole.vault import Vault, WrongPassphrase, keys_path_for
from agentconsole.vault.store import CRASH_ENV, REKEY_STAGES

ALICE, BOB = "alice-rekey-passphrase", "bob-rekey-passphrase"

REKEY = r"""
import os, sys
from agentconsole.vault import Vault
v = Vault.unlock(sys.argv[1], "alice", bytearray(os.environ["TEST_PASSPHRASE"].encode()))
v.rekey()
v.lock()
print("rekeyed")
"""


def _content(v: Vault) -> list:
    cases = v.list_cases()
    return [
        (
            c.title,
            c.status,
            [(m.role, m.text, m.model) for m in v.list_messages(c.id)],
            [(p.placeholder, p.value) for p in v.pii_values(c.id)],
        )
        for c in cases
    ]


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "vault.db"
    with Vault.create(path, "alice", bytearray(ALICE.encode())) as v:
        v.add_user("bob", "agent", bytearray(BOB.encode()))
        customer = v.upsert_customer("CUST-R")
        for n in range(20):
            case = v.create_case(customer, f"case {n}")
            v.add_message(case, "customer", f"the scanner {n} shows a paper jam " + "detail " * 50)
            v.add_message(case, "assistant", f"try reseating tray {n}", model="smollm2", prompt_tokens=10)
            v.add_pii_values(case, [("<PERSON_1>", "PERSON", f"Synthetic Person {n}")])
    return path


def _unlock(path: Path, user: str = "alice", passphrase: str = ALICE) -> Vault:
    return Vault.unlock(path, user, bytearray(passphrase.encode()))


def _write(path: Path, text: str) -> Path:
    path.write_text(text + "\n")
    return path


def test_passwd_leaves_the_database_byte_identical(vault_path: Path, tmp_path: Path) -> None:
    before = vault_path.read_bytes()
    bob_slot = json.loads(keys_path_for(vault_path).read_text())["slots"][1]
    old, new = _write(tmp_path / "old", ALICE), _write(tmp_path / "new", "alice-brand-new-passphrase")
    code = cli.main(
        [
            "--home",
            str(vault_path.parent),
            "passwd",
            "--user",
            "alice",
            "--passphrase-file",
            str(old),
            "--new-passphrase-file",
            str(new),
        ]
    )
    assert code == 0
    assert vault_path.read_bytes() == before
    assert not Path(f"{vault_path}-wal").exists()
    assert json.loads(keys_path_for(vault_path).read_text())["slots"][1] == bob_slot
    with pytest.raises(WrongPassphrase):
        _unlock(vault_path)
    _unlock(vault_path, passphrase="alice-brand-new-passphrase").lock()
    _unlock(vault_path, "bob", BOB).lock()


def test_rekey_retires_the_old_key_and_keeps_every_row(vault_path: Path) -> None:
    import sqlcipher3

    with _unlock(vault_path) as v:
        old_key = bytes(v._data_key)
        content = _content(v)
        v.rekey()
        new_key = bytes(v._data_key)
        assert new_key != old_key
        assert _content(v) == content
    with pytest.raises(sqlcipher_pages.PageHmacError):
        sqlcipher_pages.decrypt_database(vault_path, old_key)
    assert len(sqlcipher_pages.decrypt_database(vault_path, new_key)) > 1
    conn = sqlcipher3.connect(str(vault_path))
    try:
        conn.set_key(bytearray(b"x'" + old_key.hex().encode() + b"'"))
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    for user, passphrase in (("alice", ALICE), ("bob", BOB)):
        with _unlock(vault_path, user, passphrase) as v:
            assert _content(v) == content
            assert len(v.search("scanner jam")) == 20
            assert v.check_integrity() == []


@pytest.mark.parametrize("stage", REKEY_STAGES)
def test_rekey_killed_at_any_stage_leaves_a_vault_that_opens(vault_path: Path, stage: str) -> None:
    with _unlock(vault_path) as v:
        content = _content(v)
        old_key = bytes(v._data_key)
    result = subprocess.run(
        [sys.executable, "-c", REKEY, str(vault_path)],
        env={**os.environ, "TEST_PASSPHRASE": ALICE, CRASH_ENV: stage},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == -signal.SIGKILL, f"did not reach {stage}: {result.stdout} {result.stderr}"
    keys_before = json.loads(keys_path_for(vault_path).read_text())
    assert keys_before["pending_generation"] == 2  # the crash really happened mid-rekey

    for user, passphrase in (("bob", BOB), ("alice", ALICE)):
        with _unlock(vault_path, user, passphrase) as v:
            assert _content(v) == content
            assert v.check_integrity() == []
            on_new_key = bytes(v._data_key) != old_key
    assert on_new_key == (stage == "swapped")
    keys = json.loads(keys_path_for(vault_path).read_text())
    assert keys["pending_generation"] is None
    assert keys["generation"] == (2 if stage == "swapped" else 1)
    assert sorted(p.name for p in vault_path.parent.iterdir()) == ["vault.db", "vault.keys", "vault.lock", "vault.seal"]

    with _unlock(vault_path) as v:  # and a later rekey completes
        v.rekey()
        assert _content(v) == content
