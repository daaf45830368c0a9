"""Rows of the transparency features: consent per purpose, AI disclosures of sent replies,
and the audit reads that SIEM forwarding and the record of processing need.

The ``transparency`` subsystem owns two tables (its own numbered migrations):

* ``purpose_consents``: a customer's consent history per purpose (``model-improvement``...),
  next to the vault's ``consents`` table, which keeps the consent to AI processing;
* ``message_disclosures``: which sent message carried the AI disclosure and which draft it used.

Both cascade with the customer or message they belong to, so an erasure removes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentconsole.vault.errors import RecordNotFound
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.records import AuditRow
from agentconsole.vault.repositories.base import Repository
from agentconsole.vault.repositories.compliance import _AUDIT_COLUMNS, _audit_row

TRANSPARENCY = Subsystem(
    "transparency",
    (
        """
        CREATE TABLE purpose_consents (
            customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            purpose TEXT NOT NULL,
            given INTEGER NOT NULL,
            at TEXT NOT NULL,
            agent TEXT NOT NULL
        );
        CREATE INDEX purpose_consents_by_customer ON purpose_consents(customer_id, purpose, at);
        CREATE TABLE message_disclosures (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            draft_message_id INTEGER,
            at TEXT NOT NULL
        );
        """,
    ),
)


@dataclass(frozen=True)
class PurposeConsentRow:
    purpose: str
    given: bool
    at: str
    agent: str


@dataclass(frozen=True)
class DisclosureRow:
    message_id: int
    draft_message_id: int | None
    at: str


class TransparencyRepository(Repository):
    """Purpose consents, disclosures, and audit reads by seq (mixed into the Vault)."""

    # --- audit reads ------------------------------------------------------------------

    def audit_rows_after(self, seq: int, limit: int) -> list[AuditRow]:
        """At most ``limit`` entries with a seq above ``seq``, in seq order (what is left to forward)."""
        rows = (
            self.connection()
            .execute(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT ?", (int(seq), int(limit))
            )
            .fetchall()
        )
        return [_audit_row(r) for r in rows]

    def audit_row_at(self, seq: int) -> AuditRow | None:
        row = self.connection().execute(f"SELECT {_AUDIT_COLUMNS} FROM audit_entries WHERE seq = ?", (seq,)).fetchone()
        return _audit_row(row) if row else None

    # --- consent per purpose ------------------------------------------------------------

    def add_purpose_consent(self, customer_id: int, purpose: str, given: bool, at: str, agent: str) -> None:
        """Append a consent change for ``purpose`` of an existing customer."""
        import sqlcipher3

        try:
            with self.transaction() as conn:
                conn.execute(
                    "INSERT INTO purpose_consents (customer_id, purpose, given, at, agent) VALUES (?, ?, ?, ?, ?)",
                    (customer_id, purpose, 1 if given else 0, at, agent),
                )
        except sqlcipher3.IntegrityError:
            raise RecordNotFound(f"no customer with id {customer_id}") from None

    def purpose_consents_of(self, customer_id: int, purpose: str) -> list[PurposeConsentRow]:
        """A customer's changes for one purpose, oldest first."""
        rows = (
            self.connection()
            .execute(
                "SELECT purpose, given, at, agent FROM purpose_consents WHERE customer_id = ? AND purpose = ? "
                "ORDER BY at, rowid",
                (customer_id, purpose),
            )
            .fetchall()
        )
        return [PurposeConsentRow(str(p), bool(g), str(a), str(who)) for p, g, a, who in rows]

    def customers_consenting(self, purpose: str) -> list[int]:
        """Ids of customers whose latest change for ``purpose`` is "given"."""
        rows = self.connection().execute(
            "SELECT customer_id, given FROM purpose_consents WHERE purpose = ? ORDER BY customer_id, at, rowid",
            (purpose,),
        )
        latest: dict[int, bool] = {}
        for customer_id, given in rows:
            latest[int(customer_id)] = bool(given)
        return sorted(c for c, g in latest.items() if g)

    def consent_counts(self) -> dict[str, tuple[int, int]]:
        """Per purpose (``ai-processing`` is the vault's own consents table): customers whose latest
        change is given, and withdrawn."""
        conn = self.connection()
        counts: dict[str, tuple[int, int]] = {}
        states: dict[tuple[str, int], bool] = {}
        for customer_id, given in conn.execute(
            "SELECT customer_id, given FROM consents ORDER BY customer_id, at, rowid"
        ):
            states[("ai-processing", int(customer_id))] = bool(given)
        for purpose, customer_id, given in conn.execute(
            "SELECT purpose, customer_id, given FROM purpose_consents ORDER BY customer_id, at, rowid"
        ):
            states[(str(purpose), int(customer_id))] = bool(given)
        for (purpose, _), given in states.items():
            yes, no = counts.get(purpose, (0, 0))
            counts[purpose] = (yes + 1, no) if given else (yes, no + 1)
        return counts

    # --- AI disclosures -----------------------------------------------------------------

    def record_disclosure(self, message_id: int, draft_message_id: int | None, at: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO message_disclosures (message_id, draft_message_id, at) VALUES (?, ?, ?)",
                (message_id, draft_message_id, at),
            )

    def disclosure_of(self, message_id: int) -> DisclosureRow | None:
        row = (
            self.connection()
            .execute(
                "SELECT message_id, draft_message_id, at FROM message_disclosures WHERE message_id = ?", (message_id,)
            )
            .fetchone()
        )
        return DisclosureRow(int(row[0]), None if row[1] is None else int(row[1]), str(row[2])) if row else None
