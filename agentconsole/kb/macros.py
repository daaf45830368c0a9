"""Canned replies (macros): named templates with variables, optionally linked to a KB article.

Variables are written ``{customer.first_name}``. They resolve to what the
case *shows*, never to a raw value: a customer's name becomes the case's
placeholder (``<PERSON_1>``), which turns into the real name only when the
reply is sent, like everything else the agent writes. ``{kb}`` is the linked
article's citation mark.

Macro files: CSV or JSONL with ``name``, ``body`` and optional ``article``
(an article id such as ``KB-12``, or the article's source file name), or Markdown where each ``## name``
heading starts a macro and a line ``KB: 12`` links it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from agentconsole.errors import AgentConsoleError

_VARIABLE = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")
_ARTICLE_REF = re.compile(r"^\s*(?:KB-?)?(\d{1,9})\s*$", re.IGNORECASE)
_KB_LINE = re.compile(r"^\s*KB\s*:\s*(\S+)\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[\w][\w .\-]{0,63}$", re.UNICODE)

#: The variables a macro may use.
VARIABLES = ("customer.first_name", "customer.name", "customer.ref", "agent.name", "case.id", "case.title", "kb")
#: What an unresolvable variable becomes, so a reply still reads naturally.
FALLBACKS = {"customer.first_name": "there", "customer.name": "there", "kb": ""}


class MacroFileError(AgentConsoleError):
    """A macro file that cannot be read (names the file and line)."""


@dataclass(frozen=True)
class MacroSpec:
    name: str
    body: str
    article: str | None  # an article id (12), or its source file name or key
    line: int


def _article(value: object) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    match = _ARTICLE_REF.match(text)
    return match.group(1) if match else text


def _spec(name: str, body: str, article: object, where: str, line: int) -> MacroSpec:
    name = " ".join(name.split())
    if not _NAME.match(name):
        raise MacroFileError(f"{where}: a macro needs a name of letters, digits, spaces, '.', '-' (64 at most)")
    if not body.strip():
        raise MacroFileError(f"{where}: macro {name!r} has no text")
    for variable in _VARIABLE.findall(body):
        if variable not in VARIABLES:
            raise MacroFileError(f"{where}: unknown variable {{{variable}}} (use {', '.join(VARIABLES)})")
    return MacroSpec(name, body.strip(), _article(article), line)


def parse_macros(path: Path) -> list[MacroSpec]:
    """The macros of a CSV, JSONL or Markdown file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MacroFileError(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or 'not UTF-8'})") from None
    suffix = path.suffix.lower()
    specs: list[MacroSpec] = []
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        _ = reader.fieldnames  # reads the header, so line numbers count from the first row
        line = reader.line_num + 1
        for row in reader:
            lowered = {str(k).strip().lower(): v for k, v in row.items() if k}
            where = f"{path.name}:{line}"
            specs.append(
                _spec(lowered.get("name") or "", lowered.get("body") or "", lowered.get("article"), where, line)
            )
            line = reader.line_num + 1
    elif suffix == ".jsonl":
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError:
                raise MacroFileError(f"{path.name}:{number}: not a JSON object") from None
            if not isinstance(row, dict):
                raise MacroFileError(f"{path.name}:{number}: not a JSON object")
            where = f"{path.name}:{number}"
            specs.append(_spec(str(row.get("name", "")), str(row.get("body", "")), row.get("article"), where, number))
    elif suffix in (".md", ".markdown"):
        current: tuple[str, int] | None = None
        body: list[str] = []
        article: str | None = None

        def finish() -> None:
            if current is not None:
                specs.append(_spec(current[0], "\n".join(body), article, f"{path.name}:{current[1]}", current[1]))

        for number, raw in enumerate(text.splitlines(), start=1):
            if raw.startswith("## "):
                finish()
                current, body, article = (raw[3:].strip(), number), [], None
            elif current is not None and _KB_LINE.match(raw) and article is None:
                article = _KB_LINE.match(raw).group(1)  # type: ignore[union-attr]
            elif current is not None:
                body.append(raw)
        finish()
    else:
        raise MacroFileError(f"{path}: macros come from .csv, .jsonl or .md files")
    if not specs:
        raise MacroFileError(f"{path.name}: no macros in it")
    return specs


def render(body: str, values: Mapping[str, str]) -> str:
    """``body`` with its variables replaced by ``values`` (placeholders, ids), or their fallbacks."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        return value if value else FALLBACKS.get(name, "")

    return _VARIABLE.sub(one, body)


def matches(name: str, body: str, typed: str) -> bool:
    """Whether a macro fits what the agent typed in the picker (every word, in name or text)."""
    haystack = f"{name} {body}".lower()
    return all(word in haystack for word in typed.lower().split())
