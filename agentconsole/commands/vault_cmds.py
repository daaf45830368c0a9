"""Vault commands: ``init``, ``user add|remove|list``, ``passwd``, ``rekey``, ``vault check``.

Commands that act on an open vault go through :mod:`agentconsole.service`
(``commands.session.open_service``), so roles are checked and the actions
audited exactly as in the console. ``passwd`` and ``vault check`` work on the
files directly: a passphrase change leaves the database file untouched, and a
check must report damage instead of refusing to open.
"""

from __future__ import annotations

import argparse
from typing import Any

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
    check = vault_sub.add_parser("check", help="verify every page of the vault (prints OK or the damaged pages; exit 1)")
    add_session_options(check)
    check.set_defaults(handler=check_vault)


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
    print(f"created vault {path} with supervisor {user}")
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
    print(f"added {args.role} {args.name}")
    return 0


def user_remove(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.user_remove(args.name)
    print(f"removed {args.name} (run 'agentconsole rekey' if they may have kept a copy of the keys file)")
    return 0


def user_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        users = service.user_list()
    width = max(len(name) for name, _ in users)
    for name, role in users:
        print(f"{name:<{width}}  {role}")
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
    print(f"passphrase changed for {user}")
    return 0


def rotate_data_key(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        service.rekey()
    print("data key rotated; every key slot rewrapped")
    return 0


def check_vault(args: argparse.Namespace, ctx: Any) -> int:
    """Print OK, or the damaged pages and exit 1."""
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.commands.session import session_user
    from agentconsole.vault import Vault, VaultTampered

    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    try:
        vault = Vault.unlock(ctx.settings.vault_path, user, passphrase)
    except VaultTampered as exc:
        if exc.pages:
            print(f"DAMAGED: pages {', '.join(str(p) for p in exc.pages)}")
        else:
            print(f"DAMAGED: {exc.message}")
        return 1
    finally:
        _zero(passphrase)
    try:
        pages = vault.check_integrity()
    finally:
        vault.lock()
    if pages:
        print(f"DAMAGED: pages {', '.join(str(p) for p in pages)}")
        return 1
    print("OK")
    return 0
