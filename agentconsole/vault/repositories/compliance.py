"""Rows the compliance core keeps in the vault: audit entries, consents, erasure, retention.

The compliance core owns the rules (the audit chain's MAC, what expires when,
what an erasure removes); these operations own the SQL. Tables: created by
migration 1 in :mod:`agentconsole.vault.schema`, ``audit_entries`` and
``consents``; erasure and retention reach into ``customers``, ``cases``,
``messages`` and ``pii_values``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentconsole.vault.errors import RecordNotFound
from agentconsole.vault.records import AuditRow, ConsentRow, CustomerHoldings, RetentionCandidates
from agentconsole.vault.repositories.base import Repository

_AUDIT_COLUMNS = "seq, time, actor, action, subject, details, mac"


def _audit_row(row: Any) -> AuditRow:
    seq, time, actor, action, subject, details, mac = row
    return AuditRow(int(seq), str(time), str(actor), str(action), subject, details, bytes(mac or b""))


class ComplianceRepository(Repository):
    """Audit rows, consent history, customer erasure and retention (mixed into the Vault)."""

    # --- audit entries ----------------------------------------------------------------

    def last_audit_row(self) -> AuditRow | None:
        """The entry with the highest seq (the chain's head), None for an empty log."""
        row = (
            self.connection()
            .execute(f"SELECT {_AUDIT_COLUMNS} FROM audit_entries ORDER BY seq DESC LIMIT 1")
            .fetchone()
        )
        return _audit_row(row) if row else None

    def insert_audit_row(
        self, seq: int, time: str, actor: str, action: str, subject: str, details: str, mac: bytes
    ) -> None:
        """Store one entry as given (the caller computed its seq and MAC in this transaction)."""
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO audit_entries ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, time, actor, action, subject, details, mac),
            )

    def audit_rows(
        self, *, since: str | None = None, actor: str | None = None, action: str | None = None
    ) -> Iterator[AuditRow]:
        """Entries in seq order, read lazily; ``action`` matches itself and ``action.*``.

        ``since`` is compared as text (entry times are UTC ISO 8601 with microseconds).
        """
        clauses: list[str] = []
        params: list[Any] = []
        if since:
            clauses.append("time >= ?")
            params.append(since)
        if actor:
            clauses.append("actor = ?")
            params.append(actor)
        if action:
            clauses.append("(action = ? OR substr(action, 1, ?) = ?)")
            params.extend([action, len(action) + 1, action + "."])
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        cursor = self.connection().execute(f"SELECT {_AUDIT_COLUMNS} FROM audit_entries {where} ORDER BY seq", params)
        for row in cursor:
            yield _audit_row(row)

    def audit_row_count(self) -> int:
        return int(self.connection().execute("SELECT count(*) FROM audit_entries").fetchone()[0])

    # --- consents ---------------------------------------------------------------------

    def add_consent(self, customer_id: int, given: bool, at: str, agent: str) -> None:
        """Append a consent change for an existing customer."""
        import sqlcipher3

        try:
            with self.transaction() as conn:
                conn.execute(
                    "INSERT INTO consents (customer_id, given, at, agent) VALUES (?, ?, ?, ?)",
                    (customer_id, 1 if given else 0, at, agent),
                )
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no customer with id {customer_id}") from None

    def consents_of(self, customer_id: int) -> list[ConsentRow]:
        """A customer's consent changes, oldest first (ties keep insertion order)."""
        rows = (
            self.connection()
            .execute("SELECT given, at, agent FROM consents WHERE customer_id = ? ORDER BY at, rowid", (customer_id,))
            .fetchall()
        )
        return [ConsentRow(bool(given), str(at), str(agent)) for given, at, agent in rows]

    # --- erasure ----------------------------------------------------------------------

    def customer_holdings(self, customer_id: int) -> CustomerHoldings:
        """Counts of what is held about a customer (read in the caller's transaction for a
        consistent answer)."""
        conn = self.connection()

        def count(sql: str) -> int:
            return int(conn.execute(sql, (customer_id,)).fetchone()[0])

        in_cases = "SELECT id FROM cases WHERE customer_id = ?"
        case_ids = tuple(int(r[0]) for r in conn.execute(in_cases + " ORDER BY id", (customer_id,)))
        return CustomerHoldings(
            case_ids=case_ids,
            messages=count(f"SELECT count(*) FROM messages WHERE case_id IN ({in_cases})"),
            raw_texts=count(f"SELECT count(*) FROM messages WHERE raw_text IS NOT NULL AND case_id IN ({in_cases})"),
            pii_values=count(f"SELECT count(*) FROM pii_values WHERE case_id IN ({in_cases})"),
            consents=count("SELECT count(*) FROM consents WHERE customer_id = ?"),
        )

    def delete_customer(self, customer_id: int) -> None:
        """Delete a customer with every case (as ``delete_case``), their consents and the customer row.

        Call ``checkpoint()`` after the commit so the zeroed pages reach the main file.
        """
        with self.transaction() as conn:
            case_ids = [int(r[0]) for r in conn.execute("SELECT id FROM cases WHERE customer_id = ?", (customer_id,))]
            for case_id in case_ids:
                self.delete_case(case_id)
            conn.execute("DELETE FROM consents WHERE customer_id = ?", (customer_id,))
            if conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,)).rowcount == 0:
                raise RecordNotFound(f"no customer with id {customer_id}")

    # --- retention --------------------------------------------------------------------

    def retention_candidates(self, pii_before: str, idle_before: str) -> RetentionCandidates:
        """What expires: PII values created before ``pii_before`` (still holding a value),
        raw texts of messages before it, cases with no activity since ``idle_before``.
        A case with an appointment still ahead (booked or rescheduled, ending in the
        future) is not idle, however long ago it was last written to.

        PII values are stamped in UTC by the vault (string order is time order, indexed);
        message and case times can come from imported transcripts with any offset, so
        they are compared with ``julianday``.
        """
        conn = self.connection()
        pii = conn.execute(
            "SELECT count(*) FROM pii_values WHERE created_at < ? AND value != placeholder", (pii_before,)
        ).fetchone()[0]
        raw = conn.execute(
            "SELECT count(*) FROM messages WHERE raw_text IS NOT NULL AND julianday(created_at) < julianday(?)",
            (pii_before,),
        ).fetchone()[0]
        case_ids = tuple(
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM cases WHERE julianday(updated_at) < julianday(?) AND id NOT IN "
                "(SELECT case_id FROM bookings WHERE status IN ('booked', 'rescheduled') "
                "AND julianday(end_utc) > julianday('now')) ORDER BY id",
                (idle_before,),
            )
        )
        messages = 0
        if case_ids:
            marks = ",".join("?" * len(case_ids))
            messages = conn.execute(f"SELECT count(*) FROM messages WHERE case_id IN ({marks})", case_ids).fetchone()[0]
        return RetentionCandidates(int(pii), int(raw), case_ids, int(messages))

    def expire_pii_values(self, before: str) -> int:
        """Overwrite each value created before ``before`` with its own placeholder (a tombstone
        that keeps the placeholder's number taken); returns how many."""
        with self.transaction() as conn:
            return int(
                conn.execute(
                    "UPDATE pii_values SET value = placeholder WHERE created_at < ? AND value != placeholder", (before,)
                ).rowcount
            )

    def expire_raw_texts(self, before: str) -> int:
        """Drop the raw text of messages written before ``before``; returns how many."""
        with self.transaction() as conn:
            return int(
                conn.execute(
                    "UPDATE messages SET raw_text = NULL WHERE raw_text IS NOT NULL "
                    "AND julianday(created_at) < julianday(?)",
                    (before,),
                ).rowcount
            )
