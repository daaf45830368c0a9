"""Subsystems own numbered migrations of their own tables, applied once, each atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentconsole.vault import Vault, VaultError
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.schema import migrate_subsystem, subsystem_version

PASS = b"subsystem-test-passphrase"

NOTES = Subsystem(
    "notes",
    (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
        "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;",
    ),
)


@pytest.fixture
def conn(tmp_path: Path):
    vault = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield vault.connection()
    vault.lock()


def test_subsystem_migrations_apply_in_order_and_once(conn) -> None:
    assert subsystem_version(conn, "notes") == 0
    assert migrate_subsystem(conn, Subsystem("notes", NOTES.migrations[:1])) == 0
    assert subsystem_version(conn, "notes") == 1
    assert migrate_subsystem(conn, NOTES) == 1
    assert subsystem_version(conn, "notes") == 2
    conn.execute("INSERT INTO notes (body, pinned) VALUES ('x', 1)")
    assert migrate_subsystem(conn, NOTES) == 2  # nothing left to apply
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 1


def test_a_failing_migration_leaves_the_previous_version(conn) -> None:
    broken = Subsystem("notes", (NOTES.migrations[0], "ALTER TABLE no_such_table ADD COLUMN x INTEGER;"))
    with pytest.raises(Exception, match="no_such_table"):
        migrate_subsystem(conn, broken)
    assert subsystem_version(conn, "notes") == 1
    assert not conn.in_transaction


def test_a_newer_subsystem_version_is_refused(conn) -> None:
    migrate_subsystem(conn, NOTES)
    with pytest.raises(VaultError, match="notes are at version 2, newer than this agentconsole supports"):
        migrate_subsystem(conn, Subsystem("notes", NOTES.migrations[:1]))


@pytest.mark.parametrize("name", ["Notes", "notes; DROP TABLE cases", "", "1st"])
def test_subsystem_names_are_plain_identifiers(name: str) -> None:
    with pytest.raises(ValueError, match="lowercase identifier"):
        Subsystem(name, ())
