"""Recognizers one by one: parametrized (text, expected spans) cases, no spaCy needed."""

from __future__ import annotations

import pytest

from agentconsole.privacy.linking import linked_mentions, name_parts, person_values_from_email
from agentconsole.privacy.recognizers.model_entities import extend_address
from agentconsole.privacy.recognizers.phones import PhoneMatcherRecognizer, spoken_digits
from agentconsole.privacy.textprep import detection_text, literal_breaks_to_newlines


def _spans(recognizer, text: str, entity: str) -> list[str]:
    return sorted({text[r.start : r.end] for r in recognizer.analyze(text, [entity], None)})


PHONES = PhoneMatcherRecognizer()


def test_phone_regions_are_configurable() -> None:
    text = "see 030 1234567 for details"  # no phone word: only a valid number for a configured region counts
    assert _spans(PhoneMatcherRecognizer(["DE"]), text, "PHONE_NUMBER") == ["030 1234567"]
    assert _spans(PhoneMatcherRecognizer(["US"]), text, "PHONE_NUMBER") == []


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [("oh seven seven double oh nine", "077009"), ("triple five one two", "55512"), ("zero 1 two", "012")],
)
def test_spoken_digits(spoken: str, digits: str) -> None:
    assert spoken_digits(spoken) == digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Street\\nLondon", "Street \nLondon"),
        ("a\\r\\nb", "a   \nb"),
        ("no breaks here", "no breaks here"),
    ],
)
def test_literal_line_breaks_keep_offsets(text: str, expected: str) -> None:
    assert literal_breaks_to_newlines(text) == expected
    assert len(detection_text(text)) == len(text)


def test_detection_text_recases_shouting_only() -> None:
    assert detection_text("PLEASE CALL JOHN SMITH TODAY") == "Please Call John Smith Today"
    assert detection_text("please call john smith today") == "please call john smith today"


@pytest.mark.parametrize(
    ("text", "end_of", "expected_tail"),
    [
        ("27 Seafield Crescent\nDublin 3, D03 K2W7\nThanks", "27 Seafield Crescent", "Dublin 3, D03 K2W7"),
        ("Hauptstraße 5\n10115 Berlin\nDeutschland\n\nBye", "Hauptstraße 5", "Deutschland"),
        ("12 High St\nCan you send it today?", "12 High St", "12 High St"),
    ],
)
def test_address_takes_its_locality_lines(text: str, end_of: str, expected_tail: str) -> None:
    end = extend_address(text, 0, len(end_of))
    assert text[:end].endswith(expected_tail)


@pytest.mark.parametrize(
    ("value", "parts"),
    [("Jonathan Whitaker", ["Jonathan", "Whitaker"]), ("Dr. J. Whitaker", ["Whitaker"]), ("Mr Li", [])],
)
def test_name_parts(value: str, parts: list[str]) -> None:
    assert name_parts(value) == parts


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("jonathan.whitaker@example.com", "Jonathan Whitaker"),
        ("jw1984@example.com", None),
        ("anna_berg@example.org", "Anna Berg"),
        ("support@example.com", None),
    ],
)
def test_person_from_email_local_part(email: str, name: str | None) -> None:
    assert person_values_from_email(email) == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello Jonathan, thanks.", ["Jonathan"]),
        ("Mr Whitaker called back.", ["Whitaker"]),
        ("— J. Whitaker", ["J. Whitaker"]),
        ("JONATHAN called", ["JONATHAN"]),
        ("whitaker is a word here", []),  # lower case: not the name's form
    ],
)
def test_linked_mentions_of_a_known_person(text: str, expected: list[str]) -> None:
    found = linked_mentions(text, ["Jonathan Whitaker"], [])
    assert [text[s:e] for s, e, _ in found] == expected
    assert all(owner == "Jonathan Whitaker" for _, _, owner in found)


def test_a_part_two_people_share_links_to_nobody() -> None:
    text = "Anna called, then Berg."
    found = linked_mentions(text, ["Anna Berg", "Anna Smith"], [])
    assert [text[s:e] for s, e, _ in found] == ["Berg"]
