"""Per-customer consent to AI processing: an append-only history in the vault.

Each change is a row in ``consents`` (given or withdrawn, when, by which
agent); the current state is the latest row. No row means no consent. The
service audits every change and, with ``consent.required``, refuses drafts for
customers whose current state is not "given".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class ConsentRecord:
    """One change of a customer's consent."""

    given: bool
    at: str
    agent: str

    def as_json(self) -> dict[str, Any]:
        return {"given": self.given, "at": self.at, "agent": self.agent}


class ConsentRegistry:
    """Consent records of an unlocked vault."""

    def __init__(self, vault: Any) -> None:
        self._vault = vault

    def _customer_id(self, customer_ref: str) -> int | None:
        row = (
            self._vault.connection()
            .execute("SELECT id FROM customers WHERE ref = ?", (customer_ref.strip(),))
            .fetchone()
        )
        return int(row[0]) if row else None

    def record(self, customer_ref: str, given: bool, agent: str, *, at: str | None = None) -> ConsentRecord:
        """Append a change (the customer is created on first mention)."""
        ref = customer_ref.strip()
        if not ref:
            raise ValueError("a consent needs a customer reference")
        when = at or datetime.now(timezone.utc).isoformat(timespec="microseconds")
        with self._vault.transaction():
            customer_id = self._vault.upsert_customer(ref)
            self._vault.connection().execute(
                "INSERT INTO consents (customer_id, given, at, agent) VALUES (?, ?, ?, ?)",
                (customer_id, 1 if given else 0, when, agent),
            )
        return ConsentRecord(bool(given), when, agent)

    def history(self, customer_ref: str) -> list[ConsentRecord]:
        """Every change, oldest first (ties keep insertion order)."""
        customer_id = self._customer_id(customer_ref)
        if customer_id is None:
            return []
        rows = (
            self._vault.connection()
            .execute("SELECT given, at, agent FROM consents WHERE customer_id = ? ORDER BY at, rowid", (customer_id,))
            .fetchall()
        )
        return [ConsentRecord(bool(given), str(at), str(agent)) for given, at, agent in rows]

    def current(self, customer_ref: str) -> bool:
        """Whether the latest change is "given" (False for an unknown customer)."""
        history = self.history(customer_ref)
        return bool(history and history[-1].given)
