"""``agentconsole doctor``: check the installation, the offline guard and the hardening."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agentconsole.errors import AgentConsoleError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check dependencies, SQLCipher, model, Presidio, egress guard and hardening",
        description=(
            "Print a table of checks (ok / warn / FAIL) and exit non-zero on any FAIL. "
            "With --user and a passphrase, also open the vault and check its integrity "
            "and the audit chain."
        ),
    )
    parser.add_argument("--deep", action="store_true", help="also load the spaCy pipeline and run the model for a few tokens")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--user", metavar="NAME", help="vault user for the integrity check")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--passphrase-file", metavar="FILE", type=Path, help="read the passphrase from FILE")
    source.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase from standard input")
    parser.add_argument(
        "--audit-anchor", metavar="FILE", type=Path, help="an exported audit head (JSON) the log must still reach"
    )
    parser.set_defaults(handler=run_doctor)


def _strip_newline(data: bytearray) -> bytearray:
    while data and data[-1:] in (b"\n", b"\r"):
        data[-1] = 0
        del data[-1]
    return data


def read_passphrase(args: argparse.Namespace) -> bytearray | None:
    """The passphrase from --passphrase-file or --passphrase-stdin, as a bytearray (or None)."""
    if args.passphrase_file is not None:
        try:
            with args.passphrase_file.open("rb", buffering=0) as fh:
                data = bytearray(fh.read())
        except OSError as exc:
            raise AgentConsoleError(f"cannot read passphrase file {args.passphrase_file}: {exc.strerror}") from None
    elif args.passphrase_stdin:
        data = bytearray(sys.stdin.buffer.readline())
    else:
        return None
    data = _strip_newline(data)
    if not data:
        raise AgentConsoleError("the passphrase is empty")
    return data


def _read_anchor(path: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AgentConsoleError(f"cannot read audit anchor {path}: {exc.strerror}") from None
    except ValueError:
        raise AgentConsoleError(f"audit anchor {path} is not JSON") from None
    if not isinstance(data, dict):
        raise AgentConsoleError(f"audit anchor {path} is not a JSON object")
    return data


def run_doctor(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.doctor import DoctorOptions, exit_code, render_table, run_checks
    from agentconsole.logs import register_secret, unregister_secret

    wants_vault = args.passphrase_file is not None or args.passphrase_stdin
    if wants_vault and not args.user:
        raise AgentConsoleError("the vault check needs --user NAME with the passphrase", exit_code=2)
    if args.user and not wants_vault:
        raise AgentConsoleError("--user needs --passphrase-file FILE or --passphrase-stdin", exit_code=2)
    if args.audit_anchor and not wants_vault:
        raise AgentConsoleError("--audit-anchor needs --user and a passphrase (the vault is opened)", exit_code=2)
    anchor = _read_anchor(args.audit_anchor) if args.audit_anchor else None
    passphrase = read_passphrase(args)
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

        print(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        print(render_table(results))
    return exit_code(results)
