"""Bracketed pastes read whole, whatever they contain.

A terminal wraps a paste in ``ESC[200~`` … ``ESC[201~``. Textual's input
parser treats an ESC *inside* the paste as the start of a key sequence: the
characters after it leave the paste and arrive as typed keys. A customer
message holding an escape sequence, pasted into the composer, was therefore
split: its tail was typed in clear (a name showed unmasked in the composer)
and landed before the sealed part (the stored message was reordered).

:class:`WholePasteParser` reads everything between the brackets itself and
hands it on as one :class:`~textual.events.Paste`, ESC and all; the composer
then seals it whole and the screen shows it inert. :func:`install` puts it in
place of Textual's parser for the terminal drivers (the console calls it
before it runs; Pilot tests post ``Paste`` events and do not parse input).
"""

from __future__ import annotations

from collections.abc import Generator

from textual import events
from textual._parser import ParseError, Peek1, Read1, TokenCallback
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.message import Message


class WholePasteParser(XTermParser):
    """Textual's xterm parser, except that a bracketed paste ends only at ``ESC[201~``."""

    def parse(self, token_callback: TokenCallback) -> Generator[Read1 | Peek1, str, None]:
        pasted: list[str] = []

        def on_token(token: Message) -> None:
            # The inner parser sees an empty paste (we kept the content); send ours instead.
            if isinstance(token, events.Paste) and pasted:
                token = events.Paste(pasted.pop())
            token_callback(token)

        inner = super().parse(on_token)
        request = next(inner)
        recent = ""
        while True:
            try:
                character = yield request
            except ParseError as error:  # a timeout (a lone ESC key) or the end of input
                try:
                    request = inner.throw(error)
                except StopIteration:
                    return
                continue
            try:
                request = inner.send(character)
            except StopIteration:
                return
            recent = (recent + character)[-len(BRACKETED_PASTE_START) :]
            if recent != BRACKETED_PASTE_START:
                continue
            # The inner parser is now inside the paste; read the content up to the end bracket ourselves.
            content: list[str] = []
            while not (
                content and content[-1] == "~" and "".join(content[-len(BRACKETED_PASTE_END) :]) == BRACKETED_PASTE_END
            ):
                try:
                    content.append((yield Read1()))
                except ParseError:
                    return
            pasted.append("".join(content[: -len(BRACKETED_PASTE_END)]).replace("\x00", ""))
            recent = ""
            try:
                for character in BRACKETED_PASTE_END:  # let the inner parser leave its paste state
                    request = inner.send(character)
            except StopIteration:
                return
            pasted.clear()  # delivered (or the inner parser had nothing to flush)


def install() -> None:
    """Use :class:`WholePasteParser` in Textual's terminal drivers (idempotent)."""
    import importlib

    for name in ("textual.drivers.linux_driver", "textual.drivers.linux_inline_driver"):
        try:
            module = importlib.import_module(name)
        except ImportError:  # e.g. the Linux drivers on Windows
            continue
        module.XTermParser = WholePasteParser  # type: ignore[attr-defined]
