"""Second stage: one person, one placeholder, across a case.

A name seen once in full ("Jonathan Whitaker") is the same person when it comes
back in part: "Jonathan", "Mr Whitaker", a sign-off "— J. Whitaker", or an
e-mail local part "jonathan.whitaker@...". :func:`linked_mentions` finds those
later mentions (which a model alone may miss: a lone first name carries little
context); :class:`~agentconsole.privacy.placeholders.CaseMapping` gives them the
full name's placeholder. Linear in the text: one pass over its words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex

_WORD_RE = regex.compile(r"[\p{L}][\p{L}\p{M}'’\-]*")
_INITIAL_BEFORE_RE = regex.compile(r"(?:\p{Lu}\.[ \t]*){1,2}\Z")
_LOCAL_PART_RE = regex.compile(r"[\p{L}\p{N}._%+\-]+(?=@|[ \t]+at[ \t]+)", regex.IGNORECASE)
_TITLES = frozenset("mr mrs ms miss mx dr prof sir madam mme mlle herr frau señor senor señora senora sr sra m".split())
MIN_PART = 3


def fold(word: str) -> str:
    """Case- and accent-insensitive form of a word ("Zoë" -> "zoe")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def name_parts(value: str) -> list[str]:
    """The words of a full name that identify the person alone (no titles, no initials)."""
    words = [w.strip("'’-") for w in _WORD_RE.findall(value)]
    return [w for w in words if len(w) >= MIN_PART and fold(w).rstrip(".") not in _TITLES]


def person_values_from_email(email: str) -> str | None:
    """ "jonathan.whitaker@example.com" -> "Jonathan Whitaker" (two alphabetic parts), else None."""
    local = email.split("@", 1)[0].split(" at ", 1)[0].strip()
    parts = [p for p in regex.split(r"[._\-]+| dot ", local) if p]
    if len(parts) != 2 or not all(p.isalpha() and len(p) >= MIN_PART for p in parts):
        return None
    return " ".join(p.capitalize() for p in parts)


def _mention_ok(word: str, part: str) -> bool:
    """A mention must look like the name: same capital, or all capitals (not "will" for "Will")."""
    if word == part or word == part.upper():
        return True
    return word[:1].isupper() and fold(word) == fold(part)


def linked_mentions(
    text: str,
    full_names: Iterable[str],
    taken: list[tuple[int, int]],
    stop_words: frozenset[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    """``(start, end, full name)`` for each later mention of a known person not yet in ``taken``.

    ``full_names`` are PERSON values of two or more words. A part shared by two
    people ("Anna" of Anna Berg and Anna Smith) links to nobody.
    """
    owners: dict[str, str | None] = {}
    for full in full_names:
        parts = name_parts(full)
        if len(parts) < 2 and len(_WORD_RE.findall(full)) < 2:
            continue
        for part in parts:
            key = fold(part)
            if key in stop_words:
                continue
            if key not in owners:
                owners[key] = full
            elif owners[key] is not None and fold(owners[key] or "") != fold(full):
                owners[key] = None  # shared by two people: ambiguous
    if not owners:
        return []
    spans = sorted(taken)
    found = []
    cursor = 0
    for match in _WORD_RE.finditer(text):
        word = match.group().rstrip("'’-")
        owner = owners.get(fold(word))
        if owner is None:
            continue
        part = next((p for p in name_parts(owner) if fold(p) == fold(word)), word)
        if not _mention_ok(word, part):
            continue
        start, end = match.start(), match.start() + len(word)
        while cursor < len(spans) and spans[cursor][1] <= start:
            cursor += 1
        if cursor < len(spans) and spans[cursor][0] < end:
            continue  # already masked (inside the full name, an address...)
        if start > 0 and (text[start - 1] == "@" or text[start - 1].isalnum()):
            continue
        if end < len(text) and text[end] == "@":
            continue  # an e-mail's local part is the e-mail recognizer's
        initials = _INITIAL_BEFORE_RE.search(text, max(0, start - 8), start)
        if initials and fold(initials.group()[0]) == fold(owner[0]):
            start = initials.start()  # "J. Whitaker" as one span
        found.append((start, end, owner))
    return found
