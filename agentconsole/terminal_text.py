"""Text that leaves for a terminal: every control, escape and bidi character made inert.

Customer messages, imported transcripts, file names, customer references and
model output may carry terminal escape sequences (OSC 52 writes the clipboard,
OSC 0 sets the window title, ``ESC[2J`` clears the screen, OSC 8 makes
hyperlinks), other control characters, or bidirectional overrides that reorder
what is shown. Everything agentconsole writes for a person (CLI stdout and
stderr, every TUI widget) goes through :func:`inert` first; every JSON it
writes goes through :func:`json_text`. One table decides how each character is
shown, so the console and the command line show the same thing:

* C0 controls (except TAB and line breaks) as their Unicode Control Picture
  (ESC as ``␛``, BEL as ``␇``, NUL as ``␀``), DEL as ``␡``: one cell each;
* C1 controls (U+0080-U+009F, including the 8-bit CSI U+009B), bidi
  embeddings, overrides and isolates, and invisible format characters as a
  ``\\u009b``-style escape, the same text JSON uses for them;
* CR and CRLF as a line break (a lone CR would rewind the line and let later
  text overwrite earlier text).

An escape sequence thus loses its ESC (or CSI) and is shown as harmless text
such as ``␛]52;c;…␇``; nothing is dropped, so nothing can be hidden.

This module is below every layer (no textual, no rich): the UI and the
commands import it, never the other way round.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

#: Characters with no Control Picture that must never reach a terminal raw:
#: DEL, C1 controls, bidi marks/embeddings/overrides/isolates, line/paragraph
#: separators and invisible format characters (byte order mark, word joiners).
_ESCAPED = [
    0x7F,
    *range(0x80, 0xA0),
    *(0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x2070),
]

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)}
_TABLE.update({code: f"\\u{code:04x}" for code in _ESCAPED})
_TABLE[0x7F] = "␡"
_UNSAFE_RE = re.compile("[\r" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
#: What JSON must escape beyond what ``json.dumps`` already does (it escapes every C0 control).
_JSON_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _ESCAPED) + "]")


def line_breaks(text: str) -> str:
    """CRLF and lone CR as LF: what a terminal sends (CR) and what files hold, one line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def inert(text: str) -> str:
    """``text`` safe to show on a terminal: controls, escapes and bidi shown as visible symbols.

    Newlines and tabs are kept; CR and CRLF become newlines. Idempotent, and
    the identity on ordinary text.
    """
    if not _UNSAFE_RE.search(text):
        return text
    return line_breaks(text).translate(_TABLE)


def json_escape(document: str) -> str:
    """A JSON document with C1 controls, DEL and bidi characters escaped (``\\u009b``); lossless.

    ``json.dumps(..., ensure_ascii=False)`` writes those characters raw; they
    can only occur inside JSON strings, where ``\\uXXXX`` means the same
    character, so the parsed value is unchanged.
    """
    return _JSON_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


def json_text(obj: Any, **dumps_kwargs: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, **dumps_kwargs)`` with nothing a terminal would interpret."""
    dumps_kwargs.setdefault("ensure_ascii", False)
    return json_escape(json.dumps(obj, **dumps_kwargs))


def echo(text: object = "", *, file: TextIO | None = None, end: str = "\n", flush: bool = False) -> None:
    """``print`` for anything that may hold data: the text is made :func:`inert` first."""
    stream = sys.stdout if file is None else file
    stream.write(inert(str(text)) + end)
    if flush:
        stream.flush()


class InertStream:
    """:func:`inert` for text that arrives in pieces (a streamed answer): a CRLF split between two
    pieces is still one line break."""

    def __init__(self) -> None:
        self._cr = False

    def feed(self, piece: str) -> str:
        if self._cr:
            piece = "\r" + piece
        self._cr = piece.endswith("\r")
        if self._cr:
            piece = piece[:-1]
        return inert(piece)

    def flush(self) -> str:
        held, self._cr = self._cr, False
        return "\n" if held else ""
