"""Right to erasure: remove a customer and everything held about them.

In one transaction (``vault.delete_customer``): every case of the customer
(as ``vault.delete_case``, which cascades to messages, raw texts, PII values
and the FTS5 index with secure-delete), their consent history and the
customer row itself. Then ``vault.checkpoint()``, a ``wal_checkpoint(TRUNCATE)``: SQLCipher's ``secure_delete`` has zeroed the
freed cells and pages, and the checkpoint writes those zeroed pages over the
old ones in the database file and empties the WAL, so no copy of the erased
text survives in either file.

What stays: audit entries that name the customer reference or case ids (the
chain cannot be edited without breaking it, and the erasure itself must stay
accountable). Customer references are meant to be ticketing/CRM ids, not
names or e-mail addresses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from agentconsole.compliance.storage import ErasureStore, UnitOfWork
from agentconsole.errors import AgentConsoleError


class CustomerNotFound(AgentConsoleError):
    """No customer with that reference in the vault."""


@dataclass(frozen=True)
class ErasureReport:
    """What was removed: counts and ids, never values."""

    customer_ref: str
    cases: int = 0
    messages: int = 0
    pii_values: int = 0
    raw_texts: int = 0
    consents: int = 0
    case_ids: tuple[int, ...] = field(default_factory=tuple)
    checkpointed: bool = True

    def as_details(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("customer_ref")
        data.pop("checkpointed")  # known only after the commit the audit entry is part of
        data["case_ids"] = list(self.case_ids)
        return data


def checkpoint(vault: UnitOfWork) -> bool:
    """Move the WAL into the database file and truncate it; False if a reader kept it busy."""
    return vault.checkpoint()


def erase_customer(
    vault: ErasureStore, customer_ref: str, *, record: Callable[[ErasureReport], None] | None = None
) -> ErasureReport:
    """Delete the customer ``customer_ref`` with all their data; :class:`CustomerNotFound` if unknown.

    ``record(report)`` runs inside the same transaction (the service writes the
    audit entry there), so the erasure and its audit entry commit together.
    """
    ref = customer_ref.strip()
    with vault.transaction():
        customer = vault.get_customer(ref)
        if customer is None:
            raise CustomerNotFound(f"no customer '{ref}' in the vault")
        held = vault.customer_holdings(customer.id)
        vault.delete_customer(customer.id)
        report = ErasureReport(
            ref, len(held.case_ids), held.messages, held.pii_values, held.raw_texts, held.consents, held.case_ids
        )
        if record is not None:
            record(report)
    return dataclasses.replace(report, checkpointed=checkpoint(vault))
