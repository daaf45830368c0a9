"""``team rekey``: a new data key for the team store of ``[vault] dsn`` (docs/team.md, Rekey)."""

from __future__ import annotations

import argparse
from typing import Any

from agentconsole.terminal_text import echo


def register_rekey(sub: Any) -> None:
    from agentconsole.commands.session import add_session_options

    rekey = sub.add_parser(
        "rekey",
        help="new data key: every cell re-encrypted in batches, key slots rewrapped, search tokens recomputed",
        description="Run by a supervisor (--user) with the database owner's DSN (--dsn, used for this run only, "
        "not stored). Every other member's console must be locked first. Resumable: after an interruption "
        "run it again and it goes on where it stopped. Afterwards a removed member who kept the old data key "
        "can read nothing re-encrypted or written since.",
    )
    rekey.add_argument("--dsn", required=True, help="postgresql://OWNER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=...]")
    add_session_options(rekey)
    rekey.set_defaults(handler=team_rekey)


def team_rekey(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.team_cmds import _open_team
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.vault.postgres.rekey import rekey_team

    with _open_team(args, ctx) as team:
        generation = rekey_team(team, args.dsn, progress=echo)
        AuditLog(team).append(team.user, "vault.rekey", "team", {"generation": generation})
    echo(f"rekeyed: the team store's cells are under data key generation {generation}")
    return 0
