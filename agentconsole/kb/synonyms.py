"""Other words for an article's subject: the KB's own (titles, front matter) and a few generic ones.

A group is a set of phrases that mean the same thing to a customer; when a
query holds every word of one phrase, the other phrases' words are searched
too. Every word counts, stop words included, but for articles, possessives and
"be" ("return an item" is said by "return the items"): "internet down" needs "down" as
well (the stop word is not dropped before the phrase is matched, else the
phrase would be "internet" alone and stand for every message naming the
internet). Generic groups cover how customers name the usual help-desk subjects;
groups from the articles themselves come from their ``synonyms`` and from
titles written as alternatives ("Returns (refunds)", "Sign-in / login").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agentconsole.kb.terms import content_stems, stem, word_stems

#: How customers name the usual help-desk subjects (used only for words the KB holds).
GENERIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("refund", "money back", "reimburse", "repayment", "reimbursement"),
    ("cancel", "terminate", "cancellation", "unsubscribe"),
    ("password", "passcode", "log in", "login", "sign in", "signin"),
    ("invoice", "bill", "receipt", "billing"),
    ("delivery", "shipping", "shipment", "postage", "courier", "dispatch", "deliver", "ship"),
    ("parcel", "package", "packet"),
    ("broken", "damaged", "defective", "faulty", "cracked", "smashed", "shattered", "crushed", "dented"),
    ("subscription", "membership", "plan"),
    ("price", "cost", "fee", "charge"),
    ("delete", "remove", "erase", "close"),
    ("change", "update", "modify", "edit", "switch"),
    ("discount", "coupon", "promo", "voucher", "promotion"),
    ("warranty", "guarantee"),
    ("late", "delayed", "overdue"),
    ("opening hours", "open", "hours", "closing time"),
    ("app", "application"),
    ("exchange", "swap", "replace", "replacement"),
    ("track", "tracking", "where is"),
    ("email", "e mail", "mail"),
    ("abroad", "international", "overseas", "foreign"),
)

#: Countries (as customers write them): a country the KB never names is "abroad" to it ("can you deliver
#: to Canada?" is answered by an article on shipping abroad). A country the KB names is matched as written.
COUNTRIES = frozenset(
    """
    albania andorra argentina australia austria belgium bosnia brazil bulgaria canada chile china croatia cyprus
    czechia denmark egypt england estonia finland france germany greece holland hungary iceland india indonesia
    ireland israel italy japan korea latvia liechtenstein lithuania luxembourg malta mexico moldova monaco
    montenegro morocco netherlands norway poland portugal romania russia scotland serbia singapore slovakia
    slovenia spain sweden switzerland thailand tunisia turkey uk ukraine usa america vietnam wales
    """.split()
)
#: The words a KB uses for "outside our own country" (the first of them the KB holds stands in).
ABROAD = ("abroad", "international", "overseas", "foreign")

_ALTERNATIVES = re.compile(r"\s*(?:/|\(|\)|\bor\b|\baka\b|\balso called\b)\s*", re.IGNORECASE)


_COUNTRY_STEMS = frozenset(stem(c) for c in COUNTRIES)
_ABROAD_STEMS = tuple(stem(w) for w in ABROAD)


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(content_stems(phrase))


#: Stop words a phrase can do without: articles, possessives, demonstratives and "be" only point at or
#: link its other words ("return an item" is said by "return the items", "internet is slow" by "slow internet").
OPTIONAL_WORDS = frozenset(
    """
    a an the my your our his her their its this that these those some any
    is are am be been was were it's
    """.split()
)


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The stems of the words of ``phrase`` that a query must say, stop words included ("internet down" ->
    "internet", "down"), articles, possessives and "be" left out."""
    return tuple(word_stems(phrase, skip=OPTIONAL_WORDS))


def says(phrase: tuple[tuple[str, ...], tuple[str, ...]], terms: set[str], said: set[str]) -> bool:
    """Whether a query says ``phrase`` (its content stems, every word's stem): its content stems are
    query ``terms`` (typo corrections included) and all its words are in ``said`` (stop words included)."""
    content, every = phrase
    return all(t in terms for t in content) and all(t in said or t in terms for t in every)


def title_alternatives(title: str) -> list[str]:
    """Alternatives a title spells out: "Returns (refunds)" -> ["Returns", "refunds"]."""
    parts = [p.strip() for p in _ALTERNATIVES.split(title) if p and p.strip()]
    return parts if len(parts) > 1 else []


class SynonymMap:
    """Phrase groups as stems; :meth:`expand` adds the other phrases' stems for a query."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._groups: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = []
        for group in groups:
            # (content stems, stems of every word); a phrase of stop words only ("where is") means nothing alone
            phrases = list(dict.fromkeys((phrase_stems(s), phrase_words(s)) for s in group))
            phrases = [p for p in phrases if p[0]]
            if len(phrases) > 1:
                self._groups.append(phrases)
        # A phrase is found only if the query holds its first content stem: the groups to look at for a
        # query, by that stem (built once, so a query does not test every phrase of every group).
        self._groups_by_stem: dict[str, set[int]] = {}
        for number, phrases in enumerate(self._groups):
            for content, _ in phrases:
                self._groups_by_stem.setdefault(content[0], set()).add(number)

    def expand(self, stems: list[str], known: set[str], said: Iterable[str] = ()) -> list[str]:
        """Stems the KB holds that mean the same as a phrase found in ``stems`` (not already there)."""
        return list(self.stand_ins(stems, known, said))

    def stand_ins(self, stems: list[str], known: set[str], said: Iterable[str] = ()) -> dict[str, set[str]]:
        """Like :meth:`expand`, each stem with the query stems it stands in for.

        "money back" in a query and a group ("refund", "money back") give
        ``{"refund": {"money", "back"}}``: an article that says "refund" answers
        the words "money back" (retrieval counts them as covered). ``said`` holds the
        stems of all the query's words, stop words included: a phrase with a stop word
        ("internet down", "no internet") is found only if the query has that word too.
        """
        present = set(stems)
        spoken = set(said)
        extra: dict[str, set[str]] = {}
        for number in sorted({n for t in present for n in self._groups_by_stem.get(t, ())}):  # in group order
            group = self._groups[number]
            found = [phrase for phrase in group if says(phrase, present, spoken)]
            if not found:
                continue
            replaced = {t for content, _ in found for t in content}
            for content, _ in group:
                for term in content:
                    if term in known and term not in present:
                        extra.setdefault(term, set()).update(replaced)
        foreign = {t for t in present if t in _COUNTRY_STEMS and t not in known}
        for term in _ABROAD_STEMS:
            if foreign and term in known and term not in present:
                extra.setdefault(term, set()).update(foreign)
        return extra
