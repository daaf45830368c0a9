"""``vault migrate --to file``: the team store of ``[vault] dsn`` copied into a new file vault (docs/team.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agentconsole.terminal_text import echo


def vault_migrate_to_file(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.commands.team_cmds import team_target
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.errors import AgentConsoleError
    from agentconsole.vault import Vault
    from agentconsole.vault.postgres import TeamVault
    from agentconsole.vault.postgres.export import mark_complete, migrate_to_file
    from agentconsole.vault.postgres.migrate import MIGRATION_COMPLETE

    target = team_target(ctx.settings)
    out = Path(args.out).expanduser() if args.out else Path(ctx.settings.vault_path)
    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    try:
        team = TeamVault.unlock(target, user, passphrase, pool_size=2)
        try:
            if team.role != "supervisor":
                raise AgentConsoleError("vault migrate --to file needs a supervisor of the team store", exit_code=2)
            # a rerun after an interruption opens the file vault the first run created
            file_vault = (
                Vault.unlock(out, user, passphrase) if Vault.exists(out) else Vault.create(out, user, passphrase)
            )
        except BaseException:
            team.lock()
            raise
    finally:
        passphrase[:] = bytes(len(passphrase))
    with team, file_vault:
        counts = migrate_to_file(team, file_vault, progress=lambda m: echo(f"copied {m}"))
        for count in counts:
            echo(f"{count.what:<14} team {count.source:>8}  file {count.target:>8}  {'OK' if count.ok else 'MISMATCH'}")
        verification = AuditLog(file_vault).verify()
        if not all(c.ok for c in counts) or not verification.ok:
            echo("MIGRATION INCOMPLETE: rerun 'agentconsole vault migrate --to file' to resume")
            return 1
        if file_vault.get_meta(MIGRATION_COMPLETE) != team.database_id:
            mark_complete(file_vault, team)
            AuditLog(file_vault).append(
                user, "vault.migrate", f"team:{target.dbname}", {c.what: c.target for c in counts}
            )
    echo(
        f"copied team store {target.dbname} to {out}: every count matches and the audit chain verifies "
        '(set [vault] backend = "file" to use it)'
    )
    return 0
