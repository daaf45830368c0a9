"""``agentconsole config``: show the effective settings."""

from __future__ import annotations

import argparse
from typing import Any

from agentconsole.terminal_text import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="show the effective configuration")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print the effective settings as TOML (never secrets)")
    show.set_defaults(handler=show_config)
    path = sub.add_parser("path", help="print the config file's path")
    path.set_defaults(handler=show_path)


def show_config(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.config import CONFIG_FILE_NAME, render_toml

    settings = ctx.settings
    source = settings.source or f"{ctx.home / CONFIG_FILE_NAME} (not present: defaults)"
    echo(f"# effective settings; file: {source}")
    echo(f"# data directory: {ctx.home}")
    echo(render_toml(settings), end="")
    return 0


def show_path(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.config import CONFIG_FILE_NAME

    echo(ctx.home / CONFIG_FILE_NAME)
    return 0
