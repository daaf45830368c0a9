"""Country names used as places are not people; the same names used for people still can be."""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.places import country_names, used_as_place


def _check(text: str, word: str) -> bool:
    start = text.index(word)
    return used_as_place(text, start, start + len(word))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Ovens are only delivered within Germany and Austria.", "Austria"),
        ("Ovens are only delivered within Germany and Austria.", "Germany"),
        ("Shipping to Austria or Switzerland takes a week.", "Switzerland"),
        ("Shipping to Austria or Switzerland takes a week.", "Austria"),
        ("Our stores in Ireland, Portugal and Spain are open.", "Portugal"),
        ("We ship across Canada.", "Canada"),
    ],
)
def test_a_country_name_among_places_is_a_place(text: str, word: str) -> None:
    assert _check(text, word)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Please send it to Jordan in accounts.", "Jordan"),
        ("A message from Chad about the refund.", "Chad"),
        ("Hi Jordan, thanks for waiting.", "Jordan"),
        ("Jordan said the parcel was late.", "Jordan"),
        ("Shipping to Austria takes a week.", "Austria"),  # no place cue: the model's guess stands
        ("Anna and Austria", "Anna"),  # not a country name
    ],
)
def test_without_a_place_cue_the_guess_stands(text: str, word: str) -> None:
    assert not _check(text, word)


def test_the_names_come_from_libphonenumber() -> None:
    names = country_names()
    assert {"austria", "germany", "ireland", "jordan"} <= names
    assert all(" " not in name for name in names)
