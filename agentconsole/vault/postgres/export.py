"""``vault migrate --to file``: copy a team store into a new file vault, resumably, verified.

For an offline demo or leaving the team store. The supervisor running it reads
every case (row-level security lets a supervisor see all teams), decrypts it and
writes it into a file vault created for them with the same passphrase. Rows keep
their ids; the team's root of derived keys is carried over, so the audit chain's
MACs verify unchanged in the file vault; the file vault's full-text index is
built by its own triggers. Each case is one transaction and a rerun skips cases
already complete, so a killed run is resumed by running the command again. At
the end every table is counted on both sides.

Not carried: the other members' key slots (they wrap the team's data key; the
file vault has its own: add them with ``agentconsole user add``), the cases'
teams and soft locks (a file vault has one console).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from agentconsole.vault.errors import VaultError
from agentconsole.vault.postgres.migrate import (
    BATCH,
    COUNTED,
    CRASH_ENV,
    MIGRATED_FROM,
    MIGRATION_COMPLETE,
    MigrationCount,
    source_ids,
)
from agentconsole.vault.postgres.store import TeamVault
from agentconsole.vault.store import Vault


def _start(file_vault: Vault, team: TeamVault) -> None:
    """Mark the file vault as the copy of this team store (or check it already is); adopt its key root."""
    source = file_vault.get_meta(MIGRATED_FROM)
    if source == team.database_id:
        return
    if source is not None:
        raise VaultError(f"this file vault is being filled from another store ({source})")
    conn = file_vault.connection()
    busy = conn.execute("SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM audit_entries)").fetchone()
    if busy and int(busy[0]):
        raise VaultError("the file vault already holds data: migrate into a new one")
    root = team._material_root
    if root is None:
        raise VaultError("the team store is locked")
    file_vault.adopt_material_root(bytes(root))  # a run killed before the mark below starts again here
    file_vault.set_meta(MIGRATED_FROM, team.database_id)


def migrate_to_file(
    team: TeamVault, file_vault: Vault, *, progress: Callable[[str], None] | None = None
) -> list[MigrationCount]:
    """Copy every customer, case, message, PII value, consent and audit entry; returns the per-table counts."""
    say = progress or (lambda _m: None)
    _start(file_vault, team)
    if file_vault.get_meta(MIGRATION_COMPLETE) == team.database_id:
        say("nothing: this team store was copied already")
        return count_both(team, file_vault)
    customers = team.list_customers()
    with file_vault.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO customers (id, ref, display_name, created_at) VALUES (?, ?, ?, ?)",
            [(c.id, c.ref, c.display_name, c.created_at) for c in customers],
        )
    say(f"customers: {len(customers)}")
    cases = sorted(team.list_cases(limit=10**9), key=lambda c: c.id)
    copied = 0
    for case in cases:
        if os.environ.get(CRASH_ENV) == str(copied):
            os.kill(os.getpid(), signal.SIGKILL)
        copied += 1
        messages = team.list_messages(case.id)
        with file_vault.transaction() as conn:
            done = conn.execute(
                "SELECT (SELECT count(*) FROM messages WHERE case_id = ?) FROM cases WHERE id = ?", (case.id, case.id)
            ).fetchone()
            if done == (len(messages),):
                continue  # copied by an earlier run
            conn.execute("DELETE FROM cases WHERE id = ?", (case.id,))  # a half-copied case starts over (cascades)
            conn.execute(
                "INSERT INTO cases (id, customer_id, title, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (case.id, case.customer_id, case.title, case.status, case.created_at, case.updated_at),
            )
            conn.executemany(
                "INSERT INTO messages (id, case_id, role, text, raw_text, created_at, model, prompt_tokens, "
                "completion_tokens, ttft_ms, decode_tokens_per_s, kind, question) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        m.id,
                        case.id,
                        m.role,
                        m.text,
                        m.raw_text,
                        m.created_at,
                        m.model,
                        m.prompt_tokens,
                        m.completion_tokens,
                        m.ttft_ms,
                        m.decode_tokens_per_s,
                        m.kind,
                        m.question,
                    )
                    for m in messages
                ],
            )
            conn.executemany(
                "INSERT INTO pii_values (case_id, placeholder, entity_type, value, created_at) VALUES (?, ?, ?, ?, ?)",
                [(case.id, p.placeholder, p.entity_type, p.value, p.created_at) for p in team.pii_values(case.id)],
            )
    say(f"cases: {len(cases)}")
    consents = [(c.id, r) for c in customers for r in team.consents_of(c.id)]
    with file_vault.transaction() as conn:
        conn.execute("DELETE FROM consents")
        conn.executemany(
            "INSERT INTO consents (customer_id, given, at, agent) VALUES (?, ?, ?, ?)",
            [(cid, int(r.given), r.at, r.agent) for cid, r in consents],
        )
    rows = list(team.audit_rows())
    for start in range(0, len(rows), BATCH):
        with file_vault.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO audit_entries (seq, time, actor, action, subject, details, mac) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r.seq, r.time, r.actor, r.action, r.subject, r.details, r.mac) for r in rows[start : start + BATCH]],
            )
    say(f"audit entries: {len(rows)}")
    return count_both(team, file_vault)


def mark_complete(file_vault: Vault, team: TeamVault) -> None:
    """After a verified copy: a rerun only counts again (it never rewrites what the file vault has since changed)."""
    file_vault.set_meta(MIGRATION_COMPLETE, team.database_id)


def count_both(team: TeamVault, file_vault: Vault) -> list[MigrationCount]:
    """Count what was copied on both sides: the file side only among the team store's ids."""
    customers, case_ids, message_ids, pii, consents, audit = source_ids(team)
    conn = file_vault.connection()

    def among(table: str, column: str, ids: list[int]) -> int:
        found = 0
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found += int(conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IN ({marks})", chunk).fetchone()[0])
        return found

    sources = (len(customers), len(case_ids), len(message_ids), pii, consents, len(audit))
    targets = (
        among("customers", "id", customers),
        among("cases", "id", case_ids),
        among("messages", "id", message_ids),
        among("pii_values", "case_id", case_ids),
        among("consents", "customer_id", customers),
        among("audit_entries", "seq", audit),
    )
    return [MigrationCount(n, s, t) for n, s, t in zip(COUNTED, sources, targets, strict=True)]
