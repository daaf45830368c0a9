"""The service over a team store (``[vault] backend = "postgres"``): opening it, soft locks, live updates.

Opening: :func:`open_team_store` is what :class:`~agentconsole.service.core.ServiceCore`
calls instead of ``Vault.unlock`` when the config names the PostgreSQL backend; the
team store offers the same operations, so every other section runs unchanged. The
operations below exist only with a team store (a file vault has one console).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from agentconsole.config import Settings
from agentconsole.service.core import ServiceCore
from agentconsole.service.errors import PermissionDenied

if TYPE_CHECKING:
    from agentconsole.vault import Vault
    from agentconsole.vault.postgres import Change, ChangeListener, TeamVault


def open_team_store(settings: Settings, user: str, passphrase: bytearray) -> Vault:
    """Unlock the configured team store as ``user`` (typed as the vault: it offers the same operations)."""
    from agentconsole.vault.postgres import TeamVault, parse_target

    conf = settings.vault
    target = parse_target(conf.dsn, conf.ca_bundle, conf.client_cert, conf.client_key)
    store = TeamVault.unlock(target, user, passphrase, pool_size=conf.pool_size, durable_commits=conf.durable_commits)
    return cast("Vault", store)


def change_team_passphrase(settings: Settings, user: str, old: bytearray, new: bytearray) -> None:
    """``passwd`` on the team store: new key slot and database password under ``new``."""
    from agentconsole.vault.postgres import TeamVault, parse_target

    conf = settings.vault
    target = parse_target(conf.dsn, conf.ca_bundle, conf.client_cert, conf.client_key)
    TeamVault.change_passphrase(target, user, old, new)


class TeamSection(ServiceCore):
    """Team-only use cases: who is replying to a case, claiming it, watching changes."""

    def _team_store(self, permission: str) -> TeamVault:
        from agentconsole.vault.postgres import TeamVault

        vault: object = self.require(permission)
        if not isinstance(vault, TeamVault):
            raise PermissionDenied('this needs the team store ([vault] backend = "postgres")')
        return vault

    @property
    def is_team(self) -> bool:
        from agentconsole.vault.postgres import TeamVault

        return self.is_unlocked and isinstance(self._vault, TeamVault)

    def claim_case(self, case_id: int) -> str | None:
        """Mark the case as being answered by this user; returns the other holder's name if taken."""
        holder = self._team_store("work_cases").claim_case(case_id)
        if holder is None:
            self._audit("case.claim", f"case:{case_id}")
        return holder

    def release_case(self, case_id: int) -> None:
        self._team_store("work_cases").release_case(case_id)

    def case_holder(self, case_id: int) -> str | None:
        """Who is replying to the case now ("alice is replying"), or None."""
        return self._team_store("work_cases").case_holder(case_id)

    def watch_changes(self, callback: Callable[[Change], None]) -> ChangeListener:
        """Live updates of the case list and open cases (ids only); stop the listener on lock."""
        return self._team_store("work_cases").listen(callback)
