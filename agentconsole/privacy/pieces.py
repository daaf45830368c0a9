"""Cutting long text into pieces read with overlap, so work stays linear in its length."""

from __future__ import annotations

from collections.abc import Iterator

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
