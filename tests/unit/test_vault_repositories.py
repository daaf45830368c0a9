"""The vault's repository operations for the compliance core: audit rows, consents, erasure, retention."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.vault import AuditRow, ConsentRow, RecordNotFound, Vault

PASS = b"repository-test-passphrase"
OLD = "2020-01-01T00:00:00.000000+00:00"
CUTOFF = "2024-01-01T00:00:00.000000+00:00"


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


def test_audit_rows_round_trip_in_seq_order_and_filter(vault: Vault) -> None:
    assert vault.last_audit_row() is None and vault.audit_row_count() == 0
    rows = [
        AuditRow(1, "2026-01-01T00:00:00.000000+00:00", "ann", "unlock", "user:ann", "{}", b"\x01" * 32),
        AuditRow(2, "2026-02-01T00:00:00.000000+00:00", "bob", "unlock.failed", "user:bob", '{"n":1}', b"\x02" * 32),
        AuditRow(3, "2026-03-01T00:00:00.000000+00:00", "ann", "unlockx", "", "{}", b"\x03" * 32),
    ]
    for row in reversed(rows):  # stored out of order, read back by seq
        vault.insert_audit_row(row.seq, row.time, row.actor, row.action, row.subject or "", row.details or "", row.mac)
    assert list(vault.audit_rows()) == rows
    assert vault.last_audit_row() == rows[2] and vault.audit_row_count() == 3
    assert [r.seq for r in vault.audit_rows(action="unlock")] == [1, 2]  # itself and unlock.*, not unlockx
    assert [r.seq for r in vault.audit_rows(actor="ann")] == [1, 3]
    assert [r.seq for r in vault.audit_rows(since="2026-02-01T00:00:00.000000+00:00")] == [2, 3]
    assert [r.seq for r in vault.audit_rows(actor="ann", action="unlock")] == [1]


def test_consents_append_in_time_order_for_known_customers_only(vault: Vault) -> None:
    customer = vault.upsert_customer("C1")
    vault.add_consent(customer, True, "2026-02-01T00:00:00+00:00", "ann")
    vault.add_consent(customer, False, "2026-01-01T00:00:00+00:00", "bob")
    vault.add_consent(customer, True, "2026-02-01T00:00:00+00:00", "cid")  # same time: insertion order
    assert vault.consents_of(customer) == [
        ConsentRow(False, "2026-01-01T00:00:00+00:00", "bob"),
        ConsentRow(True, "2026-02-01T00:00:00+00:00", "ann"),
        ConsentRow(True, "2026-02-01T00:00:00+00:00", "cid"),
    ]
    assert vault.consents_of(customer + 1) == []
    with pytest.raises(RecordNotFound):
        vault.add_consent(customer + 1, True, "2026-01-01T00:00:00+00:00", "ann")


def seed_customer(vault: Vault, ref: str, word: str) -> tuple[int, list[int]]:
    customer = vault.upsert_customer(ref)
    cases = [vault.create_case(customer, f"{word} case {i}") for i in range(2)]
    for case in cases:
        vault.add_message(case, "customer", f"{word} masked <PERSON_1>", raw_text=f"{word} raw")
        vault.add_message(case, "agent", f"{word} answer")
        vault.add_pii_values(case, [("<PERSON_1>", "PERSON", f"{word} value")])
    vault.add_consent(customer, True, "2026-01-01T00:00:00+00:00", "ann")
    return customer, cases


def test_holdings_count_and_delete_customer_removes_everything_of_one_customer(vault: Vault) -> None:
    doomed, doomed_cases = seed_customer(vault, "C-ERASE", "zanzibar")
    kept, kept_cases = seed_customer(vault, "C-KEEP", "quokka")
    held = vault.customer_holdings(doomed)
    assert (held.case_ids, held.messages, held.raw_texts, held.pii_values, held.consents) == (
        tuple(doomed_cases),
        4,
        2,
        2,
        1,
    )
    vault.delete_customer(doomed)
    assert vault.get_customer("C-ERASE") is None and vault.consents_of(doomed) == []
    assert vault.search("zanzibar") == [] and all(vault.list_messages(c) == [] for c in doomed_cases)
    assert all(vault.pii_values(c) == [] for c in doomed_cases)
    assert vault.customer_case_ids(kept) == kept_cases and len(vault.search("quokka")) == 4
    assert vault.customer_holdings(kept).messages == 4
    with pytest.raises(RecordNotFound):
        vault.delete_customer(doomed)
    assert vault.checkpoint() is True


def test_retention_candidates_and_expiry(vault: Vault) -> None:
    customer = vault.upsert_customer("C1")
    idle, active = vault.create_case(customer, "idle"), vault.create_case(customer, "active")
    vault.add_message(idle, "customer", "old <PERSON_1>", raw_text="old raw", created_at=OLD)
    vault.add_message(active, "customer", "new <PERSON_1>", raw_text="new raw")
    vault.add_pii_values(idle, [("<PERSON_1>", "PERSON", "Old Value")])
    vault.add_pii_values(active, [("<PERSON_1>", "PERSON", "New Value")])
    with vault.transaction() as conn:  # age the idle case and its value (the vault stamps them now)
        conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (OLD, idle))
        conn.execute("UPDATE pii_values SET created_at = ? WHERE case_id = ?", (OLD, idle))
    found = vault.retention_candidates(CUTOFF, CUTOFF)
    assert (found.pii_values, found.raw_texts, found.case_ids, found.messages) == (1, 1, (idle,), 1)
    assert vault.expire_pii_values(CUTOFF) == 1 and vault.expire_raw_texts(CUTOFF) == 1
    assert [(p.placeholder, p.value) for p in vault.pii_values(idle)] == [("<PERSON_1>", "<PERSON_1>")]
    assert [p.value for p in vault.pii_values(active)] == ["New Value"]
    assert vault.list_messages(idle)[0].raw_text is None and vault.list_messages(active)[0].raw_text == "new raw"
    again = vault.retention_candidates(CUTOFF, CUTOFF)
    assert (again.pii_values, again.raw_texts) == (0, 0)  # tombstones are not counted twice
    assert vault.expire_pii_values(CUTOFF) == 0
