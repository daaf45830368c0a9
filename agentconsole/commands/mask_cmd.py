"""``agentconsole mask [--jsonl]``: mask PII in text read from stdin.

Plain mode reads all of stdin as one case and prints the masked text (mask a
transcript before sharing it). ``--jsonl`` reads one JSON object per line,
``{"text": "..."}``, and writes one object per line, in order::

    {"masked": "...", "entities": [{"start": 0, "end": 10, "type": "PERSON",
                                    "placeholder": "<PERSON_1>", "score": 0.85}]}

Offsets are Unicode code-point indices into the original text. Each line is
its own case (placeholders restart at 1). The models load once per process.

``--jsonl --one-case`` reads a whole transcript (``{"role", "text", "time"}``
lines, as ``agentconsole import`` takes them) as *one* case: one mapping, the
same person is the same placeholder on every line, and each output line is the
input object with only ``text`` masked, so the output can be re-imported.

Nothing reaches the terminal raw: plain output goes through
:func:`agentconsole.terminal_text.inert`, JSON through ``json_text``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EX_DATAERR = 65


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mask",
        help="mask PII in text from stdin (e.g. a transcript before sharing it)",
        description=(
            "Read text on stdin and print it with PII replaced by placeholders like <PERSON_1>. "
            "Terminal escapes and other control characters are printed as visible symbols (ESC as ␛, "
            "U+009B as \\u009b); --jsonl escapes them in the JSON instead, losslessly."
        ),
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='one JSON object {"text": ...} per input line; one {"masked", "entities"} object per output line',
    )
    parser.add_argument(
        "--one-case",
        action="store_true",
        help="with --jsonl: all lines are one case (one mapping); each output line is the input object "
        "with its \"text\" masked and other fields (role, time) kept, ready for 'agentconsole import'",
    )
    parser.set_defaults(handler=run_mask)


def _write_json(out: Any, obj: dict[str, Any]) -> None:
    from agentconsole.terminal_text import json_text

    try:
        line = json_text(obj).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a "\ud800" escape: keep them escaped
        line = json.dumps(obj, ensure_ascii=True).encode("ascii")
    out.write(line + b"\n")
    out.flush()


def _record(number: int, raw: bytes) -> dict[str, Any] | None:
    """One input line as a JSON object with a "text" string (None for a blank line)."""
    from agentconsole.errors import AgentConsoleError

    if not raw.strip():
        return None
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AgentConsoleError(f"line {number}: not valid UTF-8", exit_code=EX_DATAERR) from None
    except json.JSONDecodeError as exc:
        raise AgentConsoleError(
            f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})", exit_code=EX_DATAERR
        ) from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise AgentConsoleError(f'line {number}: expected a JSON object with a "text" string', exit_code=EX_DATAERR)
    return record


def run_mask(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.errors import AgentConsoleError
    from agentconsole.privacy import CaseMapping, PrivacyEngine
    from agentconsole.terminal_text import inert

    if getattr(args, "one_case", False) and not args.jsonl:
        raise AgentConsoleError("--one-case needs --jsonl (plain mode already masks all of stdin as one case)")
    engine = PrivacyEngine.from_settings(ctx.settings.privacy)
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    if not args.jsonl:
        text = stdin.read().decode("utf-8", errors="replace")
        stdout.write(inert(engine.mask(text, CaseMapping()).masked).encode("utf-8", errors="surrogateescape"))
        stdout.flush()
        return 0
    if getattr(args, "one_case", False):
        records = [record for number, raw in enumerate(stdin, start=1) if (record := _record(number, raw)) is not None]
        results = engine.mask_many([record["text"] for record in records], CaseMapping())
        for record, result in zip(records, results, strict=True):
            _write_json(stdout, {**record, "text": result.masked})
        return 0
    for number, raw in enumerate(stdin, start=1):
        record = _record(number, raw)
        if record is None:
            continue
        text = record["text"]
        result = engine.mask(text, CaseMapping())
        _write_json(
            stdout,
            {
                "masked": result.masked,
                "entities": [
                    {
                        "start": e.start,
                        "end": e.end,
                        "type": e.entity_type,
                        "placeholder": e.placeholder,
                        "score": e.score,
                    }
                    for e in result.entities
                ],
            },
        )
    return 0
