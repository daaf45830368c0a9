"""Vault commands: ``init``, ``user add|remove|list|reset-passphrase``, ``passwd``, ``rekey``,
``vault check``, ``vault accept-rollback``.

Commands that act on an open vault go through :mod:`agentconsole.service`
(``commands.session.open_service``), so roles are checked and the actions
audited exactly as in the console. ``passwd`` and ``vault check`` work on the
files directly: a passphrase change leaves the database file untouched, and a
check must report damage instead of refusing to open.
"""

from __future__ import annotations

import argparse
from typing import Any

from agentconsole.terminal_text import echo

ROLE_CHOICES = ("agent", "supervisor", "auditor")


def register(subparsers: Any) -> None:
    from agentconsole.commands.passphrase import add_passphrase_options
    from agentconsole.commands.session import add_session_options

    init = subparsers.add_parser(
        "init",
        help="create the encrypted vault and its first user (a supervisor)",
        description="Create the encrypted vault and its first user, with role supervisor. "
        "Refuses to overwrite an existing vault.",
    )
    add_session_options(init)
    init.set_defaults(handler=init_vault)

    user = subparsers.add_parser("user", help="manage vault users (needs a supervisor's passphrase)")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser(
        "add",
        help="add a user with their own passphrase",
        description="Add a user. --user/--passphrase-* authenticate the supervisor; "
        "--new-passphrase-* give the new user's passphrase (with --passphrase-stdin and "
        "--new-passphrase-stdin, line 1 is the supervisor's, line 2 the new user's).",
    )
    add.add_argument("name", help="the new user's name")
    add.add_argument("--role", choices=ROLE_CHOICES, default="agent", help="role of the new user (default: agent)")
    add_session_options(add)
    add_passphrase_options(add, new=True)
    add.set_defaults(handler=user_add)
    remove = user_sub.add_parser("remove", help="remove a user's key slot")
    remove.add_argument("name")
    add_session_options(remove)
    remove.set_defaults(handler=user_remove)
    listing = user_sub.add_parser("list", help="list users and roles")
    add_session_options(listing)
    listing.set_defaults(handler=user_list)
    reset = user_sub.add_parser(
        "reset-passphrase",
        help="give a user who forgot their passphrase a one-time one (supervisor)",
        description="Replace NAME's key slot with one under a one-time passphrase that you give them. "
        "The vault will not open with it: NAME must first set their own with 'agentconsole passwd' "
        "(the one-time passphrase as the current one). --user/--passphrase-* authenticate the "
        "supervisor; --new-passphrase-* give the one-time passphrase. Audited.",
    )
    reset.add_argument("name", help="the user whose passphrase is reset")
    add_session_options(reset)
    add_passphrase_options(reset, new=True)
    reset.set_defaults(handler=user_reset_passphrase)

    passwd = subparsers.add_parser(
        "passwd",
        help="change a user's passphrase (rewraps one key slot; the database is untouched)",
        description="Change a passphrase. With --passphrase-stdin and --new-passphrase-stdin, "
        "line 1 is the current passphrase, line 2 the new one.",
    )
    add_session_options(passwd)
    add_passphrase_options(passwd, new=True)
    passwd.set_defaults(handler=change_passphrase)

    rekey = subparsers.add_parser(
        "rekey", help="rotate the data key: re-encrypt the database and rewrap every key slot (supervisor)"
    )
    add_session_options(rekey)
    rekey.set_defaults(handler=rotate_data_key)

    vault = subparsers.add_parser("vault", help="vault maintenance")
    vault_sub = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    check = vault_sub.add_parser(
        "check",
        help="verify every page, the commit seal and the local anchor (prints OK, or DAMAGED/ROLLED BACK; exit 1)",
    )
    add_session_options(check)
    check.set_defaults(handler=check_vault)
    accept = vault_sub.add_parser(
        "accept-rollback",
        help="open a vault found rolled back (a backup restored on purpose) and make it the baseline (supervisor)",
        description="Unlock a vault that was refused as rolled back or with lost write-ahead-log commits, "
        "and accept its current state: the commit seal and the local anchor are rewritten and the "
        "acceptance is audited (vault.rollback_accepted, with the commit numbers). Only for a restore "
        "you made on purpose: whatever was committed after the backup is gone.",
    )
    add_session_options(accept)
    accept.set_defaults(handler=accept_rollback)
    from agentconsole.commands.team_cmds import register_vault_migrate

    register_vault_migrate(vault_sub)


def _zero(buf: bytearray) -> None:
    buf[:] = bytes(len(buf))


def init_vault(args: argparse.Namespace, ctx: Any) -> int:
    """Create the vault and its first supervisor."""
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.service import ConsoleService
    from agentconsole.vault import Vault, VaultExists

    path = ctx.settings.vault_path
    if Vault.exists(path):
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it")
    user = session_user(args)
    passphrase = read_passphrase(args, f"new passphrase for {user}: ", confirm=True)
    service = ConsoleService(ctx.settings, model_override=ctx.model_override)
    try:
        service.create_vault(user, passphrase)
    finally:
        _zero(passphrase)
        service.lock()
    echo(f"created vault {path} with supervisor {user}")
    return 0


def user_add(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.require("manage_users")
        new = read_passphrase(args, f"new passphrase for {args.name}: ", confirm=True, new=True)
        try:
            service.user_add(args.name, args.role, new)
        finally:
            _zero(new)
    echo(f"added {args.role} {args.name}")
    return 0


def user_remove(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.user_remove(args.name)
    echo(f"removed {args.name} (run 'agentconsole rekey' if they may have kept a copy of the keys file)")
    return 0


def user_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        users = service.user_list()
    width = max(len(name) for name, _ in users)
    for name, role in users:
        echo(f"{name:<{width}}  {role}")
    return 0


def user_reset_passphrase(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.require("manage_users")
        one_time = read_passphrase(args, f"one-time passphrase for {args.name}: ", confirm=True, new=True)
        try:
            service.user_reset_passphrase(args.name, one_time)
        finally:
            _zero(one_time)
    echo(
        f"passphrase of {args.name} reset: give them the one-time passphrase; "
        f"they must run 'agentconsole passwd --user {args.name}' before they can unlock"
    )
    return 0


def change_passphrase(args: argparse.Namespace, ctx: Any) -> int:
    """Rewrap the user's slot under a new passphrase. The database file is not touched;
    the audit entry waits in a sidecar and is written at the next unlock."""
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.service import ConsoleService

    user = session_user(args)
    old = read_passphrase(args, f"current passphrase for {user}: ")
    try:
        new = read_passphrase(args, f"new passphrase for {user}: ", confirm=True, new=True)
    except BaseException:
        _zero(old)
        raise
    try:
        ConsoleService(ctx.settings).change_passphrase_offline(user, old, new)
    finally:
        _zero(old)
        _zero(new)
    echo(f"passphrase changed for {user}")
    return 0


def rotate_data_key(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.rekey()
    echo("data key rotated; every key slot rewrapped")
    return 0


def check_vault(args: argparse.Namespace, ctx: Any) -> int:
    """Print OK, or what is wrong (damaged pages, lost commits, a rollback) and exit 1."""
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.compliance import local_anchor
    from agentconsole.service import ConsoleService
    from agentconsole.vault import VaultRolledBack, VaultTampered

    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    service = ConsoleService(ctx.settings)
    try:
        vault = service.open_for_check(user, passphrase)
    except VaultRolledBack as exc:
        echo(f"ROLLED BACK: {exc.message}")
        return 1
    except VaultTampered as exc:
        if exc.pages:
            echo(f"DAMAGED: pages {', '.join(str(p) for p in exc.pages)}")
        else:
            echo(f"DAMAGED: {exc.message}")
        return 1
    finally:
        _zero(passphrase)
    try:
        pages = vault.check_integrity()
        anchor = local_anchor.check(vault, ctx.settings.anchor_dir)
        commit = vault.commit_seq()
    finally:
        vault.lock()
    if pages:
        echo(f"DAMAGED: pages {', '.join(str(p) for p in pages)}")
        return 1
    if anchor.rolled_back:
        echo(f"ROLLED BACK: {anchor.problem}")
        return 1
    if anchor.problem:
        echo(f"WARNING: {anchor.problem}")
        return 1
    where = f"; local anchor at commit {anchor.anchor.commit}" if anchor.anchor else "; no local anchor yet"
    echo(f"OK: every page verifies; commit {commit} matches the commit seal{where}")
    return 0


def accept_rollback(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.service import ConsoleService

    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    service = ConsoleService(ctx.settings, model_override=ctx.model_override)
    try:
        service.accept_rollback(user, passphrase)
        commit = service.require("manage_users").commit_seq()
    finally:
        _zero(passphrase)
        service.lock()
    echo(f"accepted the vault's current state (commit {commit}) as the new baseline; audited")
    return 0
