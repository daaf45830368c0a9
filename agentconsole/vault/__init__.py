"""The encrypted vault: SQLCipher database, Argon2id key slots, schema, search, users.

The storage seam: every SQL statement of agentconsole lives in this package,
behind the typed repository operations of :class:`Vault`. Layout:
:mod:`.store` (lifecycle, users, rekey), :mod:`.database` (connections,
transactions, commit seal), :mod:`.repositories` (the SQL on stored records),
:mod:`.schema` (numbered migrations), :mod:`.keyslots`, :mod:`.seal`.

Headless core: never imports textual nor other cores. See ``docs/vault.md``.
"""

from agentconsole.vault.errors import (
    PassphraseChangeRequired,
    RecordNotFound,
    VaultError,
    VaultExists,
    VaultInUse,
    VaultLocked,
    VaultNotFound,
    VaultRolledBack,
    VaultTampered,
    WrongPassphrase,
)
from agentconsole.vault.records import (
    CASE_STATUSES,
    MESSAGE_ROLES,
    ROLES,
    SNIPPET_END,
    SNIPPET_START,
    AuditRow,
    Case,
    ConsentRow,
    Customer,
    CustomerHoldings,
    Message,
    PiiValue,
    RetentionCandidates,
    SearchHit,
)
from agentconsole.vault.store import Vault, fts_query, keys_path_for, seal_path_for

__all__ = [
    "CASE_STATUSES",
    "MESSAGE_ROLES",
    "ROLES",
    "SNIPPET_END",
    "SNIPPET_START",
    "AuditRow",
    "Case",
    "ConsentRow",
    "Customer",
    "CustomerHoldings",
    "Message",
    "PassphraseChangeRequired",
    "PiiValue",
    "RecordNotFound",
    "RetentionCandidates",
    "SearchHit",
    "Vault",
    "VaultError",
    "VaultExists",
    "VaultInUse",
    "VaultLocked",
    "VaultNotFound",
    "VaultRolledBack",
    "VaultTampered",
    "WrongPassphrase",
    "fts_query",
    "keys_path_for",
    "seal_path_for",
]
