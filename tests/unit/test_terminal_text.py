"""The one sanitizer for text that leaves for a terminal (agentconsole.terminal_text)."""

from __future__ import annotations

import io
import json
import re

import pytest

from agentconsole.terminal_text import InertStream, echo, inert, json_escape, json_text, line_breaks

#: What customers (or files, or models) can smuggle in: each must reach no terminal raw.
HOSTILE = {
    "osc52_clipboard": "\x1b]52;c;ZXZpbA==\x07",
    "osc0_title": "\x1b]0;owned\x07",
    "clear_screen": "\x1b[2J\x1b[H",
    "osc8_link": "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
    "c1_csi": "\x9b2J\x9b31m",
    "c1_osc": "\x9d0;title\x9c",
    "bidi_override": "abc\u202egnp.exe\u202c",
    "bidi_isolate": "\u2066x\u2069\u2067y\u2069\u2068z\u2069",
    "bell_backspace": "pay\x08\x08\x08\x07now\x7f",
    "cr_overwrite": "transfer 10 EUR\rtransfer 9999 EUR",
}
#: Anything a terminal would act on: C0 (but TAB and LF), DEL, C1, bidi controls, separators.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def assert_inert(shown: str) -> None:
    found = UNSAFE.search(shown)
    assert found is None, f"raw {found.group(0)!r} in {shown!r}"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_hostile_string_is_shown_inert_and_nothing_is_dropped(name: str) -> None:
    text = f"before {HOSTILE[name]} after"
    shown = inert(text)
    assert_inert(shown)
    assert shown.startswith("before ") and shown.endswith(" after")
    # visible, not deleted: every character of the input still has a trace
    assert len(shown) >= len(text.replace("\r", ""))


def test_the_table_one_form_per_kind() -> None:
    assert inert("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    assert inert("\x00\x07\x08\x7f") == "␀␇␈␡"
    assert inert("\x9b2J") == "\\u009b2J"
    assert inert("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert inert("tab\tand\nnewline") == "tab\tand\nnewline"


def test_cr_crlf_and_lf_are_all_line_breaks() -> None:
    assert inert("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert line_breaks("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert inert(HOSTILE["cr_overwrite"]) == "transfer 10 EUR\ntransfer 9999 EUR"


def test_inert_is_idempotent_and_leaves_ordinary_text_alone() -> None:
    ordinary = "Grüße, Zoë — naïve café ☕ 日本語 [not markup] <PERSON_1>"
    assert inert(ordinary) == ordinary
    for text in HOSTILE.values():
        assert inert(inert(text)) == inert(text)


def test_json_escapes_c1_and_bidi_losslessly() -> None:
    record = {name: value for name, value in HOSTILE.items()}
    document = json_text(record, indent=2)
    assert_inert(document)
    assert "\\u009b" in document and "\\u202e" in document
    assert json.loads(document) == record  # the data itself is unchanged
    assert json_escape(json.dumps({"x": "\x9b"}, ensure_ascii=False)) == '{"x": "\\u009b"}'


def test_the_visible_form_of_c1_is_the_json_escape() -> None:
    """The console and JSON output show U+009B the same way."""
    assert inert("\x9b") in json_text("\x9b")


def test_echo_writes_inert_text() -> None:
    out = io.StringIO()
    echo(f"customer {HOSTILE['osc52_clipboard']}", file=out)
    assert out.getvalue() == "customer ␛]52;c;ZXZpbA==␇\n"


def test_a_stream_keeps_a_split_crlf_as_one_line_break() -> None:
    stream = InertStream()
    pieces = ["one\r", "\ntwo\r", "three", "\x1b[2", "J\r"]
    shown = "".join(stream.feed(p) for p in pieces) + stream.flush()
    assert shown == "one\ntwo\nthree␛[2J\n"
