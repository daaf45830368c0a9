"""Per-customer consent to AI processing: an append-only history in the vault.

Each change is a row in the vault's ``consents`` table (given or withdrawn, when, by which
agent); the current state is the latest row. No row means no consent. The
service audits every change and, with ``consent.required``, refuses drafts for
customers whose current state is not "given".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agentconsole.compliance.storage import CustomerStore


@dataclass(frozen=True)
class ConsentRecord:
    """One change of a customer's consent."""

    given: bool
    at: str
    agent: str

    def as_json(self) -> dict[str, Any]:
        return {"given": self.given, "at": self.at, "agent": self.agent}


class ConsentRegistry:
    """Consent records of an unlocked vault (its ``consents`` rows, see :mod:`.storage`)."""

    def __init__(self, vault: CustomerStore) -> None:
        self._vault = vault

    def record(self, customer_ref: str, given: bool, agent: str, *, at: str | None = None) -> ConsentRecord:
        """Append a change (the customer is created on first mention)."""
        ref = customer_ref.strip()
        if not ref:
            raise ValueError("a consent needs a customer reference")
        when = at or datetime.now(UTC).isoformat(timespec="microseconds")
        with self._vault.transaction():
            customer_id = self._vault.upsert_customer(ref)
            self._vault.add_consent(customer_id, bool(given), when, agent)
        return ConsentRecord(bool(given), when, agent)

    def history(self, customer_ref: str) -> list[ConsentRecord]:
        """Every change, oldest first (ties keep insertion order)."""
        customer = self._vault.get_customer(customer_ref.strip())
        if customer is None:
            return []
        return [ConsentRecord(bool(c.given), str(c.at), str(c.agent)) for c in self._vault.consents_of(customer.id)]

    def current(self, customer_ref: str) -> bool:
        """Whether the latest change is "given" (False for an unknown customer)."""
        history = self.history(customer_ref)
        return bool(history and history[-1].given)
