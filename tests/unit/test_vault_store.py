"""Vault domain data: schema, customers, cases, messages, PII values, search, lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole import logs
from agentconsole.vault import (
    SNIPPET_END,
    SNIPPET_START,
    RecordNotFound,
    Vault,
    VaultError,
    VaultLocked,
    fts_query,
)
from agentconsole.vault.schema import SCHEMA_VERSION

PASS = b"store-test-passphrase"


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


@pytest.fixture
def case_id(vault: Vault) -> int:
    return vault.create_case(vault.upsert_customer("CUST-001", "Example Customer"), "Router keeps rebooting")


def test_schema_is_versioned_and_connection_is_hardened(vault: Vault) -> None:
    conn = vault.connection()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2
    # Off on purpose (docs/vault.md, Performance): SQLCipher's default since 4.5.
    assert conn.execute("PRAGMA cipher_memory_security").fetchone()[0] == "0"
    assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table')")}
    assert {
        "customers",
        "cases",
        "messages",
        "pii_values",
        "audit_entries",
        "consents",
        "meta",
        "messages_fts",
    } <= tables
    assert conn.execute("SELECT v FROM messages_fts_config WHERE k = 'secure-delete'").fetchone()[0] == 1


def test_customers_upsert_keeps_one_row(vault: Vault) -> None:
    a = vault.upsert_customer("CUST-7")
    b = vault.upsert_customer("CUST-7", "Display Name")
    assert a == b
    assert vault.get_customer("CUST-7").display_name == "Display Name"
    vault.upsert_customer("CUST-7")  # no name: keeps the known one
    assert vault.get_customer("CUST-7").display_name == "Display Name"
    assert vault.get_customer("nobody") is None
    assert [c.ref for c in vault.list_customers()] == ["CUST-7"]


def test_cases_are_listed_by_latest_activity(vault: Vault) -> None:
    cust = vault.upsert_customer("CUST-1")
    first = vault.create_case(cust, "first")
    second = vault.create_case(cust, "second")
    assert [c.id for c in vault.list_cases()] == [second, first]
    vault.add_message(first, "customer", "a new reply")
    cases = vault.list_cases()
    assert [c.id for c in cases] == [first, second]
    assert cases[0].message_count == 1 and cases[0].customer_ref == "CUST-1"
    vault.set_case_title(second, "second, renamed")
    assert vault.get_case(second).title == "second, renamed"
    vault.set_case_status(second, "closed")
    assert [c.id for c in vault.list_cases(status="closed")] == [second]
    assert [c.id for c in vault.list_cases(limit=1)] == [second]  # a status change is activity
    with pytest.raises(VaultError, match="unknown case status"):
        vault.set_case_status(first, "archived")
    with pytest.raises(RecordNotFound):
        vault.get_case(999)
    with pytest.raises(RecordNotFound):
        vault.create_case(999, "no such customer")


def test_messages_keep_model_metrics_and_no_raw_text_by_default(vault: Vault, case_id: int) -> None:
    vault.add_message(case_id, "customer", "Hi, I am <PERSON_1>", created_at="2026-01-01T00:00:00+00:00")
    mid = vault.add_message(
        case_id,
        "assistant",
        "Hello <PERSON_1>",
        model="smollm2",
        prompt_tokens=40,
        completion_tokens=5,
        ttft_ms=12.5,
        decode_tokens_per_s=80.0,
    )
    first, second = vault.list_messages(case_id)
    assert first.created_at == "2026-01-01T00:00:00+00:00" and first.raw_text is None
    assert (second.id, second.model, second.prompt_tokens, second.completion_tokens) == (mid, "smollm2", 40, 5)
    assert (second.ttft_ms, second.decode_tokens_per_s) == (12.5, 80.0)
    with pytest.raises(VaultError, match="unknown message role"):
        vault.add_message(case_id, "robot", "x")
    with pytest.raises(RecordNotFound):
        vault.add_message(999, "note", "x")


def test_pii_values_keep_first_value_and_hide_it_in_repr(vault: Vault, case_id: int) -> None:
    vault.add_pii_values(
        case_id, [("<PERSON_1>", "PERSON", "Quentin Example"), ("<EMAIL_1>", "EMAIL_ADDRESS", "q@example.test")]
    )
    vault.add_pii_values(case_id, [("<PERSON_1>", "PERSON", "Someone Else")])
    values = vault.pii_values(case_id)
    assert [(v.placeholder, v.value) for v in values] == [
        ("<PERSON_1>", "Quentin Example"),
        ("<EMAIL_1>", "q@example.test"),
    ]
    assert "Quentin" not in repr(values[0])


def test_delete_case_cascades_to_messages_pii_and_search(vault: Vault, case_id: int) -> None:
    other = vault.create_case(vault.upsert_customer("CUST-2"), "other")
    vault.add_message(case_id, "customer", "firmware zanzibar crashed")
    vault.add_message(other, "customer", "firmware fine here")
    vault.add_pii_values(case_id, [("<PERSON_1>", "PERSON", "Val")])
    assert len(vault.search("firmware")) == 2
    vault.delete_case(case_id)
    assert vault.search("zanzibar") == []
    assert [h.case_id for h in vault.search("firmware")] == [other]
    assert vault.list_messages(case_id) == [] and vault.pii_values(case_id) == []
    with pytest.raises(RecordNotFound):
        vault.delete_case(case_id)
    conn = vault.connection()
    # Raises SQLITE_CORRUPT_VTAB if the index disagrees with the messages table.
    conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    conn.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, messages_fts, 'row')")
    try:
        terms = dict(conn.execute("SELECT term, doc FROM temp.fts_terms").fetchall())
    finally:
        conn.execute("DROP TABLE temp.fts_terms")
    assert "zanzibar" not in terms and "crashed" not in terms
    assert terms["firmware"] == 1


def test_search_ranks_by_bm25_and_marks_matches(vault: Vault, case_id: int) -> None:
    weak = vault.add_message(case_id, "customer", "the modem light is blinking and the internet is slow today")
    strong = vault.add_message(case_id, "agent", "modem modem: please restart the modem")
    vault.add_message(case_id, "note", "unrelated note")
    hits = vault.search("modem")
    assert [h.message_id for h in hits] == [strong, weak]
    assert hits[0].rank <= hits[1].rank
    assert hits[0].case_title == "Router keeps rebooting"
    assert f"{SNIPPET_START}modem{SNIPPET_END}" in hits[0].snippet
    assert [h.message_id for h in vault.search("blink*")] == [weak]
    assert vault.search("modem", limit=1)[0].message_id == strong


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'modem"',
        "NEAR(modem",
        "modem AND",
        "OR",
        "-modem",
        "text:modem",
        "^modem",
        "(",
        "*",
        "modem + -",
        "'; DROP TABLE messages; --",
    ],
)
def test_search_accepts_any_user_text(vault: Vault, case_id: int, text: str) -> None:
    vault.add_message(case_id, "customer", "modem and router")
    vault.search(text)  # never an FTS5 syntax error
    assert vault.list_messages(case_id)


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('printer "jam') == '"printer" "jam"'
    assert fts_query("reboot* now") == '"reboot"* "now"'
    assert fts_query("  ") == ""


def test_search_finds_what_fts5_rank_order_finds(vault: Vault, case_id: int) -> None:
    """The two-step search statement returns FTS5's own ``ORDER BY rank`` rows and scores."""
    words = ["modem", "router", "refund", "printer", "invoice", "token"]
    for i in range(120):
        vault.add_message(
            case_id, "customer", " ".join(words[(i + k) % 6] for k in range(1 + i % 5)) + f" filler {i % 7}"
        )
    vault.update_search_index()  # the raw FTS5 query below does not catch up by itself, search() does
    conn = vault.connection()
    for query, limit in (("modem", 50), ("router refund", 10), ("inv*", 3), ("filler", 200)):
        expected = conn.execute(
            "SELECT rowid, rank FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?",
            (fts_query(query), 1000),
        ).fetchall()
        hits = vault.search(query, limit=limit)
        assert len(hits) == min(limit, len(expected))
        assert [h.rank for h in hits] == pytest.approx([r[1] for r in expected[:limit]])
        assert [h.rank for h in hits] == sorted(h.rank for h in hits)
        best = {r[0] for r in expected if r[1] < expected[len(hits) - 1][1]}  # strictly better than the cut-off
        assert best <= {h.message_id for h in hits}


def test_transaction_is_atomic_and_nests(vault: Vault, case_id: int) -> None:
    with pytest.raises(RuntimeError), vault.transaction():
        vault.add_message(case_id, "note", "inside a failed transaction")
        raise RuntimeError("boom")
    assert vault.list_messages(case_id) == []
    with vault.transaction():
        vault.add_message(case_id, "note", "kept")
        with pytest.raises(RuntimeError), vault.transaction():
            vault.add_message(case_id, "note", "rolled back")
            raise RuntimeError("inner")
    assert [m.text for m in vault.list_messages(case_id)] == ["kept"]


def test_meta_round_trip(vault: Vault) -> None:
    assert vault.get_meta("retention_last_run") is None
    vault.set_meta("retention_last_run", "2026-01-02")
    vault.set_meta("retention_last_run", "2026-01-03")
    assert vault.get_meta("retention_last_run") == "2026-01-03"
    assert vault.get_meta("database_id") == vault.database_id


def test_lock_zeroes_the_key_and_blocks_every_call(vault: Vault, case_id: int) -> None:
    key_hex = bytes(vault._data_key).hex()
    assert logs.redact(f"key={key_hex}") == f"key={logs.REDACTED}"
    key = vault._data_key
    vault.lock()
    assert vault.is_locked and bytes(key) == bytes(len(key))
    assert logs.redact(key_hex) == key_hex
    for call in (
        lambda: vault.list_cases(),
        lambda: vault.add_message(case_id, "note", "x"),
        lambda: vault.search("x"),
        lambda: vault.connection(),
        lambda: vault.list_users(),
        lambda: vault.data_key_material(b"audit"),
        lambda: vault.rekey(),
    ):
        with pytest.raises(VaultLocked):
            call()
    vault.lock()  # idempotent


def test_integrity_check_of_a_healthy_vault_is_empty(vault: Vault, case_id: int) -> None:
    vault.add_message(case_id, "customer", "some text " * 100)
    assert vault.check_integrity() == []
