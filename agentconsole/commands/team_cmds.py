"""Team store commands: ``team init``, ``team user add|remove|list``, ``team check``, ``team rekey``, ``vault migrate``.

The team store is the PostgreSQL backend (``[vault] backend = "postgres"``,
docs/team.md). ``team init`` needs the database owner's DSN once (it creates the
schema, roles and grants); every other command logs in as a console user with
their passphrase and the ``[vault] dsn`` of the config file.
"""

from __future__ import annotations

import argparse
from typing import Any

from agentconsole.terminal_text import echo

ROLE_CHOICES = ("agent", "supervisor", "auditor")


def register(subparsers: Any) -> None:
    from agentconsole.commands.passphrase import add_passphrase_options
    from agentconsole.commands.session import add_session_options

    team = subparsers.add_parser("team", help="the shared team store on PostgreSQL (see docs/team.md)")
    sub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    init = sub.add_parser(
        "init",
        help="set up a team store in an empty PostgreSQL database and its first supervisor",
        description="Create the schema, the database roles, grants and row-level security, and the first "
        "supervisor (--user) in the database DSN names. DSN logs in as the database's owner (a role that "
        "may create roles); it is used once and not stored. Prints the [vault] settings for config.toml.",
    )
    init.add_argument("--dsn", required=True, help="postgresql://OWNER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=...]")
    init.add_argument("--team", default="default", help="team of the first supervisor (default: default)")
    init.add_argument("--ca-bundle", default="", help="CA bundle (PEM) that signed the server's certificate")
    add_session_options(init)
    init.set_defaults(handler=team_init)

    user = sub.add_parser("user", help="manage team members (supervisors)")
    user_sub = user.add_subparsers(dest="team_user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser(
        "add",
        help="add a member with their own passphrase, role and team",
        description="--user/--passphrase-* authenticate the supervisor; --new-passphrase-* give the new member's.",
    )
    add.add_argument("name")
    add.add_argument("--role", choices=ROLE_CHOICES, default="agent")
    add.add_argument("--team", default=None, help="the member's team (default: the supervisor's)")
    add_session_options(add)
    add_passphrase_options(add, new=True)
    add.set_defaults(handler=team_user_add)
    remove = user_sub.add_parser("remove", help="remove a member's key slot and database login")
    remove.add_argument("name")
    add_session_options(remove)
    remove.set_defaults(handler=team_user_remove)
    listing = user_sub.add_parser("list", help="list members with role and team")
    add_session_options(listing)
    listing.set_defaults(handler=team_user_list)
    check = sub.add_parser(
        "check", help="decrypt every cell you may read and verify the audit chain (prints OK or DAMAGED; exit 1)"
    )
    add_session_options(check)
    check.set_defaults(handler=team_check)
    from agentconsole.commands.team_rekey_cmd import register_rekey

    register_rekey(sub)


def register_vault_migrate(vault_sub: Any) -> None:
    """``vault migrate --to postgres`` (added under the ``vault`` command of vault_cmds)."""
    from agentconsole.commands.session import add_session_options

    migrate = vault_sub.add_parser(
        "migrate",
        help="copy the file vault into the team store of [vault] dsn, or back (resumable, verified count by count)",
        description="--to postgres: copy every customer, case, message, PII value, consent and audit entry of the "
        "file vault into a freshly initialised team store; --user must be a supervisor with the same name and "
        "passphrase on both sides. --to file: copy the team store of [vault] dsn into a new file vault (--out, "
        "default the configured vault path) for an offline demo or an exit; --user (a supervisor of the team "
        "store) becomes its supervisor with the same passphrase. Rerun after an interruption: it goes on where "
        "it stopped. The source is not changed.",
    )
    migrate.add_argument("--to", choices=("postgres", "file"), required=True, help="target backend")
    migrate.add_argument("--team", default=None, help="team that receives the cases (default: the supervisor's)")
    migrate.add_argument("--out", default=None, help="--to file: the new vault file (default: the configured vault)")
    add_session_options(migrate)
    migrate.set_defaults(handler=vault_migrate)


def _zero(buf: bytearray) -> None:
    buf[:] = bytes(len(buf))


def team_target(settings: Any) -> Any:
    """The ServerTarget of the config's ``[vault]`` section."""
    from agentconsole.errors import AgentConsoleError
    from agentconsole.vault.postgres import parse_target

    vault = settings.vault
    if not vault.dsn:
        raise AgentConsoleError('no team store configured: set [vault] dsn (and backend = "postgres")', exit_code=2)
    return parse_target(vault.dsn, vault.ca_bundle, vault.client_cert, vault.client_key)


def _console_dsn(admin_dsn: str) -> str:
    """The admin DSN without its credentials: what every console puts in ``[vault] dsn``."""
    from psycopg.conninfo import conninfo_to_dict

    params = {k: v for k, v in conninfo_to_dict(admin_dsn).items() if k not in ("user", "password")}
    host = str(params.pop("host", "") or "")
    port = params.pop("port", None)
    dbname = params.pop("dbname", "")
    netloc = host if host and not host.startswith("/") else ""
    if port and netloc:
        netloc += f":{port}"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    if host.startswith("/"):
        query = "&".join(q for q in (f"host={host}", f"port={port}" if port else "", query) if q)
    return f"postgresql://{netloc}/{dbname}" + (f"?{query}" if query else "")


def _open_team(args: argparse.Namespace, ctx: Any) -> Any:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.vault.postgres import TeamVault

    target = team_target(ctx.settings)
    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    try:
        return TeamVault.unlock(target, user, passphrase, pool_size=2)
    finally:
        _zero(passphrase)


def team_init(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.vault.postgres import TeamVault, parse_target

    console_dsn = _console_dsn(args.dsn)
    target = parse_target(console_dsn, args.ca_bundle or ctx.settings.vault.ca_bundle)
    user = session_user(args)
    passphrase = read_passphrase(args, f"new passphrase for {user}: ", confirm=True)
    try:
        # no audit entry yet: 'vault migrate' may still adopt a file vault's audit chain
        TeamVault.create(target, args.dsn, user, passphrase, team=args.team, pool_size=2).lock()
    finally:
        _zero(passphrase)
    echo(f"team store set up in database {target.dbname} with supervisor {user} (team {args.team})")
    echo("add to config.toml:")
    echo('[vault]\nbackend = "postgres"')
    echo(f'dsn = "{console_dsn}"')
    if args.ca_bundle:
        echo(f'ca_bundle = "{args.ca_bundle}"')
    if not target.is_local:
        echo(f'[network]\nallowed_hosts = ["{target.host}"]')
    return 0


def team_user_add(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.compliance.audit import AuditLog

    with _open_team(args, ctx) as team:
        new = read_passphrase(args, f"new passphrase for {args.name}: ", confirm=True, new=True)
        try:
            team.add_user(args.name, args.role, new, team=args.team)
        finally:
            _zero(new)
        AuditLog(team).append(team.user, "user.add", f"user:{args.name}", {"role": args.role})
    echo(f"added {args.role} {args.name} (team {args.team or 'of ' + team.user})")
    return 0


def team_user_remove(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.compliance.audit import AuditLog

    with _open_team(args, ctx) as team:
        team.remove_user(args.name)
        AuditLog(team).append(team.user, "user.remove", f"user:{args.name}")
    echo(f"removed {args.name} and their database login (run a rekey if they may have kept the data key)")
    return 0


def team_user_list(args: argparse.Namespace, ctx: Any) -> int:
    with _open_team(args, ctx) as team:
        members = team.list_members()
    for name, role, team_name in members:
        echo(f"{name:<24} {role:<11} {team_name}")
    return 0


def team_check(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.vault.errors import VaultTampered
    from agentconsole.vault.postgres.integrity import verify_all

    with _open_team(args, ctx) as team:
        try:
            cells = verify_all(team)
        except VaultTampered as exc:
            echo(f"DAMAGED: {exc}")
            return 1
        verification = AuditLog(team).verify() if team.role != "agent" else None
    if verification is not None and not verification.ok:
        echo(f"DAMAGED: audit log: {verification.describe()}")
        return 1
    echo(f"OK: {cells} encrypted cells verify" + ("; audit chain verifies" if verification else ""))
    return 0


def vault_migrate(args: argparse.Namespace, ctx: Any) -> int:
    if args.to == "file":
        from agentconsole.commands.team_export_cmd import vault_migrate_to_file

        return vault_migrate_to_file(args, ctx)
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.compliance.audit import AuditLog
    from agentconsole.errors import AgentConsoleError
    from agentconsole.vault import Vault
    from agentconsole.vault.postgres import TeamVault
    from agentconsole.vault.postgres.migrate import MIGRATION_COMPLETE, mark_complete, migrate_to_team

    target = team_target(ctx.settings)
    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    try:
        file_vault = Vault.unlock(ctx.settings.vault_path, user, passphrase)
        try:
            team = TeamVault.unlock(target, user, passphrase, pool_size=2)
        except BaseException:
            file_vault.lock()
            raise
    finally:
        _zero(passphrase)
    with file_vault, team:
        if file_vault.role != "supervisor" or team.role != "supervisor":
            raise AgentConsoleError("vault migrate needs a supervisor on both sides", exit_code=2)
        counts = migrate_to_team(file_vault, team, case_team=args.team, progress=lambda m: echo(f"copied {m}"))
        for count in counts:
            echo(f"{count.what:<14} file {count.source:>8}  team {count.target:>8}  {'OK' if count.ok else 'MISMATCH'}")
        verification = AuditLog(team).verify()
        if not all(c.ok for c in counts) or not verification.ok:
            echo("MIGRATION INCOMPLETE: rerun 'agentconsole vault migrate --to postgres' to resume")
            return 1
        if team.get_meta(MIGRATION_COMPLETE) != file_vault.database_id:
            mark_complete(team, file_vault)
            AuditLog(team).append(
                user, "vault.migrate", f"vault:{file_vault.database_id}", {c.what: c.target for c in counts}
            )
    echo(f"migrated to team store {target.dbname}: every count matches and the audit chain verifies")
    return 0
