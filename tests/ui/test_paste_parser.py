"""Bracketed pastes arrive whole whatever they hold (agentconsole.ui.paste.WholePasteParser).

Textual's own parser lets an ESC inside a paste start a key sequence, so the
text after it arrives as typed keys (shown in clear, out of order). These
tests feed the parser the bytes a terminal sends, in one piece and split at
every position, and compare it with Textual's parser on the same input.
"""

from __future__ import annotations

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from agentconsole.ui.paste import WholePasteParser, install

START, END = "\x1b[200~", "\x1b[201~"
CUSTOMER = "Hi, I am John Smith\r\x1b]52;c;ZXZpbA==\x07my card \x1b[2J4111 1111 1111 1111\r\nthanks"


def parse(parser_class: type[XTermParser], *chunks: str) -> list[object]:
    parser = parser_class()
    tokens: list[object] = []
    for chunk in chunks:
        tokens.extend(parser.feed(chunk))
    return tokens


def summary(tokens: list[object]) -> list[tuple[str, str]]:
    out = []
    for token in tokens:
        if isinstance(token, events.Paste):
            out.append(("paste", token.text))
        elif isinstance(token, events.Key):
            out.append(("key", token.key))
    return out


def test_textual_alone_splits_such_a_paste_into_keystrokes() -> None:
    """The bug this module exists for (if Textual fixes it, this test says so)."""
    tokens = summary(parse(XTermParser, START + CUSTOMER + END))
    assert ("paste", CUSTOMER) not in tokens
    assert any(kind == "key" for kind, _ in tokens)


def test_a_paste_with_escape_sequences_arrives_whole() -> None:
    tokens = summary(parse(WholePasteParser, "a" + START + CUSTOMER + END + "b"))
    assert tokens == [("key", "a"), ("paste", CUSTOMER), ("key", "b")]


@pytest.mark.parametrize("cut", range(1, len(START + CUSTOMER + END)))
def test_split_anywhere_across_reads(cut: int) -> None:
    data = START + CUSTOMER + END
    assert summary(parse(WholePasteParser, data[:cut], data[cut:])) == [("paste", CUSTOMER)]


def test_keys_and_ordinary_pastes_parse_as_before() -> None:
    data = "x\x1b[A" + START + "plain text\rline two" + END + "\r\x1b[1;5D"
    assert summary(parse(WholePasteParser, data)) == summary(parse(XTermParser, data))
    assert ("paste", "plain text\rline two") in summary(parse(WholePasteParser, data))


def test_two_pastes_in_a_row_and_an_empty_one() -> None:
    data = START + "one\x1b" + END + START + END + START + "\x1b[31mtwo" + END
    assert summary(parse(WholePasteParser, data)) == [("paste", "one\x1b"), ("paste", ""), ("paste", "\x1b[31mtwo")]


def test_a_lone_escape_key_still_arrives_after_its_timeout() -> None:
    parser = WholePasteParser()
    assert list(parser.feed("\x1b")) == []
    parser._timeout_time = 0  # what the driver's tick does once ESCAPE_DELAY has passed
    assert summary(list(parser.tick())) == [("key", "escape")]


def test_install_replaces_the_parser_of_the_linux_driver() -> None:
    from textual.drivers import linux_driver

    original = linux_driver.XTermParser
    try:
        install()
        assert linux_driver.XTermParser is WholePasteParser
    finally:
        linux_driver.XTermParser = original
