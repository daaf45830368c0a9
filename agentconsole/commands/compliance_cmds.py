"""Compliance commands: ``audit``, ``export``, ``erase``, ``retention``, ``consent``.

Each unlocks the vault as ``--user`` through :func:`commands.session.open_service`,
so roles are enforced and actions audited by :mod:`agentconsole.service`,
exactly as in the console. Only ``export`` prints customer data (that is its
purpose); everything else prints ids and counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agentconsole.errors import AgentConsoleError
from agentconsole.terminal_text import echo, inert, json_escape, json_text


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    audit = subparsers.add_parser("audit", help="verify, anchor and read the tamper-evident audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser(
        "verify",
        help="check the audit chain: prints OK or the first broken entry (exit 1)",
        description="Check every entry's MAC. With --anchor, also detect a truncated log or a restored older vault.",
    )
    verify.add_argument("--anchor", type=Path, metavar="FILE", help="an anchor written earlier by 'audit anchor'")
    add_session_options(verify)
    verify.set_defaults(handler=audit_verify)
    anchor = audit_sub.add_parser(
        "anchor", help="write the log's head (seq, mac, time) to keep somewhere else (stdout by default)"
    )
    anchor.add_argument("--out", type=Path, metavar="FILE", help="write the anchor to FILE")
    add_session_options(anchor)
    anchor.set_defaults(handler=audit_anchor)
    show = audit_sub.add_parser("show", help="list audit entries (supervisor or auditor)")
    show.add_argument("--since", metavar="WHEN", help="only entries at or after a date or time (UTC), e.g. 2026-01-31")
    show.add_argument("--actor", metavar="USER", help="only entries by this user")
    show.add_argument(
        "--action", metavar="ACTION", help="only this action and its sub-actions (unlock -> unlock.failed)"
    )
    show.add_argument("--limit", type=int, metavar="N", help="only the last N matching entries")
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    add_session_options(show)
    show.set_defaults(handler=audit_show)
    from agentconsole.commands.transparency_cmds import register_audit_forward

    register_audit_forward(audit_sub)

    export = subparsers.add_parser(
        "export",
        help="everything held about a customer, real values restored (right of access; supervisor)",
    )
    export.add_argument("--customer", required=True, metavar="REF", help="customer reference")
    export.add_argument("--format", choices=("json", "md"), default="json", help="json (default) or md")
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (mode 0600; default: stdout)")
    add_session_options(export)
    export.set_defaults(handler=export_customer)

    erase = subparsers.add_parser(
        "erase", help="delete a customer and all their cases, messages and values (right to erasure; supervisor)"
    )
    erase.add_argument("--customer", required=True, metavar="REF", help="customer reference")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_session_options(erase)
    erase.set_defaults(handler=erase_customer)

    retention = subparsers.add_parser("retention", help="apply the retention policy (supervisor)")
    retention_sub = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    run = retention_sub.add_parser("run", help="expire old PII values and delete old transcripts now")
    run.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    add_session_options(run)
    run.set_defaults(handler=retention_run)

    consent = subparsers.add_parser(
        "consent", help="a customer's consent to AI processing (or, with --purpose, to another purpose)"
    )
    consent_sub = consent.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    for action, text in (
        ("give", "record that the customer consented"),
        ("withdraw", "record that the customer withdrew consent"),
        ("show", "print the current state and the history"),
    ):
        sub = consent_sub.add_parser(action, help=text)
        sub.add_argument("--customer", required=True, metavar="REF", help="customer reference")
        sub.add_argument(
            "--purpose",
            choices=("ai-processing", "model-improvement"),
            default="ai-processing",
            help="ai-processing (default: drafts with the model) or model-improvement (training-data export)",
        )
        add_session_options(sub)
        sub.set_defaults(handler=consent_command, consent_action=action)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically (never following a symlink at the target)."""
    from agentconsole.atomicfile import write_atomic

    try:
        write_atomic(Path(path), text.encode("utf-8"))
    except OSError as exc:
        raise AgentConsoleError(f"cannot write {path}: {exc.strerror}") from None


def audit_verify(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.compliance.audit import parse_anchor

    anchor = None
    if args.anchor is not None:
        try:
            anchor = parse_anchor(Path(args.anchor).read_text(encoding="utf-8")).as_json()
        except OSError as exc:
            raise AgentConsoleError(f"cannot read anchor {args.anchor}: {exc.strerror}", exit_code=2) from None
    with open_service(args, ctx) as service:
        result = service.verify_audit(anchor)
    echo(result.describe())
    return 0 if result.ok else 1


def audit_anchor(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        anchor = service.audit_anchor().as_json()
    text = json_text(anchor, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_private(args.out, text)
        echo(f"anchor at entry {anchor['seq']} written to {args.out}; keep it outside this machine")
    return 0


def audit_show(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    if args.limit is not None and args.limit < 1:
        raise AgentConsoleError("--limit must be at least 1", exit_code=2)
    with open_service(args, ctx) as service:
        entries = service.audit_entries(since=args.since, actor=args.actor, action=args.action, limit=args.limit)
    for entry in entries:
        if args.json:
            echo(json_text(entry.as_json(), sort_keys=True))
        else:
            details = json.dumps(entry.details, sort_keys=True, separators=(",", ":")) if entry.details else ""
            echo(
                f"{entry.seq:>6}  {entry.time[:19]}Z  {entry.actor:<12}  {entry.action:<18}  {entry.subject}  {details}".rstrip()
            )
    return 0


def export_customer(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        text = service.export_customer(args.customer, args.format)
    text = json_escape(text) if args.format == "json" else inert(text)
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_private(args.out, text)
        echo(f"export of customer {args.customer} written to {args.out}")
    return 0


def _confirm_erasure(ref: str) -> None:
    """Ask on the controlling terminal (not stdin, which may carry the passphrase) to type ``ref``."""
    import os

    try:
        # Unbuffered bytes: a text-mode "r+" open of /dev/tty fails ("not seekable").
        fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        raise AgentConsoleError("erasure cannot be undone: confirm with --yes", exit_code=2) from None
    try:
        prompt = inert(f"erase customer {ref} and everything held about them? type the reference to confirm: ")
        os.write(fd, prompt.encode("utf-8", "replace"))
        answer = bytearray()
        while len(answer) < 4096:
            chunk = os.read(fd, 1)
            if not chunk or chunk in (b"\n", b"\r"):
                break
            answer += chunk
    finally:
        os.close(fd)
    if answer.decode("utf-8", "replace").strip() != ref:
        raise AgentConsoleError("not confirmed; nothing was erased", exit_code=2)


def erase_customer(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    ref = args.customer.strip()
    with open_service(args, ctx) as service:
        service.require("erase")  # refuse before asking for a confirmation
        if not args.yes:
            _confirm_erasure(ref)
        report = service.erase_customer(ref)
    echo(
        f"erased customer {ref}: {report.cases} cases, {report.messages} messages, "
        f"{report.pii_values} PII values, {report.consents} consent records"
    )
    if not report.checkpointed:
        echo("warning: the write-ahead log could not be truncated now; it will be at the next checkpoint")
    return 0


def retention_run(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        report = service.run_retention(dry_run=args.dry_run)
    echo(report.describe())
    return 0


def consent_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    ref = args.customer.strip()
    if getattr(args, "purpose", "ai-processing") != "ai-processing":
        return _purpose_consent(args, ctx, ref)
    with open_service(args, ctx) as service:
        if args.consent_action == "show":
            history = service.consent_history(ref)
        else:
            service.record_consent(ref, args.consent_action == "give")
            history = service.consent_history(ref)
    current = bool(history and history[-1].given)
    echo(f"customer {ref}: consent to AI processing {'given' if current else 'not given'}")
    for record in history:
        echo(f"  {record.at[:19]}Z  {'given' if record.given else 'withdrawn':<9}  by {record.agent}")
    return 0


def _purpose_consent(args: argparse.Namespace, ctx: Any, ref: str) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        if args.consent_action != "show":
            service.record_purpose_consent(ref, args.purpose, args.consent_action == "give")
        history = service.purpose_consent_history(ref, args.purpose)
    current = bool(history and history[-1].given)
    echo(f"customer {ref}: consent to {args.purpose} {'given' if current else 'not given'}")
    for record in history:
        echo(f"  {record.at[:19]}Z  {'given' if record.given else 'withdrawn':<9}  by {record.agent}")
    return 0
