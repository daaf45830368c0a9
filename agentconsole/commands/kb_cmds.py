"""``agentconsole kb``: import, list, show, remove and search knowledge-base articles; macros.

Every action unlocks the vault as ``--user`` through the service, so roles
are enforced (supervisors manage, agents read) and changes audited.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agentconsole.errors import AgentConsoleError
from agentconsole.terminal_text import echo, json_text


def _article_id(text: str) -> int:
    value = text.strip().upper().removeprefix("KB-")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"not an article id: {text!r} (use 12 or KB-12)")
    return int(value)


def register(subparsers: Any) -> None:
    from agentconsole.commands.session import add_session_options

    kb = subparsers.add_parser(
        "kb",
        help="the knowledge base: articles drafts are grounded in, and canned replies (macros)",
        description="Articles live encrypted in the vault. Supervisors import and remove; agents read and search.",
    )
    sub = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import",
        help="import Markdown, text, HTML, CSV/JSONL FAQ files or folders (re-import makes a new version)",
        description=(
            "Each .md/.txt/.html file is one article; each row (question, answer) of a .csv/.jsonl file is one. "
            "Passages holding personal data are refused with their file and line, unless --mask."
        ),
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    imp.add_argument("--mask", action="store_true", help="replace personal data with placeholders instead of refusing")
    imp.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="TEXT",
        help="a value the company publishes on purpose (e.g. its support address); repeatable",
    )
    imp.add_argument("--json", action="store_true", help="print one JSON list of the articles imported")
    add_session_options(imp)
    imp.set_defaults(handler=kb_import)

    ls = sub.add_parser("list", help="list articles: id, version, passages, source file, title")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    add_session_options(ls)
    ls.set_defaults(handler=kb_list)

    show = sub.add_parser("show", help="print an article (current version, or --version N) and its versions")
    show.add_argument("article", type=_article_id, metavar="ID", help="article id (12 or KB-12)")
    show.add_argument("--version", type=int, metavar="N", help="an earlier version")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    add_session_options(show)
    show.set_defaults(handler=kb_show)

    rm = sub.add_parser("remove", help="delete an article with all its versions (supervisor)")
    rm.add_argument("article", type=_article_id, metavar="ID", help="article id (12 or KB-12)")
    add_session_options(rm)
    rm.set_defaults(handler=kb_remove)

    search = sub.add_parser(
        "search",
        help="ranked passages for a customer's text (masked first), with scores, titles and source files",
    )
    search.add_argument("text", nargs="+", metavar="TEXT", help="what the customer wrote")
    search.add_argument("--limit", type=int, default=5, metavar="N", help="at most N passages (default 5)")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    add_session_options(search)
    search.set_defaults(handler=kb_search)

    macros = sub.add_parser("macros", help="canned replies: import and list")
    macros_sub = macros.add_subparsers(dest="macros_command", metavar="ACTION", required=True)
    mimp = macros_sub.add_parser(
        "import", help="create or replace macros from a .csv/.jsonl (name, body, article) or .md (## name) file"
    )
    mimp.add_argument("path", type=Path, metavar="FILE")
    add_session_options(mimp)
    mimp.set_defaults(handler=kb_macros_import)
    mls = macros_sub.add_parser("list", help="list macros: name, linked article, text")
    mls.add_argument("--json", action="store_true", help="print a JSON list")
    add_session_options(mls)
    mls.set_defaults(handler=kb_macros_list)


def kb_import(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        done = service.kb_import(args.paths, mask=args.mask, allow=args.allow)
    if args.json:
        echo(json_text([a.__dict__ for a in done]))
        return 0
    for a in done:
        masked = f", {a.masked} value(s) masked" if a.masked else ""
        echo(f"KB-{a.article_id}\tv{a.version}\t{a.status}{masked}\t{a.source}\t{a.title}")
    counts = {s: sum(1 for a in done if a.status == s) for s in ("new", "updated", "unchanged")}
    echo(f"{len(done)} article(s): {counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged")
    return 0


def _listing(args: argparse.Namespace, rows: Sequence[object], empty: str, line: Callable[[Any], str]) -> int:
    """``rows`` as JSON (``--json``), one line each, or ``empty`` when there are none."""
    if args.json:
        echo(json_text([vars(r) for r in rows]))
    elif not rows:
        echo(empty)
    else:
        for row in rows:
            echo(line(row))
    return 0


def kb_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        articles = service.kb_articles()
    return _listing(
        args,
        articles,
        "the knowledge base is empty: import articles with 'agentconsole kb import PATH'",
        lambda a: f"KB-{a.id}\tv{a.version}\t{a.passage_count} passage(s)\t{a.source}\t{a.title}",
    )


def kb_show(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        article, passages, versions = service.kb_article(args.article)
        text = service.kb_article_text(args.article, args.version)
    if args.json:
        payload = {
            **article.__dict__,
            "shown_version": args.version or article.version,
            "text": text,
            "passages": [{"id": p.id, "heading": p.heading, "line": p.line, "text": p.text} for p in passages],
            "versions": [v.__dict__ for v in versions],
        }
        echo(json_text(payload))
        return 0
    echo(f"KB-{article.id}  {article.title}")
    echo(f"source {article.source}, version {args.version or article.version} of {article.version}")
    echo("")
    echo(text)
    echo("")
    for v in versions:
        echo(f"v{v.version}\t{v.imported_at}\t{v.imported_by}")
    return 0


def kb_remove(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        article = service.kb_remove(args.article)
    echo(f"removed KB-{article.id} ({article.source}: {article.title})")
    return 0


def kb_search(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    if args.limit < 1:
        raise AgentConsoleError("--limit must be at least 1", exit_code=2)
    with open_service(args, ctx, load_privacy=True) as service:
        outcome = service.kb_search(" ".join(args.text), limit=args.limit)
    if args.json:
        payload = {
            "answerable": outcome.answerable,
            "terms": outcome.terms,
            "corrections": outcome.corrections,
            "results": [
                {
                    "citation": f"[KB-{r.article_id}]",
                    "article_id": r.article_id,
                    "passage_id": r.passage_id,
                    "title": r.title,
                    "source": r.source,
                    "heading": r.heading,
                    "score": round(r.score, 3),
                    "coverage": round(r.coverage, 3),
                    "text": r.text,
                }
                for r in outcome.results
            ],
        }
        echo(json_text(payload))
        return 0
    if not outcome.results:
        echo("no passage matches", file=sys.stderr)
        return 1
    if not outcome.answerable:
        echo("(nothing relevant enough: a draft would say the knowledge base has no answer)")
    for r in outcome.results:
        where = f" — {r.heading}" if r.heading and r.heading != r.title else ""
        echo(f"[KB-{r.article_id}] {r.score:.2f}  {r.title}{where}  ({r.source})")
        snippet = " ".join(r.text.split())
        echo(f"    {snippet[:200]}{'…' if len(snippet) > 200 else ''}")
    return 0


def kb_macros_import(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx, load_privacy=True) as service:
        done = service.kb_macros_import(args.path)
    for name, created in done:
        echo(f"{'created' if created else 'replaced'}\t{name}")
    return 0


def kb_macros_list(args: argparse.Namespace, ctx: Any) -> int:
    from agentconsole.commands.session import open_service

    with open_service(args, ctx) as service:
        macros = service.kb_macros()
    return _listing(
        args,
        macros,
        "no macros: import some with 'agentconsole kb macros import FILE'",
        lambda m: f"{m.name}\t{f'KB-{m.article_id}' if m.article_id else '-'}\t{' '.join(m.body.split())[:80]}",
    )
