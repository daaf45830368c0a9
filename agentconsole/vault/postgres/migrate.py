"""``vault migrate --to postgres``: copy a file vault into an empty team store, resumably, verified.

Rows keep their ids (they are bound into each cell's associated data), so a rerun
after a crash skips what is already there (``ON CONFLICT DO NOTHING``) and goes on.
The file vault's root of derived keys is carried over, so the audit chain's MACs
verify unchanged in the team store; the blind index is rebuilt under it. At the end
every table is counted on both sides and the audit chain is verified.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentconsole.vault.errors import VaultError
from agentconsole.vault.postgres.database import MATERIAL_ROOT
from agentconsole.vault.postgres.store import TeamVault

log = logging.getLogger("agentconsole.vault.team")

MIGRATED_FROM = "migrated_from"
MIGRATION_COMPLETE = "migration_complete"
BATCH = 200
#: Test hook: SIGKILL the process after copying this many cases (an interrupted migration).
CRASH_ENV = "AGENTCONSOLE_MIGRATE_CRASH_AFTER"


@dataclass(frozen=True)
class MigrationCount:
    what: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def _file_root(file_vault: Any) -> bytes:
    """The file vault's root secret of derived keys (read inside the vault package)."""
    row = file_vault.connection().execute("SELECT value FROM vault_secrets WHERE name = 'material_root'").fetchone()
    return bytes(row[0])


def _start(team: TeamVault, file_vault: Any) -> None:
    """Mark the team store as the target of this file vault (or check it already is); adopt its key root."""
    source = team.get_meta(MIGRATED_FROM)
    if source == file_vault.database_id:
        team._load_material()
        return
    if source is not None:
        raise VaultError(f"this team store is being filled from another file vault ({source})")
    with team._borrow() as conn:
        busy = conn.execute(
            "SELECT (SELECT count(*) FROM ac.customers) + (SELECT count(*) FROM ac.audit_entries)"
        ).fetchone()
    if busy and int(busy[0]):
        raise VaultError("the team store already holds data: migrate into a freshly initialised one")
    with team.transaction():
        team.set_meta(MATERIAL_ROOT, _file_root(file_vault).hex())
        team.set_meta(MIGRATED_FROM, file_vault.database_id)
    team._load_material()


def _advance_ids(team: TeamVault, highest: int) -> None:
    """Make the id sequence hand out only ids above every copied one."""
    with team.transaction() as conn:
        current = int(conn.execute("SELECT nextval('ac.row_ids')").fetchone()[0])
        if current < highest:
            conn.execute("SELECT count(nextval('ac.row_ids')) FROM generate_series(1, %s)", (highest - current,))
    team._ids.clear()


def migrate_to_team(
    file_vault: Any, team: TeamVault, *, case_team: str | None = None, progress: Callable[[str], None] | None = None
) -> list[MigrationCount]:
    """Copy every customer, case, message, PII value, consent and audit entry; returns the per-table counts."""
    say = progress or (lambda _m: None)
    _start(team, file_vault)
    if team.get_meta(MIGRATION_COMPLETE) == file_vault.database_id:
        say("nothing: this file vault was migrated already")
        return count_both(file_vault, team)
    seal, case_team = team.cipher.seal, case_team or team.team
    customers = file_vault.list_customers()
    with team.transaction() as conn:
        conn.cursor().executemany(
            "INSERT INTO ac.customers (id, ref_token, ref, display_name, created_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            [
                (
                    c.id,
                    team.refs.token("ref", c.ref),
                    seal("customers", "ref", c.id, c.ref),
                    seal("customers", "display_name", c.id, c.display_name),
                    c.created_at,
                )
                for c in customers
            ],
        )
    say(f"customers: {len(customers)}")
    cases = sorted(file_vault.list_cases(limit=10**9), key=lambda c: c.id)
    highest = max([c.id for c in customers] + [c.id for c in cases] + [0])
    copied = 0
    for case in cases:
        if os.environ.get(CRASH_ENV) == str(copied):
            os.kill(os.getpid(), signal.SIGKILL)
        copied += 1
        messages = file_vault.list_messages(case.id)
        highest = max([highest] + [m.id for m in messages])
        with team.transaction() as conn:
            if conn.execute("SELECT message_count FROM ac.cases WHERE id = %s", (case.id,)).fetchone() == (
                len(messages),
            ):
                continue  # copied by an earlier run
            conn.execute("DELETE FROM ac.cases WHERE id = %s", (case.id,))  # a half-copied case starts over
            conn.execute(
                "INSERT INTO ac.cases (id, customer_id, team, title, status, created_at, updated_at, message_count) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    case.id,
                    case.customer_id,
                    case_team,
                    seal("cases", "title", case.id, case.title),
                    case.status,
                    case.created_at,
                    case.updated_at,
                    len(messages),
                ),
            )
            cur = conn.cursor()
            cur.executemany(
                "INSERT INTO ac.messages (id, case_id, role, text, raw_text, created_at, model, prompt_tokens, "
                "completion_tokens, ttft_ms, decode_tokens_per_s, kind, question) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        m.id,
                        case.id,
                        m.role,
                        seal("messages", "text", m.id, m.text),
                        seal("messages", "raw_text", m.id, m.raw_text),
                        m.created_at,
                        m.model,
                        m.prompt_tokens,
                        m.completion_tokens,
                        m.ttft_ms,
                        m.decode_tokens_per_s,
                        m.kind,
                        seal("messages", "question", m.id, m.question),
                    )
                    for m in messages
                ],
            )
            cur.executemany(
                "INSERT INTO ac.search_tokens (token, message_id, case_id) VALUES (%s, %s, %s)",
                [(t, m.id, case.id) for m in messages for t in team.index.message_tokens(m.text)],
            )
            values = file_vault.pii_values(case.id)
            ids = team.reserve_ids(conn, len(values)) if values else []
            cur.executemany(
                "INSERT INTO ac.pii_values (id, case_id, placeholder, entity_type, value, created_at, expired) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        pid,
                        case.id,
                        p.placeholder,
                        p.entity_type,
                        seal("pii_values", "value", pid, p.value),
                        p.created_at,
                        p.value == p.placeholder,
                    )
                    for pid, p in zip(ids, values, strict=True)
                ],
            )
    say(f"cases: {len(cases)}")
    _advance_ids(team, highest)
    consents = [(c.id, r) for c in customers for r in file_vault.consents_of(c.id)]
    with team.transaction() as conn:
        conn.execute("DELETE FROM ac.consents")
        conn.cursor().executemany(
            "INSERT INTO ac.consents (customer_id, given, at, agent) VALUES (%s, %s, %s, %s)",
            [(cid, r.given, r.at, r.agent) for cid, r in consents],
        )
    rows = list(file_vault.audit_rows())
    for start in range(0, len(rows), BATCH):
        with team.transaction() as conn:
            conn.cursor().executemany(
                "INSERT INTO ac.audit_entries (seq, time, actor, action, subject, details, mac) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
                [
                    (
                        r.seq,
                        r.time,
                        r.actor,
                        r.action,
                        seal("audit_entries", "subject", r.seq, r.subject),
                        seal("audit_entries", "details", r.seq, r.details),
                        r.mac,
                    )
                    for r in rows[start : start + BATCH]
                ],
            )
    say(f"audit entries: {len(rows)}")
    return count_both(file_vault, team)


def mark_complete(team: TeamVault, file_vault: Any) -> None:
    """After a verified migration: a rerun only counts again (it never rewrites what the team has since changed)."""
    team.set_meta(MIGRATION_COMPLETE, file_vault.database_id)


#: What both migrations count, in this order.
COUNTED = ("customers", "cases", "messages", "PII values", "consents", "audit entries")


def source_ids(store: Any) -> tuple[list[int], list[int], list[int], int, int, list[int]]:
    """Ids of the source's customers, cases, messages, number of PII values and consents, audit seqs."""
    customers = [c.id for c in store.list_customers()]
    case_ids = [c.id for c in store.list_cases(limit=10**9)]
    message_ids = [m.id for c in case_ids for m in store.list_messages(c)]
    pii = sum(len(store.pii_values(c)) for c in case_ids)
    consents = sum(len(store.consents_of(c)) for c in customers)
    return customers, case_ids, message_ids, pii, consents, [r.seq for r in store.audit_rows()]


def count_both(file_vault: Any, team: TeamVault) -> list[MigrationCount]:
    """Count what was copied on both sides: the team side only among the file vault's ids."""
    customers, case_ids, message_ids, pii, consents, audit = source_ids(file_vault)
    with team._borrow() as conn:
        got = conn.execute(
            "SELECT (SELECT count(*) FROM ac.customers WHERE id = ANY(%(cu)s)), "
            "(SELECT count(*) FROM ac.cases WHERE id = ANY(%(ca)s)), "
            "(SELECT count(*) FROM ac.messages WHERE id = ANY(%(m)s)), "
            "(SELECT count(*) FROM ac.pii_values WHERE case_id = ANY(%(ca)s)), "
            "(SELECT count(*) FROM ac.consents WHERE customer_id = ANY(%(cu)s)), "
            "(SELECT count(*) FROM ac.audit_entries WHERE seq <= %(s)s)",
            {"cu": customers, "ca": case_ids, "m": message_ids, "s": max(audit, default=0)},
        ).fetchone()
    assert got is not None
    sources = (len(customers), len(case_ids), len(message_ids), pii, consents, len(audit))
    return [MigrationCount(n, s, int(t)) for n, s, t in zip(COUNTED, sources, got, strict=True)]
