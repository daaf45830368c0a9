"""Second-stage PERSON checks found wrong in review (issue 11), each with a look-alike that stays a person.

* line starts count as sentence openings and list starts (a ``^`` searched from a line's
  start matched only at the message's start);
* Han, kana and Hangul are told by their Unicode script, not by hard-coded ranges
  (halfwidth katakana, "々", "ー", Hangul jamo were cut off);
* an English word that is also a given name, used as a word: "Will you …", "Hope this helps";
  a form field's label in another language ("Telefone:", "Adresse de livraison :").
"""

from __future__ import annotations

import pytest

from agentconsole.privacy import PrivacyEngine
from agentconsole.privacy.detections import Detection, splits_a_word
from agentconsole.privacy.recognizers.label_context import used_as_label
from agentconsole.privacy.recognizers.model_entities import person_spans
from agentconsole.privacy.recognizers.script_names import refine_other_scripts
from agentconsole.privacy.recognizers.word_shapes import not_a_name_here

_PEOPLE_AND_PLACES = ("PERSON", "STREET_ADDRESS")


def _at(text: str, guess: str) -> tuple[int, int]:
    start = text.index(guess)
    return start, start + len(guess)


# --- line starts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guess", "kept"),
    [
        ("Two things:\n- Forward this to billing", "Forward", False),  # a verb opening a list item
        ("Two things:\nForward this to billing", "Forward", False),  # … or a line
        ("Two things:\n- Anna sent this to billing", "Anna", True),  # a name opening a list item
    ],
)
def test_a_verb_opening_a_line_is_not_a_person(text: str, guess: str, kept: bool) -> None:
    start, end = _at(text, guess)
    assert (person_spans(text, start, end) == [(start, end)]) is kept


@pytest.mark.parametrize(
    ("text", "guess", "label"),
    [
        ("Notes from the call\n2) Budget: approved for Q3", "Budget", True),  # a heading after a list number
        ("Notes from the call\nBudget: approved for Q3", "Budget", False),  # could be a speaker
    ],
)
def test_a_heading_after_a_list_number_on_a_later_line(text: str, guess: str, label: bool) -> None:
    assert used_as_label(text, *_at(text, guess)) is label


def test_an_article_opening_a_list_item_starts_a_noun_phrase() -> None:
    text = "Zwei Sachen:\n- der Drucker druckt nicht"
    start, end = _at(text, "der Drucker")
    assert not_a_name_here(text, start, end, ["der", "drucker"])


def test_an_id_label_at_the_window_start_still_counts() -> None:
    # the label starts exactly where the 30-character window before the value does
    text = "ok\nvoucher:" + " " * 22 + "KLMN is not accepted"
    start = text.index("KLMN")
    assert not not_a_name_here(text, start, start + 4, ["klmn"])  # an id's value: not dropped as an acronym


@pytest.mark.parametrize("text", ["Даша\nПосмотрите, пожалуйста, заказ.", "Привет, Даша!\nПосмотрите заказ."])
def test_a_cyrillic_word_opening_the_next_line_is_not_a_second_name(text: str) -> None:
    start, end = text.index("Даша"), text.index("Посмотрите") + len("Посмотрите")
    assert [text[s:e] for s, e, _ in refine_other_scripts(text, [(start, end, "PERSON")])] == ["Даша"]


# --- scripts written without spaces --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("私はｻﾄｳです。", "ｻﾄｳ"),  # halfwidth katakana
        ("私は佐々木です。", "佐々木"),  # the iteration mark
        ("私はサトーです。", "サトー"),  # the prolonged sound mark
        ("저는ᄀᄋᄉ입니다", "ᄀᄋᄉ"),  # Hangul jamo
    ],
)
def test_unspaced_scripts_by_their_unicode_script(text: str, name: str) -> None:
    start, end = _at(text, name)
    assert not splits_a_word(text, Detection(start, end, "PERSON", 0.8))


def test_latin_next_to_kana_still_splits_a_word() -> None:
    assert splits_a_word("Johnsonｻﾄｳ", Detection(0, 4, "PERSON", 0.8))


# --- words that are also given names; labels in other languages -------------------------------------


@pytest.mark.parametrize(
    ("text", "guess", "label"),
    [
        ("Telefone: +351 912 555 123", "Telefone", True),  # a number follows the colon
        ("Name: Ana Costa\nTeléfono: 612 345 678", "Teléfono", True),
        ("Adresse de livraison :\n12 rue des Lilas", "Adresse", True),  # lower-case words before it
        ("numéro client : 8810 2234 55", "numéro", True),
        ("Anna: hi, is the refund through?", "Anna", False),  # a speaker
        ("Anna wrote:\n> the invoice is wrong", "Anna", False),  # a speaking verb
        ("Anna from billing: the refund is through", "Anna", False),
        ("Maintenance: Tuesday 01:00-03:00 UTC", "Maintenance", True),  # a digit and no lower-case word
        ("Anna: I called at 5pm", "Anna", False),
        ("Anna: 2 more orders failed overnight", "Anna", False),  # a word after the number
        ("Priya: 10:15 works for me", "Priya", False),
        ("Telefone: +351 912 555 123, depois das 18h", "Telefone", True),
        ("Dates: 2025-01-14 to 2025-01-21, 7 nights", "Dates", True),  # a date, then words
        ("Anna schrieb:\n> die Rechnung ist falsch", "Anna", False),  # speaking verbs of other languages
        ("Marie a écrit :\n> la facture est fausse", "Marie", False),
        ("Juan dijo: la factura está mal", "Juan", False),
    ],
)
def test_a_form_label_in_any_language(text: str, guess: str, label: bool) -> None:
    assert used_as_label(text, *_at(text, guess)) is label


def _found(engine: PrivacyEngine, text: str) -> list[str]:
    return [text[d.start : d.end] for d in engine.analyze(text) if d.entity_type in _PEOPLE_AND_PLACES]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Will you be able to send the invoice again?", []),
        ("Thanks for the quick reply. Hope this helps!", []),
        ("Hope you're well. The router is still offline.", []),
        ("Will Turner called about the invoice again.", ["Will Turner"]),  # a second name word
        ("Hope Davies wrote to us about the invoice.", ["Hope Davies"]),  # a finite verb after the name
        ("Please ask Will Turner to call me.", ["Will Turner"]),  # capitalized inside a sentence
        ("Hi Will, the refund went through.", ["Will"]),  # addressed
        ("Telefone: +351 912 555 123", []),
        ("Notes from the portal:\nMaintenance: Tuesday 01:00-03:00 UTC\nAffected: Exports", []),
        ("私はｻﾄｳです。請求書が届きません。", ["ｻﾄｳ"]),
    ],
)
def test_engine(engine: PrivacyEngine, text: str, names: list[str]) -> None:
    assert _found(engine, text) == names
