"""Audit rows, consents, erasure and retention on the team store.

The same operations as :class:`agentconsole.vault.repositories.ComplianceRepository`.
Audit subjects and details are encrypted (bound to the entry's seq); the chain's MAC
is the compliance core's. Every client appends under one transaction-scoped advisory
lock, taken when the chain's head is read inside a transaction, so entries from all
consoles form one serialized chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentconsole.vault.errors import RecordNotFound, VaultError
from agentconsole.vault.postgres.cases import TeamCaseRepository
from agentconsole.vault.postgres.database import AUDIT_LOCK_KEY, TeamPermissionDenied
from agentconsole.vault.records import AuditRow, ConsentRow, CustomerHoldings, RetentionCandidates

_AUDIT_COLUMNS = "seq, time, actor, action, subject, details, mac"


class TeamComplianceRepository(TeamCaseRepository):
    """The compliance core's records on the team store."""

    def _audit_row(self, row: Any) -> AuditRow:
        seq, time, actor, action, subject, details, mac = row
        return AuditRow(
            int(seq),
            str(time),
            str(actor),
            str(action),
            self.cipher.open("audit_entries", "subject", seq, subject),
            self.cipher.open("audit_entries", "details", seq, details),
            bytes(mac or b""),
        )

    # --- audit entries ----------------------------------------------------------------

    def last_audit_row(self) -> AuditRow | None:
        """The chain's head. Inside a transaction, first takes the audit advisory lock (held to commit)."""
        with self._borrow() as conn:
            if getattr(self._local, "conn", None) is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_KEY,))
            row = conn.execute(f"SELECT {_AUDIT_COLUMNS} FROM ac.audit_entries ORDER BY seq DESC LIMIT 1").fetchone()
        return self._audit_row(row) if row else None

    def insert_audit_row(
        self, seq: int, time: str, actor: str, action: str, subject: str, details: str, mac: bytes
    ) -> None:
        seal = self.cipher.seal
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO ac.audit_entries ({_AUDIT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    seq,
                    time,
                    actor,
                    action,
                    seal("audit_entries", "subject", seq, subject),
                    seal("audit_entries", "details", seq, details),
                    mac,
                ),
            )

    def audit_rows(
        self, *, since: str | None = None, actor: str | None = None, action: str | None = None
    ) -> Iterator[AuditRow]:
        clauses: list[str] = []
        params: list[Any] = []
        if since:
            clauses.append("time >= %s")
            params.append(since)
        if actor:
            clauses.append("actor = %s")
            params.append(actor)
        if action:
            clauses.append("(action = %s OR left(action, %s) = %s)")
            params.extend([action, len(action) + 1, action + "."])
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._borrow() as conn:
            rows = conn.execute(
                f"SELECT {_AUDIT_COLUMNS} FROM ac.audit_entries {where} ORDER BY seq", params
            ).fetchall()
        for row in rows:  # the pooled connection is back before the caller iterates
            yield self._audit_row(row)

    def audit_row_count(self) -> int:
        with self._borrow() as conn:
            return int(conn.execute("SELECT count(*) FROM ac.audit_entries").fetchone()[0])  # type: ignore[index]

    # --- consents ---------------------------------------------------------------------

    def add_consent(self, customer_id: int, given: bool, at: str, agent: str) -> None:
        import psycopg

        try:
            with self.transaction() as conn:
                conn.execute(
                    "INSERT INTO ac.consents (customer_id, given, at, agent) VALUES (%s, %s, %s, %s)",
                    (customer_id, given, at, agent),
                )
        except psycopg.errors.ForeignKeyViolation:
            raise RecordNotFound(f"no customer with id {customer_id}") from None

    def consents_of(self, customer_id: int) -> list[ConsentRow]:
        with self._borrow() as conn:
            rows = conn.execute(
                "SELECT given, at, agent FROM ac.consents WHERE customer_id = %s ORDER BY at, id", (customer_id,)
            ).fetchall()
        return [ConsentRow(bool(g), str(a), str(who)) for g, a, who in rows]

    # --- erasure ----------------------------------------------------------------------

    def customer_holdings(self, customer_id: int) -> CustomerHoldings:
        with self._borrow() as conn:
            case_ids = tuple(
                int(r[0])
                for r in conn.execute("SELECT id FROM ac.cases WHERE customer_id = %s ORDER BY id", (customer_id,))
            )
            row = conn.execute(
                "SELECT (SELECT count(*) FROM ac.messages WHERE case_id = ANY(%(c)s)), "
                "(SELECT count(*) FROM ac.messages WHERE raw_text IS NOT NULL AND case_id = ANY(%(c)s)), "
                "(SELECT count(*) FROM ac.pii_values WHERE case_id = ANY(%(c)s)), "
                "(SELECT count(*) FROM ac.consents WHERE customer_id = %(id)s)",
                {"c": list(case_ids), "id": customer_id},
            ).fetchone()
        assert row is not None
        return CustomerHoldings(case_ids, int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def delete_customer(self, customer_id: int) -> None:
        """Delete a customer with every case, message, PII value, token and consent (supervisors)."""

        try:
            with self.transaction() as conn:
                if conn.execute("DELETE FROM ac.customers WHERE id = %s", (customer_id,)).rowcount == 0:
                    raise RecordNotFound(f"no customer with id {customer_id}")
        except TeamPermissionDenied:
            raise VaultError("only a supervisor may erase customers") from None

    # --- retention --------------------------------------------------------------------

    def retention_candidates(self, pii_before: str, idle_before: str) -> RetentionCandidates:
        with self._borrow() as conn:
            pii, raw = conn.execute(
                "SELECT (SELECT count(*) FROM ac.pii_values WHERE created_at < %(p)s AND NOT expired), "
                "(SELECT count(*) FROM ac.messages WHERE raw_text IS NOT NULL "
                "AND created_at::timestamptz < %(p)s::timestamptz)",
                {"p": pii_before},
            ).fetchone()  # type: ignore[misc]
            case_ids = tuple(
                int(r[0])
                for r in conn.execute(
                    "SELECT id FROM ac.cases WHERE updated_at::timestamptz < %s::timestamptz ORDER BY id",
                    (idle_before,),
                )
            )
            messages = conn.execute(
                "SELECT count(*) FROM ac.messages WHERE case_id = ANY(%s)", (list(case_ids),)
            ).fetchone()[0]  # type: ignore[index]
        return RetentionCandidates(int(pii), int(raw), case_ids, int(messages))

    def expire_pii_values(self, before: str) -> int:
        """Replace each value created before ``before`` by its own placeholder (encrypted); returns how many."""
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT id, placeholder FROM ac.pii_values WHERE created_at < %s AND NOT expired FOR UPDATE", (before,)
            ).fetchall()
            conn.cursor().executemany(
                "UPDATE ac.pii_values SET value = %s, expired = true WHERE id = %s",
                [(self.cipher.seal("pii_values", "value", pid, placeholder), pid) for pid, placeholder in rows],
            )
            return len(rows)

    def expire_raw_texts(self, before: str) -> int:
        with self.transaction() as conn:
            return int(
                conn.execute(
                    "UPDATE ac.messages SET raw_text = NULL WHERE raw_text IS NOT NULL "
                    "AND created_at::timestamptz < %s::timestamptz",
                    (before,),
                ).rowcount
            )
