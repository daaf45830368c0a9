"""Unlocking the vault for a headless command, always through the service.

Commands that touch the vault call :func:`add_session_options` on their parser
and :func:`open_service` in their handler, so roles are checked and actions
audited in :mod:`agentconsole.service`, exactly as in the console.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from typing import Any


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """``--user`` plus the passphrase options (terminal, ``--passphrase-file``, ``--passphrase-stdin``)."""
    from agentconsole.commands.passphrase import add_passphrase_options

    parser.add_argument(
        "--user",
        metavar="NAME",
        help="vault user to act as (default: $AGENTCONSOLE_USER or your login name)",
    )
    add_passphrase_options(parser)


def session_user(args: argparse.Namespace) -> str:
    return args.user or os.environ.get("AGENTCONSOLE_USER") or getpass.getuser()


@contextlib.contextmanager
def open_service(args: argparse.Namespace, ctx: Any, *, load_privacy: bool = False) -> Iterator[Any]:
    """Yield a :class:`ConsoleService` unlocked as the command's user; lock it afterwards."""
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.errors import AgentConsoleError
    from agentconsole.service import ConsoleService

    service = ConsoleService(ctx.settings, model_override=ctx.model_override)
    if not service.vault_exists():
        raise AgentConsoleError(f"no vault at {service.vault_path}: create one with 'agentconsole init'")
    user = session_user(args)
    passphrase = read_passphrase(args, f"passphrase for {user}: ")
    try:
        service.unlock(user, passphrase)
    finally:
        passphrase[:] = bytes(len(passphrase))
    from agentconsole.terminal_text import echo

    for warning in service.unlock_warnings:  # already audited
        echo(f"agentconsole: warning: {warning}", file=sys.stderr)
    try:
        if load_privacy:
            _ = service.privacy
        yield service
    finally:
        service.lock()
