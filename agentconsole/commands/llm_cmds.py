"""``agentconsole ask`` (one-shot answer), ``agentconsole draft`` (a case's draft, headless) and ``models``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="ask the model one question; the answer streams to stdout",
        description=(
            "Ask the model one question. PII in the question is masked before the model sees it, "
            "and placeholders in the answer are restored in what is printed."
        ),
    )
    ask.add_argument("text", nargs="+", metavar="TEXT", help="the question, or - to read it from stdin")
    ask.add_argument("--model", dest="model", default=argparse.SUPPRESS, metavar="M", help="model name or GGUF path")
    ask.add_argument("--max-tokens", type=int, metavar="N", help="longest answer in tokens (default: model.max_tokens)")
    ask.add_argument("--temperature", type=float, metavar="T", help="sampling temperature (0 = deterministic)")
    ask.add_argument("--seed", type=int, metavar="S", help="random seed (default: model.seed)")
    ask.add_argument("--stats", action="store_true", help="print timing and token counts to stderr")
    ask.add_argument("--json", action="store_true", help="print one JSON object with the text and stats")
    ask.add_argument(
        "--no-mask", action="store_true", help="send the text unmasked (debugging with synthetic text only)"
    )
    ask.set_defaults(handler=ask_command)

    _register_draft(subparsers)

    models = subparsers.add_parser(
        "models",
        help="list the GGUF models found, with their checksum status; 'models add FILE' adds one",
        description="List the GGUF models found, with their checksum status. 'models add FILE' adds a model.",
    )
    models.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    models.add_argument("--no-verify", action="store_true", help="skip hashing (checksum status from size only)")
    models.set_defaults(handler=models_command)
    actions = models.add_subparsers(dest="models_action", metavar="ACTION", title="actions")
    add = actions.add_parser(
        "add",
        help="copy a GGUF file into the data directory and record its sha256 in your manifest",
        description=(
            "Validate a GGUF file, copy it into $AGENTCONSOLE_HOME/models/ and record its name, size and "
            "sha256 in $AGENTCONSOLE_HOME/models/manifest.toml, so every later load verifies it."
        ),
    )
    add.add_argument("file", metavar="FILE", help="the .gguf file")
    add.add_argument("--name", metavar="NAME", help="name to use with --model (default: the file stem)")
    add.add_argument("--licence", default="", metavar="TEXT", help="the model's licence, for your records")
    add.add_argument("--source", default="", metavar="TEXT", help="where the file came from, for your records")
    add.add_argument("--link", action="store_true", help="symlink the file instead of copying it")
    add.set_defaults(handler=models_add_command)


def _register_draft(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    draft = subparsers.add_parser(
        "draft",
        help="draft a reply, a summary or an answer for a case; streams to stdout and stores it",
        description=(
            "Draft a reply (default), a case summary or an answer to a question for a case in the vault, "
            "exactly as the console does: the model sees masked text only, the draft streams to stdout "
            "masked (placeholders) and is stored in the case. Placeholders the model invented or broke "
            "are marked <INVENTED ...>/<DAMAGED ...>; values it made up are <MODEL_INVENTED ...>."
        ),
    )
    draft.add_argument("--case", type=int, required=True, metavar="ID", help="the case id")
    draft.add_argument(
        "--kind", choices=("reply", "summary", "answer"), default="reply", help="what to write (default: reply)"
    )
    draft.add_argument("--question", metavar="TEXT", help="the question, for --kind answer (masked before use)")
    draft.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: text, placeholders, stats, the KB passages (each with used: true/false) "
        "and the draft's citations",
    )
    draft.add_argument("--stats", action="store_true", help="print timing and token counts to stderr")
    draft.add_argument(
        "--reveal", action="store_true", help="print the case's real values instead of placeholders (audited)"
    )
    add_session_options(draft)
    draft.set_defaults(handler=draft_command)


# --- ask ---------------------------------------------------------------------------


def _read_question(parts: list[str], limit: int = 1_048_576) -> str:
    from agentconsole.commands.textinput import read_text_arg
    from agentconsole.errors import AgentConsoleError

    text = read_text_arg(parts, limit, "the question")
    if not text.strip():
        raise AgentConsoleError("nothing to ask: the question is empty", exit_code=2)
    return text


def format_stats(stats: Any) -> str:
    """One line of generation numbers for stderr."""
    cached = f" ({stats.cached_prompt_tokens} cached)" if stats.cached_prompt_tokens else ""
    notes = []
    if stats.turns_dropped:
        notes.append(f"{stats.turns_dropped} turns dropped")
    if stats.truncated:
        notes.append("truncated to fit")
    if stats.cancelled:
        notes.append("cancelled")
    extra = f" | {', '.join(notes)}" if notes else ""
    return (
        f"time to first token {stats.ttft_ms:.0f} ms | prompt {stats.prompt_tokens} tokens{cached} | "
        f"completion {stats.completion_tokens} tokens | {stats.decode_tokens_per_s:.1f} tokens/s | "
        f"total {stats.total_ms / 1000:.2f} s{extra}"
    )


class _Unmasked:
    """The no-op pipeline used with --no-mask."""

    entities_masked = 0

    def feed(self, delta: str) -> str:
        return delta

    def flush(self) -> str:
        return ""


def _masking_pipeline(ctx: Any, question: str) -> tuple[str, Any, int]:
    """Mask ``question``; return (masked text, restorer for the answer, entities masked)."""
    from agentconsole.errors import AgentConsoleError

    try:
        from agentconsole.privacy import CaseMapping, PrivacyEngine, StreamRestorer
    except ImportError:
        raise AgentConsoleError(
            "the PII engine is not available, so the question cannot be masked "
            "(rerun with --no-mask only for synthetic test text)"
        ) from None
    privacy = PrivacyEngine.from_settings(ctx.settings.privacy)
    mapping = CaseMapping.from_entries([])
    result = privacy.mask(question, mapping)
    return result.masked, StreamRestorer(mapping), len(result.entities)


def ask_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.llm import ChatTurn, build_engine
    from agentconsole.terminal_text import InertStream, json_text

    question = _read_question(args.text, ctx.settings.limits.max_message_bytes)
    if args.no_mask:
        prompt_text, restorer, masked_count = question, _Unmasked(), 0
    else:
        prompt_text, restorer, masked_count = _masking_pipeline(ctx, question)

    engine = build_engine(ctx.settings, ctx.model_override)
    engine.load()
    generation = engine.stream(
        [ChatTurn("user", prompt_text)],
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        seed=args.seed,
    )
    shown: list[str] = []
    out = sys.stdout
    shown_inert = InertStream()
    interrupted = False
    try:
        for delta in generation:
            visible = restorer.feed(delta)
            if visible:
                shown.append(visible)
                if not args.json:
                    out.write(shown_inert.feed(visible))
                    out.flush()
    except KeyboardInterrupt:
        generation.cancel()
        interrupted = True
    tail = restorer.flush()
    if tail:
        shown.append(tail)
    if not args.json:
        out.write(shown_inert.feed(tail) + shown_inert.flush())
    stats = generation.stats
    if args.json:
        out.write(
            json_text(
                {
                    "text": "".join(shown),
                    "model": engine.model_name,
                    "masked": not args.no_mask,
                    "entities_masked": masked_count,
                    "stats": stats.as_dict(),
                },
            )
        )
    out.write("\n")
    out.flush()
    if args.stats:
        print(format_stats(stats), file=sys.stderr)
    engine.close()
    return 130 if interrupted else 0


# --- models ------------------------------------------------------------------------


def _size(n_bytes: int) -> str:
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n_bytes} B"


def _count(n: int | None) -> str:
    if not n:
        return "?"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= scale:
            return f"{n / scale:.1f}{suffix}"
    return str(n)


def models_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.llm import discover_models
    from agentconsole.terminal_text import echo, json_text

    infos = discover_models(ctx.settings, verify=not args.no_verify)
    if args.json:
        echo(json_text([info.as_dict() for info in infos], indent=2))
        return 0
    if not infos:
        dirs = " or ".join(str(d) for d in ctx.settings.models_dirs)
        echo(f"no GGUF models found in {dirs}", file=sys.stderr)
        return 1
    header = ("NAME", "SIZE", "ARCH", "QUANT", "CONTEXT", "PARAMS", "CHECKSUM", "FILE")
    rows = [
        (
            info.name,
            _size(info.size),
            info.architecture,
            info.quantization,
            str(info.context_length or "?"),
            _count(info.parameter_count),
            info.checksum_status,
            str(info.path),
        )
        for info in infos
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        # every column but the last is padded (widths is one shorter than a row)
        echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    for info in infos:
        if info.error:
            echo(f"{info.path.name}: {info.error}", file=sys.stderr)
    return 0


# --- draft -------------------------------------------------------------------------


def draft_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service
    from agentconsole.errors import AgentConsoleError
    from agentconsole.terminal_text import InertStream, echo, json_text

    if args.kind == "answer" and not (args.question or "").strip():
        raise AgentConsoleError("--kind answer needs --question TEXT", exit_code=2)
    if args.question and args.kind != "answer":
        raise AgentConsoleError("--question goes with --kind answer", exit_code=2)
    with open_service(args, ctx, load_privacy=True) as service:
        service.get_case(args.case)  # a clear error for an unknown case before the model loads
        stream = service.draft(args.case, args.kind, args.question)
        restorer = service.reveal_stream(args.case) if args.reveal else None
        out = sys.stdout
        shown_inert = InertStream()  # the model's text (and revealed values) never reach the terminal raw
        shown: list[str] = []
        interrupted = False
        try:
            for delta in stream:
                visible = restorer.feed(delta) if restorer is not None else delta
                shown.append(visible)
                if visible and not args.json:
                    out.write(shown_inert.feed(visible))
                    out.flush()
        except KeyboardInterrupt:
            stream.cancel()
            interrupted = True
            for _ in stream:  # let it end at the next token and store what there is
                pass
        stream.wait()
        tail = restorer.flush() if restorer is not None else ""
        shown.append(tail)
        if not args.json:
            out.write(shown_inert.feed(tail) + shown_inert.flush())
        text = "".join(shown)
        stats = stream.stats
        counts = {cls: sum(1 for f in stream.findings if f.status == cls) for cls in ("known", "invented", "damaged")}
        if args.json:
            payload = {
                "case": args.case,
                "kind": stream.kind,
                "question": stream.question,
                "message_id": stream.message_id,
                "model": service.model_name,
                "revealed": bool(args.reveal),
                "text": text,
                "placeholders": [f.as_dict() for f in stream.findings],
                "kb_declined": stream.kb_declined,
                "passages": stream.kb_passages,
                "citations": stream.kb_citations,
                "stats": {
                    **(stats.as_dict() if stats is not None else {}),
                    "placeholders_known": counts["known"],
                    "placeholders_invented": counts["invented"],
                    "placeholders_damaged": counts["damaged"],
                    "values_invented": stream.values_invented,
                },
            }
            out.write(json_text(payload))
        out.write("\n")
        out.flush()
        if stream.problems and not args.json:
            from agentconsole.privacy.streaming import describe_problems

            echo(
                f"warning: the draft holds {describe_problems(stream.problems)}; edit them before sending",
                file=sys.stderr,
            )
        if args.stats and stats is not None:
            print(format_stats(stats), file=sys.stderr)
    return 130 if interrupted else 0


def models_add_command(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.llm.models import add_model, user_manifest_path

    entry = add_model(
        ctx.settings, Path(args.file), name=args.name, licence=args.licence, origin=args.source, link=args.link
    )
    from agentconsole.terminal_text import echo

    echo(f"added {entry.name}: {entry.file} ({entry.size} bytes, sha256 {entry.sha256})")
    echo(f"recorded in {user_manifest_path(ctx.settings)}; use it with: agentconsole --model {entry.name}")
    return 0
