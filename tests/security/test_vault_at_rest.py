"""No plaintext at rest, and deleted cases leave nothing behind (checked page by page)."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher_pages

from agentconsole.vault import Vault, keys_path_for
from agentconsole.vault.keyslots import KeysFile, open_slot

PASS = "at-rest-passphrase"
CANARY = re.compile(rb"zq[0-9a-f]{16}")

# Plants canaries in messages (FTS-indexed), raw_text and pii_values, never
# checkpoints, then dies by SIGKILL so the -wal and -shm files stay on disk.
PLANT = r"""
import os, signal, sys
from pathlib import Path
from agentconsole.vault import Vault
path, canary_file = Path(sys.argv[1]), Path(sys.argv[2])
canaries = canary_file.read_text().split()
v = Vault.create(path, "alice", bytearray(os.environ["TEST_PASSPHRASE"].encode()))
v.connection().execute("PRAGMA wal_autocheckpoint = 0")
customer = v.upsert_customer("CUST-CANARY")
text, raw, pii = canaries[:500], canaries[500:700], canaries[700:]
for n in range(100):
    case = v.create_case(customer, f"case {n}")
    words = " ".join(text[n * 5:(n + 1) * 5])
    v.add_message(case, "customer", f"my printer says {words} again", raw_text=" ".join(raw[n * 2:(n + 1) * 2]))
    v.add_pii_values(case, [(f"<PERSON_{i}>", "PERSON", value) for i, value in enumerate(pii[n * 3:(n + 1) * 3])])
assert len(v.search(text[0])) == 1
print("planted", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _data_key(db_path: Path, user: str, passphrase: str) -> bytes:
    """Unwrap the data key straight from the key slot (without opening the database)."""
    keys = KeysFile.load(keys_path_for(db_path))
    opened = open_slot(keys.slot(user), keys.database_id, bytearray(passphrase.encode()))
    try:
        return bytes(opened.data_key(keys.generation))
    finally:
        opened.close()


def _canaries_in(data: bytes, canaries: set[bytes]) -> set[bytes]:
    return set(CANARY.findall(data)) & canaries


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path, set[bytes]]:
    canaries = [f"zq{secrets.token_hex(8)}" for _ in range(1000)]
    canary_file = tmp_path / "canaries.txt"
    canary_file.write_text(" ".join(canaries))
    home, temp = tmp_path / "home", tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TEST_PASSPHRASE": PASS, "TMPDIR": str(temp), "SQLITE_TMPDIR": str(temp)}
    result = subprocess.run(
        [sys.executable, "-c", PLANT, str(home / "vault.db"), str(canary_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert result.stdout.strip() == "planted"
    canary_file.unlink()
    return home / "vault.db", temp, {c.encode() for c in canaries}


def test_no_canary_in_any_file_at_rest(planted: tuple[Path, Path, set[bytes]]) -> None:
    db, temp, canaries = planted
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    assert wal.stat().st_size > 0 and shm.exists(), "the WAL must still hold the writes"
    files = [p for p in db.parent.iterdir() if p.is_file()] + [p for p in temp.rglob("*") if p.is_file()]
    assert {db, wal, shm, keys_path_for(db)} <= set(files)
    for path in files:
        assert not _canaries_in(path.read_bytes(), canaries), f"plaintext canary in {path.name}"
    assert db.read_bytes()[:16] != sqlcipher_pages.SQLITE_HEADER

    # Positive control: the same canaries are in the decrypted pages and WAL frames.
    plain = sqlcipher_pages.all_plaintext(db, _data_key(db, "alice", PASS))
    assert _canaries_in(plain, canaries) == canaries


def test_the_vault_still_opens_after_the_crash(planted: tuple[Path, Path, set[bytes]]) -> None:
    db, _, _ = planted
    with Vault.unlock(db, "alice", bytearray(PASS.encode())) as v:
        assert len(v.list_cases()) == 100
        assert v.check_integrity() == []


def test_decryptor_reads_what_sqlcipher_wrote(tmp_path: Path) -> None:
    import sqlite3

    with Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS.encode())) as v:
        case = v.create_case(v.upsert_customer("CUST-1"), "decryptor check")
        for i in range(50):
            v.add_message(case, "customer", f"message number {i}")
        v.checkpoint()
        key = bytes(v._data_key)
        plain = sqlcipher_pages.write_plain_copy(v.path, key, tmp_path / "plain.db")
    con = sqlite3.connect(plain)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT count(*) FROM messages").fetchone() == (50,)
    finally:
        con.close()
    with pytest.raises(sqlcipher_pages.PageHmacError):
        sqlcipher_pages.decrypt_database(tmp_path / "vault.db", secrets.token_bytes(32))


@pytest.mark.parametrize("inside_transaction", [False, True], ids=["alone", "in-a-transaction"])
def test_deleted_case_leaves_no_trace_in_any_page(tmp_path: Path, inside_transaction: bool) -> None:
    doomed = {f"zqd{secrets.token_hex(8)}".encode() for _ in range(500)}
    kept = {f"zqk{secrets.token_hex(8)}".encode() for _ in range(500)}
    full = re.compile(rb"zq[dk][0-9a-f]{16}")
    with Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS.encode())) as v:
        customer = v.upsert_customer("CUST-ERASE")
        cases = {"doomed": v.create_case(customer, "to erase"), "kept": v.create_case(customer, "to keep")}
        for name, canaries in (("doomed", doomed), ("kept", kept)):
            words = sorted(c.decode() for c in canaries)
            for i in range(0, 500, 5):
                v.add_message(cases[name], "customer", "printer jam " + " ".join(words[i : i + 4]))
                v.add_pii_values(cases[name], [(f"<PERSON_{i}>", "PERSON", words[i + 4])])
        v.checkpoint()
        key = bytes(v._data_key)
        before = sqlcipher_pages.all_plaintext(v.path, key)
        assert set(full.findall(before)) >= doomed  # the decryptor sees them while they exist

        if inside_transaction:  # how erasure and retention call it: compaction once, at commit
            spare = v.create_case(customer, "also erased")
            v.add_message(spare, "note", "nothing special")
            with v.transaction():
                v.delete_case(cases["doomed"])
                v.delete_case(spare)
        else:
            v.delete_case(cases["doomed"])
        v.checkpoint()
        pages = sqlcipher_pages.decrypt_database(v.path, key)  # every page verified, free pages included
        plain = b"".join(pages)
        assert not set(full.findall(plain)) & doomed
        # not even a prefix of a deleted term (the FTS5 page directory keeps some) survives
        assert re.findall(rb"zqd[0-9a-f]{2,}", plain) == []
        assert set(full.findall(plain)) >= kept
        assert not set(full.findall(v.path.read_bytes())) & (doomed | kept)
        wal = Path(f"{v.path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
