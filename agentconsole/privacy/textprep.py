"""What the detectors read: the text made digestible, with every offset unchanged.

Used at inference *and* by ``scripts/train_pii_model.py``, so the model is
trained on exactly what it will see. Standard library only (the training script
loads this file directly, without the package's dependencies).
"""

from __future__ import annotations

import bisect
import re

# Texts whose letters are mostly capitals are re-cased for NER only (same length).
SHOUTING_RATIO = 0.7
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Terminal control: CSI (colours, cursor), OSC introducers/terminators (the payload, a
# window title or a link, stays visible: it may hold a name), other escapes, C0/C1 controls.
# Blanked for detection so "\x1b[31mJohn" reads as " John"; the masked text keeps them.
# Invisible format characters (bidi overrides, zero-width joiners/spaces, soft hyphens).
_FORMAT_CHARS = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
_FORMAT_RE = re.compile(_FORMAT_CHARS)
_INVISIBLE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI ... final byte
    r"|(?:\x1b\]|\x9d)[0-9]*;?"  # OSC introducer (payload kept visible)
    r"|\x1b(?:[ -/]+[0-~]|[0-?\\^_])?"  # other escapes (ESC \ ST, ESC ( B, ESC 7), never a letter
    r"|[\x00-\x08\x0e-\x1f\x7f-\x9f]"  # C0 (not tab/LF/VT/FF/CR), DEL, C1
    "|" + _FORMAT_CHARS
)
_LONG_RUN_RE = re.compile(r"\S{64,}")
#: A literal backslash-n (pasted JSON/log text): a line break for the detectors.
_LITERAL_BREAK_RE = re.compile(r"\\r\\n|\\n|\\r")


def blank_invisible(text: str) -> str:
    """Escape sequences, control and invisible format characters -> spaces (same length)."""
    return _INVISIBLE_RE.sub(lambda m: " " * len(m.group()), text)


def split_invisible(value: str) -> tuple[str, str]:
    """``(visible, hidden)``: ``value`` without its escape sequences/controls, and those alone in order."""
    hidden = "".join(_INVISIBLE_RE.findall(value))
    return (_INVISIBLE_RE.sub("", value), hidden) if hidden else (value, "")


class Squeezed:
    """``text`` as a terminal shows it: escape sequences, controls and invisible characters removed.

    The NER reads words as a person sees them: a zero-width or bidi character disappears
    ("J\u200dohn" is "John"); an escape sequence or control between two visible characters
    becomes one space ("Name:\x1b[31mJohn" is "Name: John", a window title ending in BEL stays
    apart from the next word). :meth:`to_original` maps squeezed offsets back to ``original``.
    """

    def __init__(self, original: str) -> None:
        self.original = original
        self._starts: list[int] = [0]  # squeezed offset where each kept run begins
        self._origin: list[int] = [0]  # its offset in the original
        if not _INVISIBLE_RE.search(original):
            self.text = original
            return
        kept = []
        pos = length = 0
        self._starts, self._origin = [], []
        for match in _INVISIBLE_RE.finditer(original):
            if match.start() > pos:
                self._starts.append(length)
                self._origin.append(pos)
                kept.append(original[pos : match.start()])
                length += match.start() - pos
            pos = match.end()
            before = kept[-1][-1:] if kept else ""
            after = original[pos : pos + 1]
            if (
                before
                and after
                and not before.isspace()
                and not after.isspace()
                and not _FORMAT_RE.match(match.group())
            ):
                self._starts.append(length)
                self._origin.append(match.start())
                kept.append(" ")
                length += 1
        self._starts.append(length)
        self._origin.append(pos)
        kept.append(original[pos:])
        self.text = "".join(kept)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of squeezed ``[start, end)`` (hidden characters inside it included)."""
        if len(self._starts) == 1:
            return start, end

        def at(pos: int) -> int:
            i = bisect.bisect_right(self._starts, pos) - 1
            return self._origin[i] + pos - self._starts[i]

        return at(start), at(end - 1) + 1 if end > start else at(start)


def literal_breaks_to_newlines(text: str) -> str:
    """``Street\\nLondon`` -> ``Street \\nLondon`` (two characters stay two: offsets unchanged)."""
    if "\\" not in text:
        return text
    return _LITERAL_BREAK_RE.sub(lambda m: " " * (len(m.group()) - 1) + "\n", text)


def recase_shouting(text: str) -> str:
    """Title-case every word of a shouted text, keeping every offset."""
    out = []
    start_of_word = True
    for ch in text:
        if ch.isalpha():
            mapped = ch.upper() if start_of_word else ch.lower()
            out.append(mapped if len(mapped) == 1 else ch)
            start_of_word = False
        else:
            out.append(ch)
            start_of_word = ch not in "'’"
    return "".join(out)


def is_shouting(text: str) -> bool:
    """Mostly capitals: spaCy's NER only knows names by their capitals."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(ch.isupper() for ch in letters)
    return upper / len(letters) >= SHOUTING_RATIO


def detection_text(text: str) -> str:
    """Same length and offsets as ``text``, but digestible for the NER and patterns.

    Lone surrogates (broken pastes) become U+FFFD; terminal escape sequences
    (ANSI colours, OSC titles' markers), C0/C1 controls and invisible format
    characters (bidi overrides, zero-width spaces) become spaces; runs of 64+ non-space
    characters become "xxx..." (spaCy's affix splitting is slow on them and no
    name hides in one), literal ``\\n`` become line breaks, shouted text is re-cased.
    """
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = blank_invisible(text)
    text = _LONG_RUN_RE.sub(lambda m: "x" * len(m.group()) if "\\n" not in m.group() else m.group(), text)
    text = literal_breaks_to_newlines(text)
    text = _LONG_RUN_RE.sub(lambda m: "x" * len(m.group()), text)
    return recase_shouting(text) if is_shouting(text) else text
