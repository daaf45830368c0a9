"""Grounding a draft in KB passages: what the model is given, how it cites, when it declines.

The passages retrieved for the customer's message are put into the system
prompt, each under its citation mark ``[KB-12]`` (12 is the article id), and
the model is told to answer from them only. Citations in the finished draft
are checked against the passages it was given (marks of other articles are
dropped as the draft streams, :class:`CitationFilter`); a draft that cites none gets
the marks of the articles it was given appended ("Sources: [KB-3], [KB-7]"),
so every grounded draft names its sources.
When retrieval finds nothing relevant the draft is not generated at all: it
says that the knowledge base has no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agentconsole.kb.terms import content_words, stem

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+[*•-]\s+")
CITATION_RE = re.compile(r"\[KB-(\d{1,9})\]")
_PARTIAL_CITATION = re.compile(r"\[(?:K(?:B(?:-\d{0,9})?)?)?")

#: What a declined draft says (a reply keeps the greeting and promises to follow up).
DECLINE_ANSWER = "The knowledge base has no answer to this question."
DECLINE_REPLY = (
    "Thank you for your message. Our knowledge base has no answer to this question, so I am checking it "
    "with a colleague and will get back to you."
)


def citation(article_id: int) -> str:
    """The mark a draft uses to cite article ``article_id``."""
    return f"[KB-{article_id}]"


@dataclass(frozen=True)
class GroundPassage:
    """A passage given to the model (its article's title and source file name with it)."""

    passage_id: int
    article_id: int
    title: str
    source: str
    heading: str
    text: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {
            "citation": citation(self.article_id),
            "article_id": self.article_id,
            "passage_id": self.passage_id,
            "title": self.title,
            "source": self.source,
            "heading": self.heading,
            "score": round(self.score, 3),
        }


@dataclass
class Grounding:
    """The KB side of one draft: the passages used, or a decline (no passages)."""

    query: str
    passages: list[GroundPassage] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return not self.passages

    def article_ids(self) -> list[int]:
        return list(dict.fromkeys(p.article_id for p in self.passages))

    def prompt_block(self) -> str:
        """The passages as the system prompt shows them, with the rules for using them."""
        lines = [
            "Knowledge-base passages. Answer only from these passages; if they do not answer the question, "
            "say that the knowledge base has no answer. Cite the passage you used with its mark, for example "
            + citation(self.passages[0].article_id)
            + ".",
        ]
        for passage in self.passages:
            heading = f" — {passage.heading}" if passage.heading and passage.heading != passage.title else ""
            lines.append(f"{citation(passage.article_id)} {passage.title}{heading}:\n{passage.text.strip()}")
        return "\n\n".join(lines)

    def lead(self, max_sentences: int = 2) -> str:
        """The sentences of the best passage that match the query best, in their order, with its mark.

        A draft starts with them (where the engine lets the service start the answer):
        a small model restates facts unreliably, so the facts come from the article
        word for word and the model goes on from there.
        """
        if self.declined:
            return ""
        query = {stem(w) for w in content_words(self.query)}
        passage = self.passages[0]
        sentences = [s.strip() for s in _SENTENCE.split(" ".join(passage.text.split())) if s.strip()]
        scored = [(len(query & {stem(w) for w in content_words(s)}), -i, s) for i, s in enumerate(sentences)]
        best = sorted((x for x in scored if x[0] > 0), reverse=True)[:max_sentences]
        if not best:
            best = [(0, 0, sentences[0])] if sentences else []
        chosen = [s for _, _, s in sorted(best, key=lambda x: -x[1])]
        return " ".join(s.lstrip("*-• ") for s in chosen) + f" {citation(passage.article_id)}" if chosen else ""

    def valid_citations(self, text: str) -> list[int]:
        """Article ids cited in ``text`` that were among the passages given."""
        given = set(self.article_ids())
        return [int(m.group(1)) for m in CITATION_RE.finditer(text) if int(m.group(1)) in given]

    def citation_tail(self, text: str) -> str:
        """What to append to a finished draft so it cites its source ("" if it already does)."""
        if self.declined or self.valid_citations(text):
            return ""
        marks = ", ".join(citation(a) for a in self.article_ids())
        label = "Source" if len(self.article_ids()) == 1 else "Sources"
        return ("" if text.endswith("\n") else "\n\n") + f"{label}: {marks}"


class CitationFilter:
    """Drops citation marks of articles the model was not given, as the text streams.

    Text that could be the start of a mark (``[``, ``[KB-1``) is held back until
    it is one (kept if valid, dropped if not) or cannot be one (released).
    """

    def __init__(self, valid: Iterable[int]) -> None:
        self.valid = set(valid)
        self._held = ""
        self.dropped = 0

    def feed(self, delta: str) -> str:
        text, out = self._held + delta, []
        self._held = ""
        while text:
            start = text.find("[")
            if start < 0:
                out.append(text)
                break
            out.append(text[:start])
            text = text[start:]
            match = CITATION_RE.match(text)
            if match:
                if int(match.group(1)) in self.valid:
                    out.append(match.group(0))
                else:
                    self.dropped += 1
                text = text[match.end() :]
            elif _PARTIAL_CITATION.fullmatch(text):
                self._held = text
                break
            else:
                out.append(text[0])
                text = text[1:]
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held


def decline_text(kind: str) -> str:
    """The draft of ``kind`` when the knowledge base has no answer."""
    return DECLINE_REPLY if kind == "reply" else DECLINE_ANSWER


def within_budget(passages: Sequence[GroundPassage], budget_chars: int) -> list[GroundPassage]:
    """The leading passages whose text fits in ``budget_chars`` (the first always, cut if it must be)."""
    kept: list[GroundPassage] = []
    used = 0
    for passage in passages:
        size = len(passage.text) + len(passage.title) + len(passage.heading) + 16
        if kept and used + size > budget_chars:
            break
        if not kept and size > budget_chars:
            cut = max(200, budget_chars - len(passage.title) - 16)
            passage = GroundPassage(**{**passage.__dict__, "text": passage.text[:cut].rstrip() + " …"})
            size = budget_chars
        kept.append(passage)
        used += size
    return kept
