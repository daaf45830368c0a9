"""The encrypted vault: SQLCipher database, Argon2id key slots, schema, search, users.

Headless core: never imports textual nor other cores. See ``docs/vault.md``.
"""

from agentconsole.vault.errors import (
    RecordNotFound,
    VaultError,
    VaultExists,
    VaultInUse,
    VaultLocked,
    PassphraseChangeRequired,
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
    Case,
    Customer,
    Message,
    PiiValue,
    SearchHit,
)
from agentconsole.vault.store import Vault, fts_query, keys_path_for, seal_path_for

__all__ = [
    "CASE_STATUSES",
    "MESSAGE_ROLES",
    "ROLES",
    "SNIPPET_END",
    "SNIPPET_START",
    "Case",
    "Customer",
    "Message",
    "PiiValue",
    "RecordNotFound",
    "SearchHit",
    "Vault",
    "VaultError",
    "VaultExists",
    "VaultInUse",
    "VaultLocked",
    "VaultNotFound",
    "VaultRolledBack",
    "PassphraseChangeRequired",
    "VaultTampered",
    "WrongPassphrase",
    "fts_query",
    "keys_path_for",
    "seal_path_for",
]
