"""``report``: the supervisor's figures (cases, response times, AI drafts, CSAT, reveals) as table, CSV or JSON."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from agentconsole.errors import AgentConsoleError

_RELATIVE = re.compile(r"(\d{1,4})d")


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    parser = subparsers.add_parser(
        "report",
        help="case, response-time, AI-draft, CSAT and reveal figures (supervisor)",
        description=(
            "The figures of the supervisor dashboard (F5): cases by status and age, first-response and resolution "
            "times, AI drafts sent as-is, edited or discarded and their ratings by task and model, CSAT, and "
            "reveals and copies per agent. JSON has nested objects and every figure again under its dotted "
            'name (e.g. "csat.mean", "drafts.sent_as_is"); CSV is one metric,value row per figure.'
        ),
    )
    parser.add_argument(
        "--since", metavar="DATE", help="start: YYYY-MM-DD, an ISO 8601 time, or Nd for the last N days (default: all)"
    )
    parser.add_argument("--until", metavar="DATE", help="end, exclusive, same forms (default: now)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output (default: table)")
    add_session_options(parser)
    parser.set_defaults(handler=report_command)


def parse_date(text: str, now: datetime, option: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC), an ISO 8601 time (UTC if no offset) or ``Nd`` (N days before now)."""
    value = text.strip()
    relative = _RELATIVE.fullmatch(value)
    if relative:
        return now - timedelta(days=int(relative.group(1)))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AgentConsoleError(
            f"{option} {value[:40]!r} is not a date: use YYYY-MM-DD, an ISO 8601 time or Nd", exit_code=2
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def report_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.terminal_text import inert
    from agentconsole.workflow.report import render

    now = datetime.now(UTC)
    since = parse_date(args.since, now, "--since") if args.since else None
    until = parse_date(args.until, now, "--until") if args.until else None
    with open_service(args, ctx) as service:
        figures = service.workflow_report(since=since, until=until, now=now)
    sys.stdout.write(inert(render(figures, args.format)) if args.format == "table" else render(figures, args.format))
    return 0
