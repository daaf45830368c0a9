"""Terminal and paste debris around PII: escape sequences, controls, bidi and zero-width characters.

The real engine must mask the value and keep every other character of the input
(a colour code, a bell, a bidi mark is not PII and must not vanish with the name).
"""

from __future__ import annotations

import pytest

from agentconsole.config import PrivacySettings
from agentconsole.privacy import CaseMapping, PrivacyEngine, restore
from agentconsole.privacy.textprep import Squeezed, detection_text, split_invisible

RED, RESET = "\x1b[31m", "\x1b[0m"
BOLD_RED = "\x1b[1;31m"
OSC_TITLE, BEL, ST = "\x1b]0;", "\x07", "\x1b\\"
RLO, LRO, PDF = "\u202e", "\u202d", "\u202c"
ZWJ, ZWSP = "\u200d", "\u200b"

# (entity type, value) and the text around it; {v} is the value as written, wrappers included.
VALUES = [
    ("PERSON", "John Smith"),
    ("EMAIL_ADDRESS", "maria.lopez@example.org"),
    ("PHONE_NUMBER", "+1 (555) 010-0199"),
]
SENTENCES = {
    "PERSON": "Hello\nI am {v}\nmy mail",
    "EMAIL_ADDRESS": "Please write to {v} tomorrow.",
    "PHONE_NUMBER": "You can call me on {v} after six.",
}
WRAPPERS = {
    "ansi_colour": (RED, RESET),
    "ansi_bold_colour": (BOLD_RED, RESET),
    "osc_title_bel": (OSC_TITLE + "support" + BEL, ""),
    "osc_title_st": (OSC_TITLE + "term" + ST, ST),
    "bel_both_sides": (BEL, BEL),
    "rlo": (RLO, PDF),
    "lro": (LRO, PDF),
    "zero_width_joiners": (ZWJ, ZWJ),
    "zero_width_spaces": (ZWSP, ZWSP),
    "c1_csi": ("\x9b32m", "\x9b0m"),
}


@pytest.fixture(scope="module")
def engine() -> PrivacyEngine:
    return PrivacyEngine.from_settings(PrivacySettings())


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def _check(engine: PrivacyEngine, text: str, values: list[str]) -> str:
    masked = engine.mask(text, CaseMapping()).masked
    for value in values:
        visible, _ = split_invisible(value)
        assert visible not in masked
        for word in visible.replace("@", " ").replace(".", " ").split():
            if len(word) >= 4 and word.isalpha():
                assert word not in masked
    rest = text
    for value in values:  # debris inside a value goes with it; debris around it stays
        rest = rest.replace(value, "")
    assert _is_subsequence(rest, masked), "a non-PII character of the input is missing"
    return masked


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize(("entity_type", "value"), VALUES)
def test_wrapped_values_are_masked_and_the_rest_is_kept(
    engine: PrivacyEngine, wrapper: str, entity_type: str, value: str
) -> None:
    before, after = WRAPPERS[wrapper]
    text = SENTENCES[entity_type].format(v=before + value + after)
    masked = _check(engine, text, [value])
    assert f"<{entity_type}_1>" in masked


@pytest.mark.parametrize(
    "text, values",
    [
        ("Hello\n\x1b[31mI am John Smith\x1b[0m\nmy mail", ["John Smith"]),
        ("Name:\x1b[31mJohn Smith\x1b[0m", ["John Smith"]),
        ("Hello I am John\x07 Smith, thanks", ["John\x07 Smith"]),
        ("I am J\u200dohn Sm\u200bith and my number is 555-010-0199", ["J\u200dohn Sm\u200bith", "555-010-0199"]),
        ("Write to maria\u200b.lopez@exa\u200dmple.org please", ["maria\u200b.lopez@exa\u200dmple.org"]),
        (
            "\x1b]8;;https://example.org\x1b\\John Smith\x1b]8;;\x1b\\ asked for a refund",
            ["https://example.org", "John Smith"],
        ),
    ],
)
def test_debris_inside_values(engine: PrivacyEngine, text: str, values: list[str]) -> None:
    _check(engine, text, values)


def test_a_name_in_a_window_title_is_masked_and_the_title_marker_kept(engine: PrivacyEngine) -> None:
    text = "\x1b]0;Ticket for John Smith\x07Hello, how can I help?"
    masked = _check(engine, text, ["John Smith"])
    assert masked.startswith("\x1b]0;Ticket for <PERSON_1>\x07Hello")


def test_debris_inside_a_value_does_not_make_another_person(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    text = "Hello I am John\x07 Smith\u200d, thanks"
    result = engine.mask(text, mapping)
    assert [row[2] for row in result.new_entries] == ["John\x07 Smith"]  # restore gives the input back
    assert restore(result.masked, mapping) == text
    again = engine.mask("J\u200dohn Smith called again", mapping)
    assert again.masked == "<PERSON_1> called again" and again.new_entries == []


def test_squeezed_offsets_map_back_to_the_original() -> None:
    text = "a\x1b[31mJohn\u200dny\x07Smith\x1b[0m b"
    squeezed = Squeezed(text)
    assert squeezed.text == "a John ny Smith b".replace("John ny", "Johnny")
    start = squeezed.text.index("Johnny")
    end = start + len("Johnny Smith")
    orig_start, orig_end = squeezed.to_original(start, end)
    assert text[orig_start:orig_end] == "John\u200dny\x07Smith"
    plain = Squeezed("no debris here")
    assert plain.text == "no debris here" and plain.to_original(3, 9) == (3, 9)


def test_detection_text_blanks_debris_keeping_length() -> None:
    text = "\x1b[1;31mJohn\x1b[0m\x07 \u202eSmith\x9b0m"
    prepared = detection_text(text)
    assert len(prepared) == len(text)
    assert prepared.split() == ["John", "Smith"]
    assert detection_text("\x1bJohn") == " John"  # a lone ESC never eats a letter
