"""Grounding a draft in KB passages: what the model is given, how it cites, when it declines.

The passages retrieved for the customer's message are put into the system
prompt, each under its citation mark ``[KB-12]`` (12 is the article id), and
the model is told to answer from them only. As the draft streams, its
citations are made to follow what each sentence says, not what was retrieved
(:class:`CitationRewriter`): a mark goes with a sentence only if the sentence
matches a passage of that article by content stems, a wrong mark becomes the
right one, a sentence that plainly states a passage gets its mark. Passages a
sentence drew on without being cited are listed after the draft ("Source:
[KB-7]").
When retrieval finds nothing relevant the draft is not generated at all: it
says that the knowledge base has no answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agentconsole.kb.terms import content_stems

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+[*•-]\s+")
CITATION_RE = re.compile(r"\[KB-(\d{1,9})\]")
_PARTIAL_CITATION = re.compile(r"\[(?:K(?:B(?:-\d{0,9})?)?)?")

#: A sentence matches a passage when they share at least MIN_SHARED content stems and these are at
#: least MIN_SHARE of the sentence's content stems; it states the passage clearly (and gets its mark
#: without the model having written one) from CLEAR_SHARED stems and CLEAR_SHARE.
MIN_SHARED = 2
MIN_SHARE = 0.4
CLEAR_SHARED = 3
CLEAR_SHARE = 0.6

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
        query = set(content_stems(self.query))
        passage = self.passages[0]
        sentences = [s.strip() for s in _SENTENCE.split(" ".join(passage.text.split())) if s.strip()]
        scored = [(len(query & set(content_stems(s))), -i, s) for i, s in enumerate(sentences)]
        best = sorted((x for x in scored if x[0] > 0), reverse=True)[:max_sentences]
        if not best:
            best = [(0, 0, sentences[0])] if sentences else []
        chosen = [s for _, _, s in sorted(best, key=lambda x: -x[1])]
        return " ".join(s.lstrip("*-• ") for s in chosen) + f" {citation(passage.article_id)}" if chosen else ""


class CitationRewriter:
    """Makes a draft's citation marks follow what its sentences say, as the text streams.

    Each finished sentence is compared with the passages the model was given by
    their content stems (:func:`sentence_match`). A mark the model wrote stays if
    the sentence matches a passage of that article; otherwise it becomes the mark
    of the passage the sentence matches best, or goes if it matches none. A
    sentence without a mark that clearly states a passage (:data:`CLEAR_SHARED`,
    :data:`CLEAR_SHARE`) gets that passage's mark. A sentence with fewer than
    :data:`MIN_SHARED` content words is too short to judge: its marks of given
    articles stay, others go.

    Words stream through at once; only whitespace, marks and text that could be
    the start of a mark (``[``, ``[KB-1``) are held back, until the next visible
    character shows where the sentence ends. Marks are written after the end of
    their sentence ("... 30 days. [KB-3]").
    """

    def __init__(self, passages: Sequence[GroundPassage]) -> None:
        self.passages = list(passages)
        self._stems = [_stems_without_marks(f"{p.title} {p.heading} {p.text}") for p in self.passages]
        self._articles = {p.article_id for p in self.passages}
        self._held = ""  # a partial mark
        self._space = ""  # whitespace not yet written
        self._sentence: list[str] = []  # the current sentence's text (marks removed)
        self._marks: list[int] = []  # article ids the model cited in it
        self._ended = False  # the sentence has ended; only whitespace and marks may follow
        self._after_terminator = False  # the last character was . ! or ?
        self._after_mark = False  # a mark was taken out since the last visible character
        self.used: set[int] = set()  # passage ids a sentence matched
        self.cited: list[int] = []  # article ids cited in the text written, in order
        self.kept = self.replaced = self.dropped = self.added = 0

    def feed(self, delta: str) -> str:
        text, out = self._held + delta, []
        self._held = ""
        i = 0
        while i < len(text):
            char = text[i]
            if char == "[":
                match = CITATION_RE.match(text, i)
                if match:
                    self._marks.append(int(match.group(1)))
                    self._after_mark = True
                    if self._after_terminator:
                        self._ended = True
                    i = match.end()
                    continue
                if _PARTIAL_CITATION.fullmatch(text, i):
                    self._held = text[i:]
                    break
            if char.isspace():
                if self._after_mark:  # the space after a mark taken out replaces the one before it
                    self._space, self._after_mark = "", False
                self._space += char
                if self._after_terminator or char == "\n":
                    self._ended = True
                i += 1
                continue
            if self._ended:
                out.append(self._close())
            elif self._after_mark and char in ",.;:!?)":
                self._space = ""  # "free [KB-3]." -> "free." (the mark goes after the sentence)
            out.append(self._space + char)
            self._sentence.append(self._space + char)
            self._space = ""
            self._after_terminator, self._after_mark = char in ".!?", False
            i += 1
        return "".join(out)

    def flush(self) -> str:
        """The rest: the last sentence's marks and whatever was held back."""
        held, self._held = self._held, ""
        out = self._close()
        return out + held

    def _close(self) -> str:
        """The marks of the sentence that just ended, then the whitespace after it; starts the next."""
        marks = self._decide(" ".join("".join(self._sentence).split()), list(dict.fromkeys(self._marks)))
        space = "" if self._after_mark else self._space  # the space before a mark taken out goes with it
        self._sentence, self._marks, self._space = [], [], ""
        self._ended = self._after_terminator = self._after_mark = False
        for article_id in marks:
            if article_id not in self.cited:
                self.cited.append(article_id)
        return ("" if not marks else " " + " ".join(citation(a) for a in marks)) + space

    def _decide(self, sentence: str, written: list[int]) -> list[int]:
        stems = _stems_without_marks(sentence)
        if len(stems) < MIN_SHARED:
            kept = [a for a in written if a in self._articles]
            self.kept += len(kept)
            self.dropped += len(written) - len(kept)
            return kept
        # (stems shared, rank): most shared first (the largest share of the sentence), the higher-ranked on a tie
        matches = sorted(
            (
                (len(stems & passage_stems), rank)
                for rank, passage_stems in enumerate(self._stems)
                if sentence_match(stems, passage_stems)
            ),
            key=lambda m: (-m[0], m[1]),
        )
        best = self.passages[matches[0][1]] if matches else None
        matched_articles: dict[int, GroundPassage] = {}
        for _, rank in matches:
            matched_articles.setdefault(self.passages[rank].article_id, self.passages[rank])
        result: list[int] = []
        for article_id in written:
            if article_id in matched_articles:
                self.kept += 1
                self.used.add(matched_articles[article_id].passage_id)
                result.append(article_id)
            elif best is not None:
                self.replaced += 1
                self.used.add(best.passage_id)
                result.append(best.article_id)
            else:
                self.dropped += 1
        if not written and best is not None:
            self.used.add(best.passage_id)
            shared = matches[0][0]
            if shared >= CLEAR_SHARED and shared / len(stems) >= CLEAR_SHARE:
                self.added += 1
                result.append(best.article_id)
        return list(dict.fromkeys(result))

    def uncited_sources(self) -> list[int]:
        """Article ids of passages a sentence drew on that the text does not cite, in passage order."""
        return list(
            dict.fromkeys(
                p.article_id for p in self.passages if p.passage_id in self.used and p.article_id not in self.cited
            )
        )

    def sources_tail(self, text: str) -> str:
        """What to append to the finished draft: the sources it drew on but did not cite ("" if none)."""
        articles = self.uncited_sources()
        if not articles:
            return ""
        label = "Source" if len(articles) == 1 else "Sources"
        return ("" if text.endswith("\n") else "\n\n") + f"{label}: " + ", ".join(citation(a) for a in articles)


def _stems_without_marks(text: str) -> set[str]:
    """The stems of the content words of ``text`` (citation marks left out), as the KB's index has them."""
    return set(content_stems(CITATION_RE.sub(" ", text)))


def sentence_match(sentence: set[str], passage: set[str]) -> bool:
    """Whether a sentence with content stems ``sentence`` draws on a passage with stems ``passage``."""
    shared = len(sentence & passage)
    return shared >= MIN_SHARED and shared >= MIN_SHARE * len(sentence)


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
