"""Cutting long text into pieces read with overlap, so work stays linear in its length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

# Above this size a text is analyzed in pieces cut at paragraph/line/space boundaries:
# spaCy's cost and memory stay linear and a 1 MB paste finishes in bounded time.
CHUNK_CHARS = 2_000
# Each piece is read with this much context on both sides, so an entity across a cut
# is seen whole; a detection belongs to the piece its start falls in.
CHUNK_OVERLAP = 200


def is_prose(text: str) -> bool:
    """Enough letters for a name to be in there (number dumps and junk skip spaCy)."""
    visible = sum(not ch.isspace() for ch in text)
    return visible > 0 and sum(ch.isalpha() for ch in text) / visible >= 0.4


def prose_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        line = text[pos:line_end]
        if sum(ch.isalpha() for ch in line) >= 8 and is_prose(line):
            spans.append((pos, line_end))
        pos = line_end + 1
    return spans


def chunk_spans(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best boundary available."""
    start, n = 0, len(text)
    while start < n:
        if n - start <= limit:
            yield start, n
            return
        window_end = start + limit
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = text.rfind(sep, start + limit // 2, window_end)
            if pos != -1:
                cut = pos + len(sep)
                break
        if cut <= start:
            cut = window_end
        yield start, cut
        start = cut


def piece_spans(text: str, limit: int = CHUNK_CHARS, overlap: int = CHUNK_OVERLAP) -> list[tuple[int, int, int, int]]:
    """``(read_start, read_end, own_start, own_end)`` for each piece of ``text``.

    The owned parts tile the text (cut at paragraph/line/space boundaries);
    each piece is read with up to ``overlap`` characters of context either side,
    widened to the nearest space so no word is cut in half.
    """
    pieces = []
    n = len(text)
    for own_start, own_end in chunk_spans(text, limit):
        read_start = max(0, own_start - overlap)
        if read_start > 0:
            space = text.find(" ", read_start, own_start)
            read_start = own_start if space == -1 else space + 1
        read_end = min(n, own_end + overlap)
        if read_end < n:
            space = text.rfind(" ", own_end, read_end)
            read_end = own_end if space == -1 else space
        pieces.append((read_start, read_end, own_start, own_end))
    return pieces


class Unit(NamedTuple):
    """One piece of work: read ``[read_start, read_end)``, keep detections starting in ``[own_start, own_end)``.

    ``prose`` pieces go through spaCy; the others (log/CSV dumps) get the pattern
    recognizers only. ``chars`` is what the piece adds to the progress count.
    """

    read_start: int
    read_end: int
    own_start: int
    own_end: int
    prose: bool
    chars: int


def plan_units(text: str) -> list[Unit]:
    """The pieces of ``text`` in reading order: pattern-only pieces first, then the prose ones.

    A dump piece (few letters) is read for patterns, and its prose lines (customer
    notes in a log) are read by the NER on their own, without adding to the progress.
    """
    pieces = piece_spans(text, CHUNK_CHARS, CHUNK_OVERLAP)
    prose: list[Unit] = []
    patterns_only: list[Unit] = []
    for read_start, read_end, own_start, own_end in pieces:
        if len(pieces) == 1 or is_prose(text[own_start:own_end]):
            prose.append(Unit(read_start, read_end, own_start, own_end, True, own_end - own_start))
        else:
            patterns_only.append(Unit(read_start, read_end, own_start, own_end, False, own_end - own_start))
            prose.extend(Unit(s, e, s, e, True, 0) for s, e in prose_lines(text, own_start, own_end))
    return patterns_only + prose


class Piece(NamedTuple):
    """A unit's text as a reader gets it: ``own_start``/``own_end`` are offsets into ``text``."""

    prose: bool
    text: str
    own_start: int
    own_end: int


def piece_of(text: str, unit: Unit) -> Piece:
    """The :class:`Piece` that ``unit`` reads from ``text``."""
    return Piece(
        unit.prose,
        text[unit.read_start : unit.read_end],
        unit.own_start - unit.read_start,
        unit.own_end - unit.read_start,
    )
