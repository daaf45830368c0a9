"""What the team server, its administrators and its backups see: ciphertext only.

A real PostgreSQL server (tests/pg_server.py). Canaries are planted through every
operation that takes customer text; then the server's whole data directory (tables,
WAL, logs) and a ``pg_dump`` are scanned for them. Ciphertext damaged or moved by
someone with the server's keys (a DBA) is detected and named; a wrong passphrase or
another team's data key reads nothing.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest
from pg_server import PgServer, new_team, server_fixture, unlock

from agentconsole.compliance.audit import AuditLog
from agentconsole.vault import VaultTampered, WrongPassphrase
from agentconsole.vault.postgres import TeamVault

server = server_fixture()


def _canary(kind: str) -> str:
    return f"Qz{kind}Canary{secrets.token_hex(6)}"


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found.extend(f"{path.relative_to(root)}: {n.decode()}" for n in needles if n in data)
    return found


def test_no_canary_in_clear_in_the_data_directory_or_a_dump(server: PgServer) -> None:
    target, boss = new_team(server, members=False)
    canaries = {k: _canary(k) for k in ("ref", "name", "title", "text", "raw", "question", "pii", "audit", "subject")}
    with boss:
        cid = boss.upsert_customer(canaries["ref"], canaries["name"])
        case = boss.create_case(cid, f"Title {canaries['title']}")
        boss.add_message(case, "customer", f"hello {canaries['text']} bye", raw_text=canaries["raw"])
        boss.add_message(case, "assistant", "draft", question=f"q {canaries['question']}")
        boss.add_pii_values(case, [("<PERSON_1>", "PERSON", canaries["pii"])])
        AuditLog(boss).append("boss", "pii.reveal", f"case:{canaries['subject']}", {"value": canaries["audit"]})
        # the client itself reads them all back
        assert canaries["text"] in boss.list_messages(case)[0].text
        assert boss.search(canaries["text"])[0].case_id == case
    server.checkpoint()
    needles = [c.encode() for c in canaries.values()]
    needles += [c.lower().encode() for c in canaries.values()]
    dump = server.pg_dump(target.dbname)
    assert b"ac.messages" in dump and len(dump) > 2000  # the dump holds the store
    assert [n.decode() for n in needles if n in dump] == []
    assert _scan(server.data_dir, needles) == []
    assert (server.data_dir / "pg_wal").is_dir()


def test_tampered_ciphertext_row_is_detected_and_named(server: PgServer) -> None:
    target, boss = new_team(server, members=False)
    with boss:
        case = boss.create_case(boss.upsert_customer("CUST-T"), "title")
        first = boss.add_message(case, "customer", "first message")
        second = boss.add_message(case, "customer", "second message")
        with psycopg.connect(server.admin_dsn(target.dbname), autocommit=True) as dba:
            # one flipped bit in a stored ciphertext
            dba.execute(
                "UPDATE ac.messages SET text = set_byte(text, 30, get_byte(text, 30) # 1) WHERE id = %s", (second,)
            )
            with pytest.raises(VaultTampered, match=rf"messages\.text of row {second} does not verify"):
                boss.list_messages(case)
            with pytest.raises(VaultTampered, match=rf"messages\.text of row {second}"):
                boss.check_integrity()
            # a valid ciphertext copied into another row (or column) does not verify there either
            dba.execute(
                "UPDATE ac.messages SET text = (SELECT text FROM ac.messages WHERE id = %s) WHERE id = %s",
                (first, second),
            )
            with pytest.raises(VaultTampered, match=rf"row {second}"):
                boss.list_messages(case)
            dba.execute("UPDATE ac.cases SET title = (SELECT text FROM ac.messages WHERE id = %s)", (first,))
            with pytest.raises(VaultTampered, match=rf"cases\.title of row {case}"):
                boss.get_case(case)
            # an audit detail edited by the DBA: the entry no longer decrypts
            AuditLog(boss).append("boss", "case.open", "case:1", {"a": 1})
            dba.execute("UPDATE ac.audit_entries SET details = subject")
            with pytest.raises(VaultTampered, match=r"audit_entries\.details"):
                list(boss.audit_rows())


def test_wrong_passphrase_and_wrong_key_read_nothing(server: PgServer) -> None:
    target_a, boss_a = new_team(server, members=False)
    target_b, boss_b = new_team(server, members=False)
    with boss_a, boss_b:
        case_a = boss_a.create_case(boss_a.upsert_customer("CUST-A"), "team A")
        msg = boss_a.add_message(case_a, "customer", "only team A may read this")
        case_b = boss_b.create_case(boss_b.upsert_customer("CUST-B"), "team B")
        seq_before = boss_a.commit_seq()
        with pytest.raises(WrongPassphrase):
            TeamVault.unlock(target_a, "boss", bytearray(b"not the passphrase"))
        assert boss_a.commit_seq() == seq_before  # nothing written by the refused attempt
        # team A's ciphertext planted into team B's store: B's key (and database id) cannot open it
        with psycopg.connect(server.admin_dsn(target_a.dbname)) as a:
            blob = a.execute("SELECT text FROM ac.messages WHERE id = %s", (msg,)).fetchone()[0]
        with psycopg.connect(server.admin_dsn(target_b.dbname), autocommit=True) as b:
            b.execute(
                "INSERT INTO ac.messages (id, case_id, role, text, created_at) VALUES (%s, %s, 'customer', %s, 'x')",
                (msg, case_b, blob),
            )
        with pytest.raises(VaultTampered, match=rf"messages\.text of row {msg}"):
            boss_b.list_messages(case_b)
        # a key slot copied from team A into team B does not open there
        with psycopg.connect(server.admin_dsn(target_a.dbname)) as a:
            slot = a.execute("SELECT slot FROM ac.members WHERE name = 'boss'").fetchone()[0]
        with psycopg.connect(server.admin_dsn(target_b.dbname), autocommit=True) as b:
            b.execute("UPDATE ac.members SET slot = %s WHERE name = 'boss'", (slot,))
        with pytest.raises((WrongPassphrase, VaultTampered)):
            unlock(target_b, "boss")
