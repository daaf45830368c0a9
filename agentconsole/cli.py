"""Command-line entry: launches the console or runs a headless subcommand.

Subcommands are registered in one place, :data:`COMMAND_MODULES`: each module
has ``register(subparsers)`` adding its parsers with
``set_defaults(handler=fn)``, where ``fn(args, ctx) -> int``. Command modules
stay light at import time (heavy imports happen inside handlers) so ``--help``
is instant.

Expected failures (:class:`~agentconsole.errors.AgentConsoleError`) print one
line on stderr and exit non-zero; anything else prints one line pointing at
the log file. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentconsole import __version__, airgap
from agentconsole.errors import AgentConsoleError

log = logging.getLogger("agentconsole.cli")

PROG = "agentconsole"

#: Every subcommand module, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "agentconsole.commands.config_cmd",
    "agentconsole.commands.llm_cmds",
    "agentconsole.commands.doctor_cmd",
    "agentconsole.commands.vault_cmds",
    "agentconsole.commands.team_cmds",
    "agentconsole.commands.import_cmd",
    "agentconsole.commands.demo_cmd",
    "agentconsole.commands.compliance_cmds",
    "agentconsole.commands.transparency_cmds",
    "agentconsole.commands.mask_cmd",
    "agentconsole.commands.booking_cmds",
    "agentconsole.commands.case_cmds",
    "agentconsole.commands.report_cmd",
    "agentconsole.commands.kb_cmds",
)


@dataclass
class CliContext:
    """What every handler gets: the data directory, settings and flags."""

    home: Path
    debug: bool = False
    model_override: str | None = None
    _settings: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Any:
        if self._settings is None:
            from agentconsole.config import load_settings

            self._settings = load_settings(self.home)
        return self._settings


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (no usage dump), exit code 2."""

    def error(self, message: str) -> typing.NoReturn:
        from agentconsole.terminal_text import inert

        self.exit(2, inert(f"{self.prog}: error: {message} (see '{self.prog} --help')") + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Offline console for customer-support agents: a local LLM drafts replies, "
            "transcripts live in an encrypted vault, and PII is masked everywhere. "
            "Run without a subcommand to open the console."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="data directory (default: $AGENTCONSOLE_HOME or the platform's user data dir)",
    )
    parser.add_argument("--model", metavar="PATH", help="GGUF model file or name (overrides model.path)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


#: Commands that still run when the cross-border guard refuses a destination: they inspect or fix config.
_CROSS_BORDER_EXEMPT = frozenset({"config", "doctor", "compliance", "notice"})


def _setup(ctx: CliContext, command: str | None = None) -> None:
    from agentconsole.logs import setup_logging

    settings = ctx.settings
    level = "DEBUG" if ctx.debug else settings.logging.level
    setup_logging(settings.logs_dir, level, max_bytes=settings.logging.max_bytes, backups=settings.logging.backups)
    airgap.allow_hosts(settings.network.allowed_hosts)
    if command not in _CROSS_BORDER_EXEMPT:
        from agentconsole.compliance.jurisdiction import enforce

        enforce(settings)  # a destination in a jurisdiction nobody allowed: refuse before anything starts


def _fail(message: str, code: int) -> int:
    from agentconsole.terminal_text import echo

    echo(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from agentconsole.config import home_dir

    home = Path(args.home).expanduser().resolve() if args.home else home_dir()
    problem = _home_problem(home)
    if problem:
        return _fail(problem, 2)
    if args.home:
        os.environ["AGENTCONSOLE_HOME"] = str(home)
    from agentconsole.hardening import harden_process

    harden_process(home)  # no core dumps, umask 077, private data dir: before any file is written
    ctx = CliContext(home=home, debug=args.debug, model_override=args.model)
    handler = getattr(args, "handler", None)
    try:
        _setup(ctx, getattr(args, "command", None))
        if handler is None:
            handler = _launch_console
        return int(handler(args, ctx) or 0)
    except AgentConsoleError as exc:
        log.info("command failed: %s", exc.message)
        if ctx.debug:
            raise
        return _fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # unexpected: details to the log, one line to the user
        log.exception("unexpected error")
        if ctx.debug:
            raise
        from agentconsole.logs import log_file

        where = log_file() or "the log"
        return _fail(f"unexpected {type(exc).__name__}; details in {where} (rerun with --debug)", 70)


def _home_problem(home: Path) -> str | None:
    """Why ``home`` cannot be the data directory (not a directory, cannot be created), or None."""
    if home.exists():
        return None if home.is_dir() else f"the data directory {home} exists and is not a directory"
    try:
        home.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        return None
    except OSError as exc:
        return f"cannot create the data directory {home}: {exc.strerror}"
    return None


def require_terminal(what: str = "the console") -> None:
    """Refuse to start a full-screen UI without a terminal on stdin and stdout (it would hang)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise AgentConsoleError(
            f"{what} needs a terminal, and stdin or stdout is not one: run it in a terminal, "
            "or use a subcommand (see 'agentconsole --help')",
            exit_code=2,
        )


def _launch_console(args: argparse.Namespace, ctx: CliContext) -> int:
    from agentconsole.ui.launch import run_console

    require_terminal()
    return run_console(ctx)
