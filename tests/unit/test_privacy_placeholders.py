"""Placeholders, the case mapping and restore (no models needed)."""

from __future__ import annotations

import pytest

from agentconsole.privacy import CaseMapping, canonicalize, normalize_value, parse_placeholder, restore


def _mapping() -> CaseMapping:
    return CaseMapping.from_entries(
        [
            ("<PERSON_1>", "PERSON", "Anna Berg"),
            ("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "anna.berg@example.org"),
            ("<PHONE_NUMBER_2>", "PHONE_NUMBER", "+1 (555) 010-0199"),
        ]
    )


def test_same_value_gets_same_placeholder_names_and_emails_normalized() -> None:
    mapping = CaseMapping()
    first, new1 = mapping.assign("PERSON", "Anna Berg")
    again, new2 = mapping.assign("PERSON", "  anna   BERG ")
    other, new3 = mapping.assign("PERSON", "Jonas Berg")
    email1, _ = mapping.assign("EMAIL_ADDRESS", "Anna.Berg@Example.org")
    email2, _ = mapping.assign("EMAIL_ADDRESS", "anna.berg@example.org")
    assert (first, new1) == ("<PERSON_1>", True)
    assert (again, new2) == ("<PERSON_1>", False)
    assert (other, new3) == ("<PERSON_2>", True)
    assert email1 == email2 == "<EMAIL_ADDRESS_1>"


def test_phone_numbers_normalized_to_digits() -> None:
    mapping = CaseMapping()
    a, _ = mapping.assign("PHONE_NUMBER", "(555) 010-0199")
    b, _ = mapping.assign("PHONE_NUMBER", "555.010.0199")
    c, _ = mapping.assign("PHONE_NUMBER", "+44 20 7946 0958")
    d, _ = mapping.assign("PHONE_NUMBER", "0044 20 7946 0958")
    e, _ = mapping.assign("PHONE_NUMBER", "020 7946 0958")
    f, _ = mapping.assign("PHONE_NUMBER", "+1 555 010 0199")
    assert a == b == f and c == d == e and a != c


def test_numbering_continues_after_vault_rows() -> None:
    mapping = _mapping()
    placeholder, is_new = mapping.assign("PHONE_NUMBER", "+44 20 7946 0958")
    assert is_new and placeholder == "<PHONE_NUMBER_3>"
    assert mapping.assign("PERSON", "ANNA BERG") == ("<PERSON_1>", False)
    assert mapping.value_of("<person_1>") == "Anna Berg"
    assert mapping.value_of("<PERSON_7>") is None
    assert mapping.placeholders()["<EMAIL_ADDRESS_1>"] == "anna.berg@example.org"


def test_repr_never_shows_values() -> None:
    assert "Anna" not in repr(_mapping())


@pytest.mark.parametrize(
    "damaged",
    ["<PERSON_1>", "<PERSON_1 >", "< PERSON_1>", "[PERSON_1]", "<person_1>", "[person_1 ]", "<PERSON 1>", "<Person-1>"],
)
def test_restore_tolerates_model_damage(damaged: str) -> None:
    assert restore(f"Hello {damaged}, thanks!", _mapping()) == "Hello Anna Berg, thanks!"


def test_restore_leaves_unknown_placeholders_and_brackets_alone() -> None:
    text = "Dear <PERSON_9>, see [1] and <b>bold</b> and [PERSON] and a < b > c, <EMAIL_ADDRESS_1>."
    assert restore(text, _mapping()) == (
        "Dear <PERSON_9>, see [1] and <b>bold</b> and [PERSON] and a < b > c, anna.berg@example.org."
    )


def test_canonicalize_rewrites_known_damaged_forms_only() -> None:
    assert canonicalize("Hi [person_1 ] and [PERSON_5]", _mapping()) == "Hi <PERSON_1> and [PERSON_5]"


def test_parse_and_normalize() -> None:
    assert parse_placeholder("<EMAIL_ADDRESS_2>") == ("EMAIL_ADDRESS", 2)
    assert parse_placeholder("[email_address_2 ]") == ("EMAIL_ADDRESS", 2)
    assert parse_placeholder("EMAIL_ADDRESS_2") is None
    assert normalize_value("IBAN_CODE", "de89 3704 0044") == "DE8937040044"
    assert normalize_value("PERSON", " Anna\n Berg. ") == "anna berg"


def test_from_entries_rejects_malformed_placeholder() -> None:
    with pytest.raises(ValueError):
        CaseMapping.from_entries([("PERSON-1", "PERSON", "x")])
