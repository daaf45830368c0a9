"""Numbered schema migrations.

The vault's own tables (cases, messages, PII values, audit, consents) are
tracked in ``PRAGMA user_version``. Every other subsystem that keeps tables in
the vault (knowledge base, bookings, ...) owns its own numbered list, declared
as a :class:`~agentconsole.vault.migrations.Subsystem` next to its repository
and listed in :data:`SUBSYSTEMS`; its version lives in ``subsystem_versions``.
Each migration is a script applied in one transaction with the version bump,
so a crash leaves the previous version intact. Never edit a released
migration: append a new one.
"""

from __future__ import annotations

from typing import Any

from agentconsole.vault.errors import VaultError
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.repositories.bookings import BOOKING_SUBSYSTEM
from agentconsole.vault.repositories.kb import KB_SUBSYSTEM
from agentconsole.vault.repositories.transparency import TRANSPARENCY
from agentconsole.vault.repositories.workflow import WORKFLOW

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- Root secret for derived keys (audit MAC...). Lives inside the encrypted
    -- database so it survives data-key rotation; never exposed through meta.
    CREATE TABLE vault_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        display_name TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX cases_by_activity ON cases(updated_at DESC, id DESC);
    CREATE INDEX cases_by_customer ON cases(customer_id);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'assistant', 'note')),
        text TEXT NOT NULL,          -- masked text (placeholders, no raw PII)
        raw_text TEXT,               -- NULL unless compliance.keep_raw_text
        created_at TEXT NOT NULL,
        model TEXT,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        ttft_ms REAL,
        decode_tokens_per_s REAL
    );
    CREATE INDEX messages_by_case ON messages(case_id, id);
    CREATE TABLE pii_values (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        placeholder TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (case_id, placeholder)
    );
    CREATE INDEX pii_values_by_created ON pii_values(created_at);
    CREATE TABLE audit_entries (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        details TEXT,
        mac BLOB NOT NULL
    );
    CREATE TABLE consents (
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        given INTEGER NOT NULL,
        at TEXT NOT NULL,
        agent TEXT NOT NULL
    );
    CREATE INDEX consents_by_customer ON consents(customer_id, at);
    -- Full-text index over the masked text; external content (no second copy
    -- of the text), secure-delete so removed rows leave no tokens behind.
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO messages_fts(messages_fts, rank) VALUES ('secure-delete', 1);
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    """,
    # 2: what a model message is (draft | summary | answer) and the agent's question it answers
    # (masked), so both survive reopening the case.
    """
    ALTER TABLE messages ADD COLUMN kind TEXT;
    ALTER TABLE messages ADD COLUMN question TEXT;
    """,
    # 3: versions of the subsystems that own tables of their own in the vault.
    """
    CREATE TABLE subsystem_versions (
        name TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    """,
    # 4: the search index catches up in batches (docs/vault.md, Performance). Invariant: a message
    # is in messages_fts if and only if its id <= meta 'search_indexed_through'. New messages above
    # it are indexed by CaseRepository.update_search_index (every SEARCH_BATCH messages and before
    # every search); a message at or below it (an id reused after the highest one was deleted) is
    # indexed at once. Deleting or editing an indexed message updates the index as before.
    """
    INSERT INTO meta(key, value) SELECT 'search_indexed_through', CAST(COALESCE(max(id), 0) AS TEXT) FROM messages;
    DROP TRIGGER messages_fts_insert;
    DROP TRIGGER messages_fts_delete;
    DROP TRIGGER messages_fts_update;
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'search_indexed_through') BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'search_indexed_through') BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'search_indexed_through') BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    """,
)

# Subsystems with tables of their own, migrated after the vault's own schema, in this order.
SUBSYSTEMS: tuple[Subsystem, ...] = (BOOKING_SUBSYSTEM, WORKFLOW, TRANSPARENCY, KB_SUBSYSTEM)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: Any) -> int:
    """Bring the database to :data:`SCHEMA_VERSION` and every subsystem to its latest version.

    Returns the vault's own version found before.
    """
    found: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise VaultError(
            f"vault schema version {found} is newer than this agentconsole supports ({SCHEMA_VERSION}); upgrade agentconsole"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        script = MIGRATIONS[version - 1]
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {int(version)};\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    for subsystem in SUBSYSTEMS:
        migrate_subsystem(conn, subsystem)
    return found


def subsystem_version(conn: Any, name: str) -> int:
    """The version of subsystem *name* in this vault (0: none of its tables exist yet)."""
    row = conn.execute("SELECT version FROM subsystem_versions WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def migrate_subsystem(conn: Any, subsystem: Subsystem) -> int:
    """Apply *subsystem*'s pending migrations, each with its version bump in one transaction.

    Returns the version found before.
    """
    found = subsystem_version(conn, subsystem.name)
    latest = len(subsystem.migrations)
    if found > latest:
        raise VaultError(
            f"vault tables of {subsystem.name} are at version {found}, newer than this agentconsole supports "
            f"({latest}); upgrade agentconsole"
        )
    for version in range(found + 1, latest + 1):
        script = subsystem.migrations[version - 1]
        bump = (
            f"INSERT INTO subsystem_versions (name, version) VALUES ('{subsystem.name}', {int(version)}) "
            "ON CONFLICT(name) DO UPDATE SET version = excluded.version;"
        )
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\n{bump}\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return found
