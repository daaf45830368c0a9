"""``agentconsole import FILE --customer REF``: a JSONL transcript into a new case."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentconsole.domain import WRITABLE_MESSAGE_ROLES
from agentconsole.errors import AgentConsoleError

IMPORT_ROLES = WRITABLE_MESSAGE_ROLES


class MalformedTranscript(AgentConsoleError):
    """One or more lines of a transcript file are not valid turns."""


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    parser = subparsers.add_parser(
        "import",
        help="import a JSONL transcript into a new case (masked on the way in)",
        description=(
            'Each line: {"role": "customer"|"agent"|"note", "text": "...", "time": optional ISO-8601}. '
            "The whole file is checked first; a malformed line imports nothing. Prints the new case id."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="JSONL transcript ('-' for stdin)")
    parser.add_argument("--customer", required=True, metavar="REF", help="customer reference (created if new)")
    parser.add_argument("--title", help="case title (default: the file's name)")
    add_session_options(parser)
    parser.set_defaults(handler=import_transcript)


def parse_transcript(lines: list[str]) -> list[tuple[str, str, str | None]]:
    """Validate every line; raise one error listing each malformed line number."""
    turns: list[tuple[str, str, str | None]] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"line {number}: not valid JSON")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        unknown = sorted(set(obj) - {"role", "text", "time"})
        role, text, when = obj.get("role"), obj.get("text"), obj.get("time")
        if unknown:
            problems.append(f"line {number}: unknown field '{unknown[0]}'")
        elif role not in IMPORT_ROLES:
            problems.append(f"line {number}: role must be customer, agent or note")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"line {number}: text must be a non-empty string")
        elif when is not None and not _is_iso8601(when):
            problems.append(f"line {number}: time must be ISO-8601")
        else:
            turns.append((role, text, _normalise_time(when) if when is not None else None))
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise MalformedTranscript(f"{len(problems)} malformed line(s), nothing imported: {shown}")
    if not turns:
        raise MalformedTranscript("the transcript has no turns, nothing imported")
    return turns


def _is_iso8601(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _normalise_time(value: str) -> str:
    """Store instants in UTC, like every other timestamp in the vault (naive times are taken as UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def import_transcript(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.commands.textinput import read_stdin, read_text_file

    limit = ctx.settings.limits.max_import_bytes
    if str(args.file) == "-":
        if getattr(args, "passphrase_stdin", False):
            raise AgentConsoleError("--passphrase-stdin and a transcript on stdin cannot be combined")
        text, name = read_stdin(limit, "the transcript", "limits.max_import_bytes"), "stdin"
    else:
        text, name = read_text_file(args.file, limit, "the transcript", "limits.max_import_bytes"), args.file.name
    turns = parse_transcript(text.splitlines())
    with open_service(args, ctx, load_privacy=True) as service:
        case_id = service.import_transcript(args.customer, args.title or f"Imported from {name}", turns)
    print(case_id)
    return 0
