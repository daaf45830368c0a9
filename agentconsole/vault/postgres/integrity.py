"""Reading back every encrypted cell: how a tampered ciphertext row is found and named."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentconsole.vault.postgres.database import TeamDatabase

#: (table, key column, encrypted columns) of every table holding ciphertext.
ENCRYPTED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("customers", "id", ("ref", "display_name")),
    ("cases", "id", ("title",)),
    ("messages", "id", ("text", "raw_text", "question")),
    ("pii_values", "id", ("value",)),
    ("audit_entries", "seq", ("subject", "details")),
    ("team_meta", "key", ("value",)),
)


def verify_all(db: TeamDatabase, batch: int = 2000) -> int:
    """Decrypt every encrypted cell this user may read, in key order and batches.

    Raises ``VaultTampered`` naming the table, column and row of the first cell that
    does not verify (damaged, moved from another row, or under an unknown key); returns
    how many cells verified. Rows an agent's row-level security hides are not read.
    """
    checked = 0
    for table, key, columns in ENCRYPTED:
        last: object = None
        while True:
            where = f"WHERE {key} > %s " if last is not None else ""
            with db._borrow() as conn:
                rows = conn.execute(
                    f"SELECT {key}, {', '.join(columns)} FROM ac.{table} {where}ORDER BY {key} LIMIT {batch}",
                    (last,) if last is not None else (),
                ).fetchall()
            for row in rows:
                for column, blob in zip(columns, row[1:], strict=True):
                    db.cipher.open(table, column, row[0], blob)
                    checked += blob is not None
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return checked
