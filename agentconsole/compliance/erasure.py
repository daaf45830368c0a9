"""Right to erasure: remove a customer and everything held about them.

In one transaction: every case of the customer (``vault.delete_case``, which
cascades to messages, raw texts, PII values and the FTS5 index with
secure-delete), their consent history and the customer row itself. Then a
``wal_checkpoint(TRUNCATE)``: SQLCipher's ``secure_delete`` has zeroed the
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


def checkpoint(vault: Any) -> bool:
    """Move the WAL into the database file and truncate it; False if a reader kept it busy."""
    row = vault.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return row is None or int(row[0]) == 0


def erase_customer(
    vault: Any, customer_ref: str, *, record: Callable[[ErasureReport], None] | None = None
) -> ErasureReport:
    """Delete the customer ``customer_ref`` with all their data; :class:`CustomerNotFound` if unknown.

    ``record(report)`` runs inside the same transaction (the service writes the
    audit entry there), so the erasure and its audit entry commit together.
    """
    ref = customer_ref.strip()
    conn = vault.connection()
    with vault.transaction():
        row = conn.execute("SELECT id FROM customers WHERE ref = ?", (ref,)).fetchone()
        if row is None:
            raise CustomerNotFound(f"no customer '{ref}' in the vault")
        customer_id = int(row[0])
        case_ids = tuple(int(r[0]) for r in conn.execute("SELECT id FROM cases WHERE customer_id = ? ORDER BY id", (customer_id,)))

        def count(sql: str) -> int:
            return int(conn.execute(sql, (customer_id,)).fetchone()[0])

        in_cases = "SELECT id FROM cases WHERE customer_id = ?"
        messages = count(f"SELECT count(*) FROM messages WHERE case_id IN ({in_cases})")
        raw_texts = count(f"SELECT count(*) FROM messages WHERE raw_text IS NOT NULL AND case_id IN ({in_cases})")
        pii = count(f"SELECT count(*) FROM pii_values WHERE case_id IN ({in_cases})")
        consents = count("SELECT count(*) FROM consents WHERE customer_id = ?")
        for case_id in case_ids:
            vault.delete_case(case_id)
        conn.execute("DELETE FROM consents WHERE customer_id = ?", (customer_id,))
        conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))
        report = ErasureReport(ref, len(case_ids), messages, pii, raw_texts, consents, case_ids)
        if record is not None:
            record(report)
    return dataclasses.replace(report, checkpointed=checkpoint(vault))
