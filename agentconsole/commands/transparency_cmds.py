"""Transparency commands: ``notice``, ``compliance report``, ``export-training``, ``audit forward``.

Vault commands unlock as ``--user`` through :func:`commands.session.open_service`,
so roles are enforced and the actions audited in the service layer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agentconsole.commands.compliance_cmds import _write_private
from agentconsole.errors import AgentConsoleError
from agentconsole.terminal_text import echo, inert


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    notice = subparsers.add_parser(
        "notice",
        help="print the privacy notice for customers (values from the live config)",
        description="The privacy notice: what is collected, purposes, retention periods from the config, "
        "where data goes, rights and how to exercise them. F9 in the console inserts it into a reply.",
    )
    notice.add_argument("--format", choices=("md", "txt"), default="md", help="md (default) or txt")
    notice.set_defaults(handler=print_notice)

    compliance = subparsers.add_parser("compliance", help="the record of processing (supervisor or auditor)")
    compliance_sub = compliance.add_subparsers(dest="compliance_command", metavar="ACTION", required=True)
    report = compliance_sub.add_parser(
        "report",
        help="record of processing from the live config and the vault",
        description="Purposes, masked data categories, retention, where data is stored and processed (every "
        "server backend with its host and jurisdiction), users per role, consent counts, erasures and exports "
        "in the period, audit chain status.",
    )
    report.add_argument("--format", choices=("md", "json"), default="md", help="md (default) or json")
    report.add_argument("--since", metavar="WHEN", help="start of the activity period (default: 30 days ago)")
    report.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (mode 0600; default: stdout)")
    add_session_options(report)
    report.set_defaults(handler=compliance_report)

    training = subparsers.add_parser(
        "export-training",
        help="masked transcripts of customers consenting to model improvement, re-scanned (supervisor)",
        description="Customers with consent purpose model-improvement only; every line re-scanned with stricter "
        "thresholds and dropped on any residual hit; placeholders renumbered per conversation; customer "
        "references replaced. Prints what was dropped and why.",
    )
    training.add_argument("--out", type=Path, required=True, metavar="FILE", help="JSON lines file (mode 0600)")
    training.add_argument("--since", metavar="WHEN", help="only messages at or after this date or time (UTC)")
    training.add_argument(
        "--min-csat",
        type=int,
        metavar="N",
        help="only conversations rated N or more (needs CSAT survey data, issue 16; ignored with a note without it)",
    )
    add_session_options(training)
    training.set_defaults(handler=export_training)


def register_audit_forward(audit_sub: Any) -> None:
    """``audit forward [--test]`` under the ``audit`` command."""
    from agentconsole.commands.session import add_session_options

    forward = audit_sub.add_parser(
        "forward",
        help="deliver pending audit entries to the SIEM collector; --test checks the path",
        description="Sends what the collector has not acknowledged yet and prints the delivery state. With --test, "
        "writes an audit.forward_test entry and waits until the collector has it.",
    )
    forward.add_argument("--test", action="store_true", help="write a test entry and wait for its delivery")
    forward.add_argument("--timeout", type=float, default=15.0, metavar="S", help="seconds to wait (default 15)")
    add_session_options(forward)
    forward.set_defaults(handler=audit_forward)


def print_notice(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.compliance.notice import render_notice

    sys.stdout.write(inert(render_notice(ctx.settings, args.format)))
    return 0


def compliance_report(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        text = service.compliance_report(args.format, since=args.since)
    if args.out is None:
        sys.stdout.write(inert(text))
    else:
        _write_private(args.out, text)
        echo(f"record of processing written to {args.out}")
    return 0


def export_training(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    if args.min_csat is not None and args.min_csat < 0:
        raise AgentConsoleError("--min-csat must be 0 or more", exit_code=2)
    with open_service(args, ctx) as service:
        service.require("export")  # refuse before loading the PII engine
        text, report = service.export_training(since=args.since, min_csat=args.min_csat)
    _write_private(args.out, text)
    echo(f"{report.describe()}\nwritten to {args.out}")
    if args.min_csat is not None and not report.csat_applied:
        echo(
            "agentconsole: note: --min-csat ignored: this vault holds no CSAT survey results (issue 16)",
            file=sys.stderr,
        )
    return 0


def audit_forward(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        if args.test:
            status = service.forward_test(args.timeout)
            echo(f"OK: {status.describe()}")
            return 0
        service.require("audit")
        status = service.forwarding_status()
        if status is None:
            raise AgentConsoleError("SIEM forwarding is off: set [siem] transport in the config", exit_code=2)
        service.flush_forwarding(args.timeout)
        status = service.forwarding_status()
    assert status is not None
    echo(status.describe())
    return 0 if status.pending == 0 else 1
