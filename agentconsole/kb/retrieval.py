"""Finding the passages that answer a customer's message, or deciding that none does.

1. The query is built from the *masked* text: placeholders and stop words
   dropped, two neighbours the index holds as one word joined ("pass word"),
   words stemmed, a word the index lacks split into two it holds
   ("giftcard") or replaced by the closest index term with the same first
   letter (edit distance 1, or 2 for long words; a correctly spelled English
   word only by a term that extends it: "model" is not "modem"), an irregular past form
   searched as its verb ("sent" -> "send", from spaCy's lemmatizer tables), synonyms added (each knowing
   which query words it stands in for; a country the KB never names stands
   for "abroad"), and a long rambling message
   cut to its most specific terms (highest IDF).
2. BM25 over the FTS5 index (title, heading, body columns weighted) finds
   candidate passages. An article ranks by how much of the query it covers
   (IDF-weighted share of the query's terms, unknown words counting less;
   of a story with questions, the mean of the story's and the questions' share)
   plus its best passage's BM25 as a share of the best BM25 of the query.
3. Whether the KB answers at all is decided here, not by the model: the best
   passage must cover enough of the query's terms and match at least a
   minimum weight of them (none if it covers all of them). A message that tells a story around a question
   ("... Can I still return it?") is covered if its questions are.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agentconsole.kb.english import irregular_verb, is_english_word
from agentconsole.kb.synonyms import GENERIC_GROUPS, SynonymMap, phrase_stems, phrase_words, says, title_alternatives
from agentconsole.kb.terms import STOP_WORDS, content_words, index_terms, is_content_word, stem, word_stems, words

#: bm25 weights of the index columns: title, heading, body.
COLUMN_WEIGHTS = (4.0, 2.0, 1.0)
#: At most this many query terms (the most specific ones) go to the index.
MAX_QUERY_TERMS = 24
#: How many passages BM25 returns before articles are ranked.
CANDIDATES = 40
#: Below these the KB is taken to have no answer (tuned on the tuned split of scripts/eval_kb.py).
#: The matched weight is a share of the IDF of a term found in one passage only, so it means
#: the same for a KB of 30 articles and of 3,000 ("at least one rare term, or a few common ones").
MIN_COVERAGE = 0.3
MIN_MATCHED_WEIGHT = 1.15
SHORT_QUERY_COVERAGE = 0.55
SHORT_QUERY_WEIGHT = 0.4
#: A passage covering this share of the query holds all of it (up to rounding): no minimum weight then.
FULL_COVERAGE = 0.999
#: How much a query word the KB has never seen counts against coverage (rambling detail is common).
UNKNOWN_WEIGHT = 0.35
#: Words shorter than this are taken as written, not as typos of an index term.
MIN_TYPO_LENGTH = 5
#: How much a typo-corrected word counts when matched (the correction may be wrong).
CORRECTED_WEIGHT = 0.6
#: Article rank = the article's coverage of the query + BM25_SHARE x its best passage's BM25 / the best BM25.
BM25_SHARE = 0.5
#: Added to the rank of an article the query names: all words of its title or of one of its synonyms.
NAMED_SHARE = 0.2


#: A sentence that asks (ends in a question mark).
_QUESTION = re.compile(r"([^.!?\n]*\?)")
#: Where a clause ends inside a sentence (a clause joined by "and", "or", "but", "so" goes on asking).
_CLAUSE = re.compile(r"[,;:]\s+(?!(?:and|or|but|so)\b)", re.IGNORECASE)
#: Where a question turns to what it is set against ("X instead of Y?": X is asked about, Y is known).
_CONTRAST = re.compile(r"\b(?:instead of|rather than)\b", re.IGNORECASE)
#: How much of the coverage a message's questions alone must reach to stand for the whole message.


class PassageIndex(Protocol):
    """What retrieval needs from the store (the vault's KB repository provides it)."""

    def kb_generation(self) -> int: ...
    def kb_term_counts(self) -> tuple[int, dict[str, int]]: ...
    def kb_passage_terms(self) -> list[tuple[int, int, str, str, str]]: ...
    def kb_match(self, fts_query: str, weights: tuple[float, float, float], limit: int) -> list[tuple[int, float]]: ...
    def kb_article_synonyms(self) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Hit:
    """A passage found for a query: ``score`` is BM25 (higher is better), ``coverage`` in 0..1."""

    passage_id: int
    article_id: int
    score: float
    coverage: float
    matched_weight: float
    article_score: float = 0.0


@dataclass
class Retrieval:
    """The outcome of one query: ranked passages and whether they answer it."""

    terms: list[str]
    hits: list[Hit] = field(default_factory=list)
    answerable: bool = False
    corrections: dict[str, str] = field(default_factory=dict)

    def article_ids(self) -> list[int]:
        """Articles in rank order (each once)."""
        return list(dict.fromkeys(h.article_id for h in self.hits))


def damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(term: str) -> set[str]:
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


class _Vocabulary:
    """The index's terms with their passage counts, a deletion index for typos, and passage term sets."""

    def __init__(self, index: PassageIndex) -> None:
        self.generation = index.kb_generation()
        self.total, self.df = index.kb_term_counts()
        self.known = set(self.df)
        self.by_delete: dict[str, set[str]] = {}
        for term in self.known:
            if len(term) >= 4 and not term.isdigit():
                for variant in _deletes(term):
                    self.by_delete.setdefault(variant, set()).add(term)
        self.passage_terms: dict[int, frozenset[str]] = {}
        self.article_of: dict[int, int] = {}
        article_terms: dict[int, set[str]] = {}
        rows = index.kb_passage_terms()
        for passage_id, article_id, title, heading, body in rows:
            terms = frozenset(f"{title} {heading} {body}".split())
            self.passage_terms[passage_id] = terms
            self.article_of[passage_id] = article_id
            article_terms.setdefault(article_id, set()).update(terms)
        self.article_terms = {a: frozenset(t) for a, t in article_terms.items()}
        groups: list[list[str]] = [list(g) for g in GENERIC_GROUPS]
        # an article's title column holds the stems of its title and synonyms: that string finds its id
        by_title_terms = {title: article for _, article, title, _, _ in rows}
        # (content stems, stems of every word): the title by its content words, a synonym by all its words
        self.names: dict[int, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for title, synonyms in index.kb_article_synonyms():
            own = [s for s in synonyms.split("\n") if s.strip()]
            article = by_title_terms.get(index_terms(title + " " + " ".join(own)))
            if article is not None:
                named = [(phrase_stems(title), phrase_stems(title))]
                named += [(phrase_stems(x), phrase_words(x)) for x in own]
                self.names[article] = [n for n in named if n[0] and len(n[1]) > 1]
            alternatives = title_alternatives(title)
            if own:
                groups.append([title, *own])
            if alternatives:
                groups.append(alternatives)
        self.synonyms = SynonymMap(groups)

    @property
    def max_idf(self) -> float:
        """The IDF of a term found in a single passage."""
        return math.log(1 + (self.total - 0.5) / 1.5)

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def split(self, word: str) -> tuple[str, str] | None:
        """Two index terms that ``word`` joins ("giftcard" -> "gift", "card"), or None."""
        if len(word) < 6 or not word.isalpha():
            return None
        for cut in range(3, len(word) - 2):
            first, second = stem(word[:cut]), stem(word[cut:])
            if first in self.known and second in self.known:
                return first, second
        return None

    def correct(self, term: str, word: str) -> str | None:
        """The index term closest to the unknown stem ``term`` of ``word`` (most frequent among equals), or None."""
        # Short words are too often real words the KB does not use ("share" is not a typo of "spare"),
        # and a slip rarely hits the first letter ("crush" is no typo of "brush").
        if len(word) < MIN_TYPO_LENGTH or len(term) < 5 or not term.isalpha():
            return None
        # A correctly spelled word is no typo, though the KB does not use it ("model" is not "modem",
        # "freeze" not "free"); it may only be another form of an index term that adds to its end
        # ("broke" -> "broken", "expired" -> "expiri" of "expiry").
        english = is_english_word(word)
        limit = 1 if len(term) < 8 else 2
        candidates: set[str] = set(self.by_delete.get(term, ()))
        for variant in _deletes(term):
            if variant in self.known:
                candidates.add(variant)
            candidates |= self.by_delete.get(variant, set())
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            if candidate[0] != term[0] or (english and not candidate.startswith(term)):
                continue
            distance = damerau(term, candidate, limit)
            if distance <= limit:
                key = (distance, -self.df.get(candidate, 0), candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None


class Retriever:
    """BM25 retrieval over a :class:`PassageIndex` with query building and the decision to decline."""

    def __init__(
        self,
        index: PassageIndex,
        *,
        min_coverage: float = MIN_COVERAGE,
        min_matched_weight: float = MIN_MATCHED_WEIGHT,
        unknown_weight: float = UNKNOWN_WEIGHT,
        corrected_weight: float = CORRECTED_WEIGHT,
        bm25_share: float = BM25_SHARE,
        named_share: float = NAMED_SHARE,
    ) -> None:
        self.index = index
        self.min_coverage = min_coverage
        self.min_matched_weight = min_matched_weight
        self.unknown_weight = unknown_weight
        self.corrected_weight = corrected_weight
        self.bm25_share = bm25_share
        self.named_share = named_share
        self._vocab: _Vocabulary | None = None
        self._lock = threading.Lock()

    def vocabulary(self) -> _Vocabulary:
        """The cached vocabulary, rebuilt when the KB changed since it was built."""
        generation = self.index.kb_generation()
        with self._lock:
            if self._vocab is None or self._vocab.generation != generation:
                self._vocab = _Vocabulary(self.index)
            return self._vocab

    def _relevant(self, top: Hit, max_idf: float) -> bool:
        """Whether the best passage answers the query: it covers enough of it, with enough weight.

        A short question that the passage covers almost entirely needs less weight
        ("how often should I descale" has one content word), and one it covers entirely
        needs none: "where is my order??" asks only about a word every other article holds.
        """
        if top.coverage >= FULL_COVERAGE and top.matched_weight > 0:
            return True
        if top.coverage >= SHORT_QUERY_COVERAGE and top.matched_weight >= SHORT_QUERY_WEIGHT * max_idf:
            return True
        return top.coverage >= self.min_coverage and top.matched_weight >= self.min_matched_weight * max_idf

    def query_terms(self, text: str) -> tuple[list[str], dict[str, str], list[str]]:
        """``(terms, corrections, expansions)`` for masked ``text``: see the module docstring."""
        vocab = self.vocabulary()
        terms, corrections = self._all_terms(text, vocab)
        expansions = vocab.synonyms.expand(terms, vocab.known, said(text))
        return self._most_specific(terms, vocab), corrections, expansions

    def _all_terms(self, text: str, vocab: _Vocabulary) -> tuple[list[str], dict[str, str]]:
        """The query terms of every content word of ``text`` (each once), and the typo corrections made."""
        corrections: dict[str, str] = {}
        found = joined_content_words(text, vocab.known)
        terms = list(dict.fromkeys(t for word in found for t in self._terms(word, vocab, corrections)))
        return terms, corrections

    @staticmethod
    def _most_specific(terms: list[str], vocab: _Vocabulary) -> list[str]:
        """``terms`` with the known ones cut to the :data:`MAX_QUERY_TERMS` of highest IDF (a rambling message)."""
        known = [t for t in terms if t in vocab.known]
        if len(known) <= MAX_QUERY_TERMS:
            return terms
        keep = set(sorted(known, key=lambda t: -vocab.idf(t))[:MAX_QUERY_TERMS])
        return [t for t in terms if t in keep or t not in vocab.known]

    @staticmethod
    def _terms(word: str, vocab: _Vocabulary, corrections: dict[str, str]) -> list[str]:
        """The query terms of a content word: its stem, the two words it joins ("giftcard"), or the
        index term it is a typo of."""
        verb = irregular_verb(word)
        if verb is not None and stem(verb) in vocab.known:
            return [stem(verb)]
        term = stem(word)
        if term in vocab.known:
            return [term]
        parts = vocab.split(word)
        if parts:
            corrections[word] = " ".join(parts)
            return list(parts)
        fixed = vocab.correct(term, word)
        if fixed is not None:
            corrections[word] = fixed
            return [fixed]
        return [term]

    def focus_terms(self, text: str) -> set[str]:
        """The terms of the message's questions (sentences ending in "?"), or empty if it asks none.

        A long message tells a story and asks one thing: the asking sentence names
        the subject, the story around it is mostly detail the KB never mentions.
        """
        vocab = self.vocabulary()
        # a question's last clause asks; the clauses before it tell ("I moved last week, can I ...?")
        asked = " ".join(_CLAUSE.split(m.group(1))[-1] for m in _QUESTION.finditer(text))
        return {t for word in content_words(asked) for t in self._terms(word, vocab, {})}

    def end_focus(self, text: str) -> list[str]:
        """The query terms of the last content word of the message's last question ("?"), or [].

        English puts the new information of a clause at its end ("end focus"): in "Can I
        pay with bitcoin?" or "Does the app run on my smartwatch?" the last content word is
        what the customer asks about. A KB that does not hold it cannot answer the question.
        """
        asked = [m.group(1) for m in _QUESTION.finditer(text)]
        # "... a credit card instead of direct debit?": what follows "instead of" is what the customer has
        last = content_words(_CONTRAST.split(asked[-1])[0]) if asked else []
        if not last or last[-1].isdigit():
            return []
        return self._terms(last[-1], self.vocabulary(), {})

    def search(self, text: str, limit: int = 5) -> Retrieval:
        """The best ``limit`` passages for masked ``text``, and whether they answer it."""
        vocab = self.vocabulary()
        # the query terms as query_terms() gives them, without the expansions it lists (stand_ins below)
        all_terms, corrections = self._all_terms(text, vocab)
        terms = self._most_specific(all_terms, vocab)
        spoken = set(said(text))  # every word, stop words included: what synonym phrases are matched on
        stand_ins = vocab.synonyms.stand_ins(terms, vocab.known, spoken)
        result = Retrieval(terms=terms, corrections=corrections)
        searchable = [t for t in terms if t in vocab.known] + list(stand_ins)
        if not searchable:
            return result
        fts = " OR ".join('"' + t.replace('"', '""') + '"' for t in searchable)
        corrected = set(corrections.values())
        known = {
            t: vocab.idf(t) * (self.corrected_weight if t in corrected else 1.0) for t in terms if t in vocab.known
        }
        # Terms the KB has never seen still count against coverage, but less: rambling detail is common.
        # (numbers the KB does not hold are detail: order numbers, prices, dates)
        weights = dict(known)
        weights.update(
            {t: self.unknown_weight * vocab.idf(t) for t in terms if t not in vocab.known and not t.isdigit()}
        )
        total_weight = sum(weights.values())
        focus = self.focus_terms(text) & set(terms)
        if focus == set(terms) or not focus & set(known):
            focus = set()  # the message is one question, or its questions name nothing the KB knows
        focus_weight = sum(w for t, w in weights.items() if t in focus)

        def covered(present: frozenset[str], ranking: bool = False) -> tuple[float, float]:
            """(coverage, matched weight of known terms) of the query by a passage's or article's terms.

            The coverage of the message's questions alone counts if it is higher; to rank
            articles (``ranking``) only half of the difference counts: a story's question is
            often generic ("how long does this take?") and the story names the subject.
            """
            answered = set(present)
            for stand_in in stand_ins.keys() & present:  # "refund" in the text answers "money back"
                answered |= stand_ins[stand_in]
            coverage = sum(w for t, w in weights.items() if t in answered) / total_weight if total_weight else 0.0
            if focus_weight:
                asked = sum(w for t, w in weights.items() if t in focus and t in answered)
                asked_share = asked / focus_weight
                coverage = max(coverage, (asked_share + coverage) / 2 if ranking else asked_share)
            return min(1.0, coverage), sum(w for t, w in known.items() if t in answered)

        passages = self.index.kb_match(fts, COLUMN_WEIGHTS, CANDIDATES)
        best: dict[int, float] = {}
        for passage_id, bm25 in passages:
            article_id = vocab.article_of.get(passage_id, 0)
            best[article_id] = max(best.get(article_id, 0.0), -bm25)
        # An article ranks by how much of the query it covers, and then by its best passage's BM25
        # relative to the best of all (a share, so it weighs the same for every query).
        top_bm25 = max(best.values(), default=0.0) or 1.0
        present = set(terms)
        article_score = {
            a: covered(vocab.article_terms.get(a, frozenset()), ranking=True)[0]
            + self.bm25_share * score / top_bm25
            + self.named_share * any(says(name, present, spoken) for name in vocab.names.get(a, ()))
            for a, score in best.items()
        }
        hits: list[Hit] = []
        for passage_id, bm25 in passages:
            article_id = vocab.article_of.get(passage_id, 0)
            coverage, matched = covered(vocab.passage_terms.get(passage_id, frozenset()))
            hits.append(Hit(passage_id, article_id, -bm25, coverage, matched, article_score[article_id]))
        hits.sort(key=lambda h: (-h.article_score, -h.coverage, -h.score, h.passage_id))
        result.hits = _best_per_article(hits, limit)
        top = result.hits[0] if result.hits else None
        result.answerable = top is not None and self._relevant(top, vocab.max_idf)
        if top is not None and result.answerable:
            # the question's end focus must be something the best article speaks of (or a word it stands in for)
            focus_end = self.end_focus(text)
            answered = set(vocab.article_terms.get(top.article_id, frozenset()))
            for stand_in in stand_ins.keys() & answered:
                answered |= stand_ins[stand_in]
            if focus_end and not set(focus_end) & answered:
                result.answerable = False
        return result


def joined_content_words(text: str, known: set[str]) -> list[str]:
    """The content words of ``text``, two neighbours joined where the index holds them as one word
    ("pass word" -> "password", "log in" -> "login")."""
    found = [w.removesuffix("'s") for w in words(text)]
    joined: list[str] = []
    i = 0
    while i < len(found):
        # both parts words, not both stop words ("for me" is no "forme"); the joined word an English
        # word or its first part unknown to the KB ("install is" is no "installis")
        if i + 1 < len(found):
            first, second = found[i], found[i + 1]
            pair = first + second
            if (
                first.isalpha()
                and second.isalpha()
                and min(len(first), len(second)) >= 2
                and not (first in STOP_WORDS and second in STOP_WORDS)
                and is_content_word(pair)
                and stem(pair) in known
                and (is_english_word(pair) or stem(first) not in known)
            ):
                joined.append(pair)
                i += 2
                continue
        joined.append(found[i])
        i += 1
    return [w for w in joined if is_content_word(w)]


def said(text: str) -> list[str]:
    """The stems of every word of ``text`` (stop words included), and of the verb of an irregular form
    ("took back" also says "take back"): what synonym phrases are matched on."""
    return word_stems(text) + [stem(verb) for word in words(text) if (verb := irregular_verb(word))]


def _best_per_article(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """Hits in rank order, at most two passages of one article, ``limit`` in all."""
    per_article: dict[int, int] = {}
    kept: list[Hit] = []
    for hit in hits:
        if per_article.get(hit.article_id, 0) >= 2:
            continue
        per_article[hit.article_id] = per_article.get(hit.article_id, 0) + 1
        kept.append(hit)
        if len(kept) >= limit:
            break
    return kept
