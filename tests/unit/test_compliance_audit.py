"""The audit log's HMAC chain: canonical form, verification, anchors, on a real vault file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agentconsole.compliance.audit import (
    GENESIS_MAC,
    AuditEntry,
    AuditError,
    AuditLog,
    BadAnchor,
    canonical_entry,
    chain_mac,
    parse_anchor,
    verify_chain,
)
from agentconsole.vault import Vault, VaultRolledBack

PASS = b"audit-test-passphrase"
KEY = bytes(range(32))


def build_chain(n: int, key: bytes = KEY) -> list[AuditEntry]:
    entries, prev = [], GENESIS_MAC
    for seq in range(1, n + 1):
        fields = dict(
            seq=seq,
            time=f"2026-01-01T00:00:{seq:02d}.000000+00:00",
            actor="alice",
            action="reveal",
            subject=f"case:{seq}",
            details={"n": seq},
        )
        mac = chain_mac(key, prev, canonical_entry(**fields))
        entries.append(AuditEntry(mac=mac, **fields))
        prev = mac
    return entries


def test_canonical_entry_is_sorted_compact_json_independent_of_detail_order() -> None:
    a = canonical_entry(1, "t", "alice", "export", "customer:C1", {"b": 2, "a": 1})
    b = canonical_entry(1, "t", "alice", "export", "customer:C1", {"a": 1, "b": 2})
    assert a == b
    assert (
        a == b'{"action":"export","actor":"alice","details":{"a":1,"b":2},"seq":1,"subject":"customer:C1","time":"t"}'
    )


def test_mac_chains_the_previous_mac() -> None:
    canonical = canonical_entry(2, "t", "a", "x", "", {})
    assert chain_mac(KEY, b"\x01" * 32, canonical) != chain_mac(KEY, b"\x02" * 32, canonical)
    assert chain_mac(KEY, GENESIS_MAC, canonical) != chain_mac(bytes(32), GENESIS_MAC, canonical)


def test_intact_chain_verifies() -> None:
    result = verify_chain(build_chain(5), KEY)
    assert (result.ok, result.first_broken_seq, result.head_seq) == (True, None, 5)


def test_edited_entry_is_reported_at_its_seq() -> None:
    entries = build_chain(5)
    entries[2] = AuditEntry(**{**entries[2].__dict__, "subject": "case:99"})
    result = verify_chain(entries, KEY)
    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert "modified" in result.reason


def test_deleted_entry_is_reported_at_the_missing_seq() -> None:
    entries = build_chain(5)
    del entries[1]
    result = verify_chain(entries, KEY)
    assert (result.ok, result.first_broken_seq) == (False, 2)
    assert "missing" in result.reason


def test_reordered_entries_are_reported_at_the_first_moved_seq() -> None:
    entries = build_chain(5)
    # swap the contents of entries 3 and 4 but keep the seq column in order
    e3, e4 = entries[2], entries[3]
    entries[2] = AuditEntry(**{**e4.__dict__, "seq": 3})
    entries[3] = AuditEntry(**{**e3.__dict__, "seq": 4})
    assert verify_chain(entries, KEY).first_broken_seq == 3


def test_a_chain_written_with_another_key_fails_at_the_first_entry() -> None:
    assert verify_chain(build_chain(3, key=bytes(32)), KEY).first_broken_seq == 1


def test_anchor_detects_truncation_and_divergence_and_other_vaults() -> None:
    entries = build_chain(6)
    anchor = parse_anchor({"vault_id": "v1", "seq": 6, "mac": entries[5].mac.hex(), "time": entries[5].time})
    assert verify_chain(entries, KEY, anchor=anchor, vault_id="v1").ok
    truncated = verify_chain(entries[:4], KEY, anchor=anchor, vault_id="v1")
    assert (truncated.ok, truncated.first_broken_seq) == (False, 5)
    assert "older copy" in truncated.reason
    assert verify_chain(entries[:4], KEY).ok  # without an anchor a cut tail is invisible: why anchors exist
    rewritten = build_chain(8, key=KEY)
    rewritten = [AuditEntry(**{**e.__dict__, "actor": "mallory"}) for e in rewritten]
    prev, rebuilt = GENESIS_MAC, []
    for e in rewritten:  # a consistent chain by a key holder, rewritten from the start
        mac = chain_mac(KEY, prev, e.canonical())
        rebuilt.append(AuditEntry(**{**e.__dict__, "mac": mac}))
        prev = mac
    diverged = verify_chain(rebuilt, KEY, anchor=anchor, vault_id="v1")
    assert (diverged.ok, diverged.first_broken_seq) == (False, 6)
    assert not verify_chain(entries, KEY, anchor=anchor, vault_id="v2").ok


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"seq": -1, "mac": "00"}',
        '{"seq": 1, "mac": "zz"}',
        '{"seq": true, "mac": "' + "00" * 32 + '"}',
        '{"format": "something-else", "seq": 1, "mac": "' + "00" * 32 + '"}',
    ],
)
def test_malformed_anchors_are_refused(text: str) -> None:
    with pytest.raises(BadAnchor):
        parse_anchor(text)


# --- on a real vault ----------------------------------------------------------------------


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


def fill(vault: Vault, n: int) -> AuditLog:
    log = AuditLog(vault)
    for i in range(n):
        assert log.append("alice", "reveal", f"case:{i}", {"message": i}) == i + 1
    return log


def test_entries_are_stored_chained_and_verified(vault: Vault) -> None:
    log = fill(vault, 4)
    assert log.verify().ok and log.verify().entries == 4
    head = log.head()
    assert head["seq"] == 4 and head["vault_id"] == vault.database_id and len(bytes.fromhex(head["mac"])) == 32
    row = vault.connection().execute("SELECT details, mac FROM audit_entries WHERE seq = 2").fetchone()
    assert row[0] == '{"message":1}' and len(row[1]) == 32


def test_empty_log_head_and_verify(vault: Vault) -> None:
    log = AuditLog(vault)
    assert log.head()["seq"] == 0 and log.verify().ok
    assert log.verify(log.anchor()).ok


@pytest.mark.parametrize(
    ("tamper", "broken"),
    [
        ("UPDATE audit_entries SET subject = 'case:999' WHERE seq = 3", 3),
        ("UPDATE audit_entries SET details = '{\"message\":7}' WHERE seq = 2", 2),
        ("UPDATE audit_entries SET time = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 5", 5),
        ("DELETE FROM audit_entries WHERE seq = 4", 4),
        ("DELETE FROM audit_entries WHERE seq = 1", 1),
        ("UPDATE audit_entries SET details = 'not json' WHERE seq = 6", 6),
    ],
)
def test_tampering_in_the_table_is_found_at_the_first_broken_seq(vault: Vault, tamper: str, broken: int) -> None:
    log = fill(vault, 6)
    with vault.transaction() as conn:
        conn.execute(tamper)
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, broken)


def test_swapped_rows_are_found(vault: Vault) -> None:
    log = fill(vault, 5)
    with vault.transaction() as conn:
        conn.execute("UPDATE audit_entries SET seq = -2 WHERE seq = 2")
        conn.execute("UPDATE audit_entries SET seq = 2 WHERE seq = 3")
        conn.execute("UPDATE audit_entries SET seq = 3 WHERE seq = -2")
    assert log.verify().first_broken_seq == 2


def test_truncation_is_caught_only_with_an_anchor(vault: Vault) -> None:
    log = fill(vault, 5)
    anchor = log.anchor().as_json()
    with vault.transaction() as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq >= 4")
    assert log.verify().ok
    result = log.verify(anchor)
    assert (result.ok, result.first_broken_seq) == (False, 4)


def test_restored_older_copy_of_the_vault_is_caught_with_an_anchor(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    vault = Vault.create(path, "alice", bytearray(PASS))
    fill(vault, 3)
    vault.checkpoint()
    vault.lock()
    backup = tmp_path / "backup"
    backup.mkdir()
    for name in ("vault.db", "vault.keys", "vault.seal"):
        shutil.copy2(tmp_path / name, backup / name)

    vault = Vault.unlock(path, "alice", bytearray(PASS))
    log = AuditLog(vault)
    log.append("alice", "erase", "customer:C9", {"cases": 2})  # what someone wants to hide
    anchor = log.anchor().as_json()
    vault.lock()
    for name in ("vault.db", "vault.keys"):
        shutil.copy2(backup / name, tmp_path / name)
    for stale in ("vault.db-wal", "vault.db-shm"):
        (tmp_path / stale).unlink(missing_ok=True)
    with pytest.raises(VaultRolledBack):  # the commit seal, newer than this copy, already refuses it
        Vault.unlock(path, "alice", bytearray(PASS))
    shutil.copy2(backup / "vault.seal", tmp_path / "vault.seal")  # the whole directory restored: the chain's turn

    vault = Vault.unlock(path, "alice", bytearray(PASS))
    try:
        log = AuditLog(vault)
        assert log.verify().ok  # the old copy is internally consistent
        result = log.verify(anchor)
        assert (result.ok, result.first_broken_seq) == (False, 4)
        log.append("alice", "unlock", "user:alice")  # new activity re-reaching the anchored seq
        result = log.verify(anchor)
        assert (result.ok, result.first_broken_seq) == (False, 4)
    finally:
        vault.lock()


def test_anchor_from_another_vault_is_refused(vault: Vault, tmp_path: Path) -> None:
    other = Vault.create(tmp_path / "other" / "vault.db", "bob", bytearray(PASS))
    try:
        anchor = fill(other, 2).anchor().as_json()
    finally:
        other.lock()
    log = fill(vault, 2)
    result = log.verify(anchor)
    assert not result.ok and "different vault" in result.reason


def test_rekey_keeps_the_chain_and_earlier_anchors_valid(vault: Vault) -> None:
    log = fill(vault, 3)
    anchor = log.anchor().as_json()
    vault.rekey()
    log.append("alice", "vault.rekey", "vault")
    assert log.verify(anchor).ok


def test_details_must_be_plain_json(vault: Vault) -> None:
    log = AuditLog(vault)
    with pytest.raises(AuditError):
        log.append("alice", "x", "", {"when": object()})
    with pytest.raises(AuditError):
        log.append("alice", "x", "", {"ratio": float("nan")})
    with pytest.raises(AuditError):
        log.append("alice", "x" * 600)
    assert log.head()["seq"] == 0


def test_entries_filter_by_time_actor_and_action_prefix(vault: Vault) -> None:
    log = AuditLog(vault)
    log.append("alice", "unlock", "user:alice")
    log.append("bob", "unlock.failed", "user:bob")
    log.append("bob", "unlocked.other", "user:bob")
    log.append("alice", "export", "customer:C1")
    assert [e.seq for e in log.entries(action="unlock")] == [1, 2]
    assert [e.seq for e in log.entries(actor="bob")] == [2, 3]
    assert [e.seq for e in log.entries(actor="alice", action="export")] == [4]
    assert [e.seq for e in log.entries(limit=2)] == [3, 4]
    assert len(log.entries(since="2000-01-01")) == 4
    assert log.entries(since="2999-01-01T00:00") == []
    with pytest.raises(AuditError, match="not a date"):
        log.entries(since="yesterday")
    assert json.loads(json.dumps(log.entries()[0].as_json()))["action"] == "unlock"


def test_appends_from_many_threads_form_one_unbroken_chain(vault: Vault) -> None:
    from concurrent.futures import ThreadPoolExecutor

    log = AuditLog(vault)
    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = list(pool.map(lambda i: log.append(f"user{i % 4}", "reveal", f"case:{i}"), range(100)))
    assert sorted(seqs) == list(range(1, 101))
    result = log.verify()
    assert result.ok and result.entries == 100
