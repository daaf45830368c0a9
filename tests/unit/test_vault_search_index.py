"""The search index catches up in batches: search always sees every message, the index never drifts.

Invariant (vault migration 4): a message is in ``messages_fts`` if and only if its
id is at or below meta ``search_indexed_through``. FTS5's own ``integrity-check``
(which compares the index with the ``messages`` table it indexes) is the oracle.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.vault import Vault
from agentconsole.vault.repositories.cases import SEARCH_BATCH, SEARCH_INDEXED_THROUGH
from agentconsole.vault.schema import MIGRATIONS, migrate

PASS = b"search-index-passphrase"


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


def indexed_ids(vault: Vault) -> set[int]:
    conn = vault.connection()
    # rank 0: the index is consistent in itself (rank 1 would also demand every row be indexed)
    conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 0)")
    return {int(r[0]) for r in conn.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'word'")}


def assert_index_matches_messages(vault: Vault) -> None:
    """After catching up, the index holds exactly the stored texts (FTS5 raises SQLITE_CORRUPT_VTAB otherwise)."""
    vault.update_search_index()
    vault.connection().execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")


def mark(vault: Vault) -> int:
    return int(vault.get_meta(SEARCH_INDEXED_THROUGH) or -1)


def test_new_messages_are_indexed_in_batches_and_search_sees_them_all(vault: Vault) -> None:
    case = vault.create_case(vault.upsert_customer("CUST-1"), "batches")
    ids = [vault.add_message(case, "customer", f"word number{i}") for i in range(SEARCH_BATCH + 5)]
    # the batch-th message indexed everything up to itself; the last five wait
    assert mark(vault) == ids[SEARCH_BATCH - 1]
    assert indexed_ids(vault) == set(ids[:SEARCH_BATCH])
    hits = vault.search(f"number{SEARCH_BATCH + 4}")  # a pending message: the search indexes first
    assert [h.message_id for h in hits] == [ids[-1]]
    assert mark(vault) == ids[-1] and indexed_ids(vault) == set(ids)
    assert len(vault.search("word", limit=500)) == len(ids)
    assert vault.update_search_index() == 0  # nothing left
    assert_index_matches_messages(vault)


def test_deleting_and_editing_pending_and_indexed_messages_keeps_the_index_exact(vault: Vault) -> None:
    customer = vault.upsert_customer("CUST-2")
    keep, gone = vault.create_case(customer, "keep"), vault.create_case(customer, "gone")
    indexed = [vault.add_message(keep, "customer", f"word kept{i}") for i in range(3)]
    assert vault.update_search_index() == 3
    pending_gone = vault.add_message(gone, "customer", "word pendingsecret")
    indexed_gone = indexed[0]
    with vault.transaction() as tx:  # an indexed message and a pending one are edited in place
        tx.execute("UPDATE messages SET text = 'word edited' WHERE id = ?", (indexed[1],))
        tx.execute("UPDATE messages SET case_id = ? WHERE id = ?", (gone, indexed_gone))
    vault.delete_case(gone)  # one indexed and one pending message go with it
    assert indexed_ids(vault) == {indexed[1], indexed[2]}
    assert vault.search("pendingsecret") == [] and vault.search("kept0") == []
    assert [h.message_id for h in vault.search("edited")] == [indexed[1]]
    assert pending_gone > indexed[-1] >= mark(vault)  # it was still pending when it was deleted
    assert_index_matches_messages(vault)


def test_an_id_reused_below_the_mark_is_indexed_at_once(vault: Vault) -> None:
    case = vault.create_case(vault.upsert_customer("CUST-3"), "reuse")
    first = vault.add_message(case, "customer", "word one")
    top = vault.add_message(case, "customer", "word two")
    vault.update_search_index()
    with vault.transaction() as tx:
        tx.execute("DELETE FROM messages WHERE id = ?", (top,))
    reused = vault.add_message(case, "customer", "word three")
    assert reused == top <= mark(vault)  # SQLite hands out max(id) + 1 again
    assert indexed_ids(vault) == {first, reused}
    assert [h.message_id for h in vault.search("three")] == [reused]
    assert_index_matches_messages(vault)


def test_migration_4_keeps_an_existing_index_and_marks_it_complete(tmp_path: Path) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(str(tmp_path / "plain.db"), isolation_level=None)
    conn.executescript("BEGIN;" + "".join(MIGRATIONS[:3]) + "PRAGMA user_version = 3; COMMIT;")
    conn.execute("INSERT INTO customers(ref, created_at) VALUES ('C', 'now')")
    conn.execute("INSERT INTO cases(customer_id, title, created_at, updated_at) VALUES (1, 't', 'a', 'a')")
    for i in range(5):  # indexed at once by the version-1 trigger
        conn.execute(
            "INSERT INTO messages(case_id, role, text, created_at) VALUES (1, 'agent', ?, 'a')", (f"word {i}",)
        )
    assert migrate(conn) == 3
    assert conn.execute("SELECT value FROM meta WHERE key = ?", (SEARCH_INDEXED_THROUGH,)).fetchone()[0] == "5"
    conn.execute("DELETE FROM messages WHERE id = 2")  # indexed: removed from the index by the new trigger
    conn.execute("INSERT INTO messages(case_id, role, text, created_at) VALUES (1, 'agent', 'word new', 'a')")
    conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 0)")
    ids = {r[0] for r in conn.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'word'")}
    assert ids == {1, 3, 4, 5}  # id 6 waits for the next batch


def test_seal_record_is_the_canonical_json_and_verifies(tmp_path: Path) -> None:
    import json

    from agentconsole.vault import seal

    key, database_id = bytes(range(32)), "0f1e2d3c-db"
    sealed = seal.Seal(tmp_path / "vault.seal", key, database_id, 41)
    try:
        sealed.advance(42)
        raw = (tmp_path / "vault.seal").read_bytes()
        doc = {
            "format": seal.SEAL_FORMAT,
            "version": seal.SEAL_VERSION,
            "database_id": database_id,
            "commit": 42,
            "mac": seal.seal_mac(key, database_id, 42),
        }
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("ascii")
        assert raw == canonical.ljust(seal.RECORD_BYTES - 1) + b"\n" == sealed.record(42)
        assert seal.read(tmp_path / "vault.seal", key, database_id) == seal.SealRecord(database_id, 42)
        sealed.advance(7)  # never backwards
        assert seal.read(tmp_path / "vault.seal", key, database_id) == seal.SealRecord(database_id, 42)
    finally:
        sealed.close()
