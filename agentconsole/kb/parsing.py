"""Knowledge-base files to articles and passages.

Markdown, plain text and HTML files are one article each (the title is the
first heading, or the file name); CSV and JSONL FAQ files are one article per
row (``question``, ``answer``). Articles are split into passages at headings
and paragraphs, each at most :data:`PASSAGE_WORDS` words, and every passage
remembers the line it starts on so an import problem can name it.
Front matter in Markdown (``title:``, ``synonyms:``) and a ``synonyms`` column
in FAQ files give other words customers use for the article's subject.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from agentconsole.errors import AgentConsoleError

#: A passage is cut after this many words (at a paragraph break when there is one).
PASSAGE_WORDS = 110

SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".jsonl": "jsonl",
}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
_MD_MARKS = re.compile(r"(\*\*|__|`)")


class KbFileError(AgentConsoleError):
    """A knowledge-base file that cannot be read as an article (names the file and line)."""


@dataclass(frozen=True)
class ParsedPassage:
    heading: str
    text: str
    line: int


@dataclass
class ParsedArticle:
    """One article read from a file: ``key`` identifies it across re-imports."""

    key: str
    title: str
    source: str
    body: str
    line: int = 1
    synonyms: list[str] = field(default_factory=list)
    passages: list[ParsedPassage] = field(default_factory=list)

    @property
    def digest(self) -> str:
        material = json.dumps([self.title, self.body, self.synonyms], ensure_ascii=False)
        return hashlib.sha256(material.encode()).hexdigest()


def _clean_md(text: str) -> str:
    return _MD_MARKS.sub("", _MD_LINK.sub(lambda m: m.group(1) or m.group(2), text))


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


def _split_section(heading: str, lines: list[tuple[int, str]]) -> list[ParsedPassage]:
    """Paragraphs of one section (``(line number, text)``) grouped into passages of bounded size."""
    paragraphs: list[tuple[int, str]] = []
    start = 0
    buf: list[str] = []
    for number, text in [*lines, (0, "")]:
        if text.strip():
            if not buf:
                start = number
            buf.append(text.strip())
        elif buf:
            paragraphs.append((start, "\n".join(buf)))
            buf = []
    passages: list[ParsedPassage] = []
    group: list[str] = []
    group_line = 0
    count = 0
    for number, para in paragraphs:
        size = len(para.split())
        if group and count + size > PASSAGE_WORDS:
            passages.append(ParsedPassage(heading, "\n\n".join(group), group_line))
            group, count = [], 0
        if not group:
            group_line = number
        if size > PASSAGE_WORDS:  # one huge paragraph: cut at sentence ends
            for piece in _cut_long(para):
                if group:
                    passages.append(ParsedPassage(heading, "\n\n".join(group), group_line))
                    group, count = [], 0
                passages.append(ParsedPassage(heading, piece, number))
            continue
        group.append(para)
        count += size
    if group:
        passages.append(ParsedPassage(heading, "\n\n".join(group), group_line))
    return passages


def _cut_long(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    pieces: list[str] = []
    buf: list[str] = []
    for sentence in sentences:
        if buf and len(" ".join([*buf, sentence]).split()) > PASSAGE_WORDS:
            pieces.append(" ".join(buf))
            buf = []
        buf.append(sentence)
    if buf:
        pieces.append(" ".join(buf))
    return pieces


def _sectioned(path: Path, title: str | None, sections: list[tuple[str, list[tuple[int, str]]]]) -> ParsedArticle:
    title = title or _title_from_name(path)
    passages = [p for heading, lines in sections for p in _split_section(heading, lines)]
    body = "\n\n".join((f"## {p.heading}\n\n" if p.heading else "") + p.text for p in passages)
    return ParsedArticle(key=path.name, title=title, source=path.name, body=body, passages=passages)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, i + 1
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip().strip("\"'")
    return {}, 0


def _synonym_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[,;|]", value.strip("[]"))
    return [str(s).strip().strip("\"'") for s in items if str(s).strip()]


def parse_markdown(path: Path, text: str) -> list[ParsedArticle]:
    lines = text.splitlines()
    meta, skip = _front_matter(lines)
    title = meta.get("title") or None
    sections: list[tuple[str, list[tuple[int, str]]]] = [("", [])]
    path_names: list[str] = []
    in_code = False
    for number, line in enumerate(lines[skip:], start=skip + 1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        match = None if in_code else _HEADING.match(line)
        if match:
            level, name = len(match.group(1)), _clean_md(match.group(2))
            if level == 1 and title is None:
                title = name
                continue
            path_names = [*path_names[: max(level - 2, 0)], name]
            sections.append((" › ".join(path_names), []))
            continue
        sections[-1][1].append((number, _clean_md(line)))
    article = _sectioned(path, title, sections)
    article.synonyms = _synonym_list(meta.get("synonyms") or meta.get("aliases") or meta.get("keywords"))
    return [article]


def parse_text(path: Path, text: str) -> list[ParsedArticle]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    title = None
    body_from = 0
    if first is not None:
        candidate = lines[first].strip()
        following_blank = first + 1 >= len(lines) or not lines[first + 1].strip()
        if len(candidate) <= 90 and not candidate.endswith((".", "?", "!", ":")) and following_blank:
            title, body_from = candidate, first + 1
    numbered = [(n, line) for n, line in enumerate(lines[body_from:], start=body_from + 1)]
    return [_sectioned(path, title, [("", numbered)])]


class _HtmlText(HTMLParser):
    _SKIP: frozenset[str] = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template"})
    _BLOCKS: frozenset[str] = frozenset(
        {"p", "li", "div", "td", "th", "dd", "dt", "blockquote", "pre", "br", "tr", "section", "article"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.sections: list[tuple[str, list[tuple[int, str]]]] = [("", [])]
        self._skip = 0
        self._in_title = False
        self._heading: list[str] | None = None
        self._heading_level = 0
        self._path: list[str] = []
        self._buf: list[str] = []
        self._buf_line = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.sections[-1][1].extend([(self._buf_line, text), (self._buf_line, "")])
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading, self._heading_level = [], int(tag[1])
        elif tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            name = " ".join("".join(self._heading).split())
            level, self._heading = self._heading_level, None
            if level == 1:  # the page's own heading: the title (if <title> did not give one), no section
                self.title = self.title or name or None
            elif name:
                self._path = [*self._path[: max(level - 2, 0)], name]
                self.sections.append((" › ".join(self._path), []))
        elif tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = self.title or " ".join(data.split()) or None
        elif self._heading is not None:
            self._heading.append(data)
        else:
            if not self._buf:
                self._buf_line = self.getpos()[0]
            self._buf.append(data)


def parse_html(path: Path, text: str) -> list[ParsedArticle]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    parser._flush()
    return [_sectioned(path, parser.title, parser.sections)]


def _faq_article(path: Path, line: int, row: dict[str, object]) -> ParsedArticle:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    question = str(lowered.get("question") or lowered.get("title") or lowered.get("q") or "").strip()
    answer = str(lowered.get("answer") or lowered.get("body") or lowered.get("a") or "").strip()
    if not question or not answer:
        raise KbFileError(f"{path.name}:{line}: an FAQ entry needs a question and an answer")
    raw_synonyms = lowered.get("synonyms") or lowered.get("keywords")
    synonyms = _synonym_list(raw_synonyms if isinstance(raw_synonyms, list) else str(raw_synonyms or "") or None)
    slug = " ".join(question.lower().split())
    passages = [
        ParsedPassage(question, piece.text, line)
        for piece in _split_section(question, [(line, p) for p in answer.split("\n")])
    ]
    return ParsedArticle(
        key=f"{path.name}#{slug}",
        title=question,
        source=path.name,
        body=answer,
        line=line,
        synonyms=synonyms,
        passages=passages,
    )


def parse_csv(path: Path, text: str) -> list[ParsedArticle]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not ({"question", "title", "q"} & fields and {"answer", "body", "a"} & fields):
        raise KbFileError(f"{path.name}:1: an FAQ CSV needs 'question' and 'answer' columns")
    articles = []
    line = reader.line_num + 1
    for row in reader:
        articles.append(_faq_article(path, line, row))
        line = reader.line_num + 1
    return articles


def parse_jsonl(path: Path, text: str) -> list[ParsedArticle]:
    articles = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KbFileError(f"{path.name}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(row, dict):
            raise KbFileError(f"{path.name}:{number}: not a JSON object")
        articles.append(_faq_article(path, number, row))
    return articles


PARSERS = {
    "markdown": parse_markdown,
    "text": parse_text,
    "html": parse_html,
    "csv": parse_csv,
    "jsonl": parse_jsonl,
}


def kb_files(paths: list[Path]) -> list[Path]:
    """The importable files among ``paths`` (directories are walked, sorted); unknown types raise."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise KbFileError(f"{path}: not a knowledge-base file (use {', '.join(sorted(SUFFIXES))})")
            found.append(path)
        else:
            raise KbFileError(f"{path}: no such file or directory")
    return found


def parse_file(path: Path) -> list[ParsedArticle]:
    """The articles of one file; :class:`KbFileError` names the file (and line) when it cannot be read."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise KbFileError(f"{path}: not a knowledge-base file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise KbFileError(f"{path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise KbFileError(f"{path}: {exc.strerror}") from None
    articles = [a for a in PARSERS[kind](path, text) if a.passages]
    if not articles:
        raise KbFileError(f"{path.name}: no text to import")
    return articles
