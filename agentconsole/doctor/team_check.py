"""The team store's doctor rows (``[vault] backend = "postgres"``): server, TLS, grants, row security, clock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentconsole.doctor.results import OK, CheckResult, DoctorOptions


def check_team_store(settings: Any, options: DoctorOptions) -> Iterable[CheckResult]:
    """With ``[vault] backend = "postgres"``: server, TLS, grants, row security, clock skew (docs/team.md).

    Without ``--user`` only the connection is probed; with it the user logs in for the rest.
    """
    if settings.vault.backend != "postgres":
        return
    from agentconsole.vault.postgres import TeamVault, parse_target
    from agentconsole.vault.postgres.health import inspect, probe

    conf = settings.vault
    target = parse_target(conf.dsn, conf.ca_bundle, conf.client_cert, conf.client_key)
    rows = probe(target)
    if rows[0][1] == OK and options.user and options.passphrase is not None:
        with TeamVault.unlock(target, options.user, options.passphrase, pool_size=1) as store:
            rows += inspect(store)
    yield from (CheckResult(*row) for row in rows)
