"""Typed repository operations of the vault: the only place its SQL on customer data lives.

Each repository is a mixin over :class:`~agentconsole.vault.database.Database`
(which provides ``connection()`` and ``transaction()``); :class:`~agentconsole.vault.Vault`
combines them. A second backend implements the same operations.
"""

from agentconsole.vault.repositories.cases import SEARCH_SQL, CaseRepository, fts_query
from agentconsole.vault.repositories.compliance import ComplianceRepository

__all__ = ["SEARCH_SQL", "CaseRepository", "ComplianceRepository", "fts_query"]
