"""The team store: an end-to-end encrypted case store on PostgreSQL for 20-200 agents.

Same typed operations as the SQLCipher :class:`agentconsole.vault.Vault`; every
customer text is encrypted on the client (AES-256-GCM), search uses keyed
blind-index tokens, key slots are the file vault's, roles and row-level security
limit each console's connection. See ``docs/team.md``.
"""

from agentconsole.vault.postgres.connect import ServerTarget, TeamServerError, parse_target
from agentconsole.vault.postgres.database import TeamPermissionDenied, VersionConflict
from agentconsole.vault.postgres.live import Change, ChangeListener
from agentconsole.vault.postgres.store import TeamVault

__all__ = [
    "Change",
    "ChangeListener",
    "ServerTarget",
    "TeamPermissionDenied",
    "TeamServerError",
    "TeamVault",
    "VersionConflict",
    "parse_target",
]
