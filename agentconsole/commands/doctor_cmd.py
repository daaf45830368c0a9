"""``agentconsole doctor``: check the installation, the offline guard and the hardening."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agentconsole.commands.passphrase import add_passphrase_options
from agentconsole.errors import AgentConsoleError
from agentconsole.terminal_text import echo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check dependencies, SQLCipher, model, Presidio, egress guard and hardening",
        description=(
            "Print a table of checks (ok / warn / FAIL) and exit non-zero on any FAIL. "
            "With --user (a supervisor or auditor), also open the vault and check its "
            "integrity and the audit chain."
        ),
    )
    parser.add_argument(
        "--deep", action="store_true", help="also load the spaCy pipeline and run the model for a few tokens"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--user", metavar="NAME", help="also open the vault as NAME: integrity and audit chain")
    add_passphrase_options(parser)
    parser.add_argument(
        "--anchor", metavar="FILE", type=Path, help="an anchor written by 'audit anchor': the log must still reach it"
    )
    parser.set_defaults(handler=run_doctor)


def _read_anchor(path: Path) -> dict[str, Any]:
    from agentconsole.compliance.audit import parse_anchor

    try:
        return parse_anchor(path.read_text(encoding="utf-8")).as_json()
    except OSError as exc:
        raise AgentConsoleError(f"cannot read anchor {path}: {exc.strerror}", exit_code=2) from None


def run_doctor(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.passphrase import read_passphrase
    from agentconsole.doctor import DoctorOptions, exit_code, render_table, run_checks
    from agentconsole.logs import register_secret, unregister_secret

    if not args.user and (args.passphrase_file is not None or args.passphrase_stdin or args.anchor):
        raise AgentConsoleError("the vault checks need --user NAME", exit_code=2)
    anchor = _read_anchor(args.anchor) if args.anchor else None
    passphrase = read_passphrase(args, f"passphrase for {args.user}: ") if args.user else None
    if passphrase is not None:
        register_secret(passphrase)
    try:
        options = DoctorOptions(
            deep=args.deep,
            model_override=ctx.model_override,
            user=args.user,
            passphrase=passphrase,
            audit_anchor=anchor,
        )
        results = run_checks(ctx.settings, options)
    finally:
        if passphrase is not None:
            unregister_secret(passphrase)
            passphrase[:] = bytes(len(passphrase))
    if args.json:
        import json

        echo(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        echo(render_table(results))
    return exit_code(results)
