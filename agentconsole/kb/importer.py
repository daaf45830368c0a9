"""Checking parsed articles for personal data before they reach the knowledge base.

A KB is shared with every customer, so a passage that holds personal data is
refused, naming the file and line, unless the import masks it (``--mask``):
then each value becomes a placeholder of its type (``<PERSON_1>``) and the
value itself is never stored. Values the company publishes on purpose (its
support address) can be allowed by exact text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from agentconsole.errors import AgentConsoleError
from agentconsole.kb.parsing import ParsedArticle, ParsedPassage
from agentconsole.kb.terms import STOP_WORDS, stem

#: ``detect(text)`` -> spans ``(start, end, entity type)`` of personal data in ``text``.
Detector = Callable[[str], list[tuple[int, int, str]]]


class PersonalDataInArticle(AgentConsoleError):
    """An article passage holds personal data and the import does not mask it."""


#: Words that make a detected "address" an amount or a duration instead ("4.99 euros per month", "After 5").
_NOT_ADDRESS = re.compile(
    r"\b(?:euros?|eur|percent|per|minutes?|hours?|days?|weeks?|months?|years?|seconds?|litres?|degrees?|ghz)\b|[€%]",
    re.IGNORECASE,
)


_ADDRESSES = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.IGNORECASE)


_CAMEL_PART = re.compile(r"[A-Z][a-z]+|[a-z]+")


class ArticleLexicon:
    """How the articles being imported use their words: what tells a brand or a term from a person.

    The statistical recognizers are trained on customer messages; in company
    articles they take product, payment and place names for people. A name
    that the articles also write in lower case ("Subscriptions"), that several
    articles use ("Klarna"), or a comma list ("Visa, Mastercard") is the
    company's vocabulary, not a person. Shape-based findings (e-mail
    addresses, phone numbers, cards, IBANs) are never second-guessed.
    """

    def __init__(self, articles: Iterable[ParsedArticle]) -> None:
        self.lower: set[str] = set()
        self.articles_using: dict[str, int] = {}
        for article in articles:
            seen: set[str] = set()
            for text in [article.title, *(p.heading + " " + p.text for p in article.passages)]:
                # an e-mail address or a link spells a name in lower case: it says nothing about usage
                for word in re.findall(r"[^\W\d_]+", _ADDRESSES.sub(" ", text)):
                    if word.islower():
                        self.lower.add(stem(word))
                    seen.add(stem(word.lower()))
            for term in seen:
                self.articles_using[term] = self.articles_using.get(term, 0) + 1

    def company_term(self, word: str) -> bool:
        term = stem(word.lower())
        if term in self.lower or self.articles_using.get(term, 0) >= 2:
            return True
        # "StudentPass": a product spelt as one word around a word the articles write in lower case
        # ("student status"); "McDonald" stays a name ("donald" is no word of theirs, "mc" too short)
        parts = _CAMEL_PART.findall(word)
        return (
            len(parts) >= 2
            and "".join(parts) == word
            and any(len(p) >= 4 and stem(p.lower()) in self.lower for p in parts)
        )

    def plausible(self, entity_type: str, value: str, *, heading: bool = False) -> bool:
        """Whether a statistical finding can be personal data in an article (see the class docstring).

        In a title or heading a lone capitalized word ("Escalations") is a subject, not a person.
        """
        words = re.findall(r"[^\W\d_]+", value)
        if entity_type == "PERSON":
            if heading and len(words) < 2:
                return False
            return "," not in value and bool(words) and not all(self.company_term(w) for w in words)
        if entity_type in ("STREET_ADDRESS", "ADDRESS", "LOCATION"):
            meaningful = [w for w in words if len(w) >= 3 and w.lower() not in STOP_WORDS]
            return bool(re.search(r"\d", value)) and len(meaningful) >= 1 and not _NOT_ADDRESS.search(value)
        return True


@dataclass(frozen=True)
class Finding:
    """Personal data found in a file: where, and its type (never the value)."""

    source: str
    line: int
    entity_type: str


def _line_of(passage: ParsedPassage, text: str, offset: int) -> int:
    # Passage text joins the file's lines with single newlines and paragraphs with blank lines,
    # so counting newlines before the offset gives the file line (blank lines included).
    return passage.line + text.count("\n", 0, offset)


def _kept(
    spans: Iterable[tuple[int, int, str]],
    text: str,
    allowed: frozenset[str],
    lexicon: ArticleLexicon | None,
    *,
    heading: bool = False,
) -> list[tuple[int, int, str]]:
    def personal(span: tuple[int, int, str]) -> bool:
        value = text[span[0] : span[1]].strip()
        if value.lower() in allowed:
            return False
        return lexicon is None or lexicon.plausible(span[2], value, heading=heading)

    return sorted((s for s in spans if personal(s)), key=lambda s: s[0])


def _masked(text: str, spans: list[tuple[int, int, str]], numbers: dict[tuple[str, str], str]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, entity_type in spans:
        if start < pos:
            continue
        value = text[start:end].strip().lower()
        key = (entity_type, value)
        if key not in numbers:
            count = sum(1 for t, _ in numbers if t == entity_type) + 1
            numbers[key] = f"<{entity_type}_{count}>"
        out += [text[pos:start], numbers[key]]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def screen_article(
    article: ParsedArticle,
    detect: Detector,
    *,
    mask: bool,
    allowed: Iterable[str] = (),
    lexicon: ArticleLexicon | None = None,
) -> tuple[ParsedArticle, list[Finding]]:
    """``article`` with no personal data left, and what was found (masked when ``mask``).

    Raises :class:`PersonalDataInArticle` naming the file and line of the first
    finding when ``mask`` is false. ``lexicon`` (of the whole import) drops the
    statistical recognizers' findings that are the company's own vocabulary.
    """
    allowed_set = frozenset(a.strip().lower() for a in allowed if a.strip())
    findings: list[Finding] = []
    numbers: dict[tuple[str, str], str] = {}
    title_spans = _kept(detect(article.title), article.title, allowed_set, lexicon, heading=True)
    if title_spans:
        findings += [Finding(article.source, article.line, t) for _, _, t in title_spans]
    passages: list[ParsedPassage] = []
    for passage in article.passages:
        changed = passage
        for field_name in ("heading", "text"):
            text = getattr(passage, field_name)
            spans = _kept(detect(text), text, allowed_set, lexicon, heading=field_name == "heading")
            if not spans:
                continue
            for start, _, entity_type in spans:
                line = passage.line if field_name == "heading" else _line_of(passage, text, start)
                findings.append(Finding(article.source, line, entity_type))
            if mask:
                masked_text = _masked(text, spans, numbers)
                if field_name == "heading":
                    changed = replace(changed, heading=masked_text)
                else:
                    changed = replace(changed, text=masked_text)
        passages.append(changed)
    if findings and not mask:
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise PersonalDataInArticle(
            f"{first.source}:{first.line}: personal data ({first.entity_type}) in a knowledge-base article{more}; "
            "remove it, or import with --mask (or --allow TEXT for a value the company publishes)"
        )
    if not findings:
        return article, []
    title = _masked(article.title, title_spans, numbers) if title_spans else article.title
    body = "\n\n".join((f"## {p.heading}\n\n" if p.heading else "") + p.text for p in passages)
    return replace(article, title=title, body=body, passages=passages), findings
