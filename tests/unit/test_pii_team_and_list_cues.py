"""Second-stage PERSON rules of issue 11's fourth precision round, each with a look-alike.

* a capitalized word after a word that takes a person ("could", "to", "ask", "emailed" …) and
  followed by "from/in/at <team>" is a person, also a
  modal verb or "hope" ("Could Will from your Billing team call me"), and so is one opening a
  sentence when a speaking verb follows the team ("Marek from Sales says …"); a product "in
  Teams", "Will you …" and a speaking verb alone ("Kindle says …": firms speak too) are not;
* one item of a list whose neighbour the model reads as a place or firm is not a person
  ("Orders from Zürich and Genève"); "Anna and Bob" are both people to it;
* the first word of a two-word greeting or closing in another language ("Cu stimă,", "Xin
  chào!") is not a name; before an English courtesy word it may be ("ok Priya thanks");
* a German noun after "im", "zum", "beim" … in a line with a German article is no name ("der
  Drucker im Flur"); "hi im Kalinda" is the chat spelling of "I'm";
* the speaking verbs the person and label checks share (``lexicon.py``) make "Anna rang:" a
  speaker, not a form field's label.

Sentences and names are invented for these tests.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy import PrivacyEngine
from agentconsole.privacy.recognizers.cue_names import CueNameRecognizer
from agentconsole.privacy.recognizers.label_context import used_as_label
from agentconsole.privacy.recognizers.person_context import has_person_context, verb_as_name
from agentconsole.privacy.recognizers.places import listed_with_places
from agentconsole.privacy.recognizers.word_shapes import not_a_name_here


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _cue_names(text: str) -> list[str]:
    return sorted(text[r.start : r.end] for r in CueNameRecognizer().find(text, None))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Could Will from your Billing team call me tomorrow?", ["Will"]),
        ("Please send the contract to Hope in our Legal team.", ["Hope"]),
        ("Can you ask Ottoline from billing to ring me back?", ["Ottoline"]),
        ("I emailed Ottoline in the Returns team twice.", ["Ottoline"]),
        ("I spoke to Radomir at the front desk yesterday.", ["Radomir"]),
        ("Marek from Sales says the quote is still valid.", ["Marek"]),
        ("Will from the Payroll team told me to reply here.", ["Will"]),
        # look-alikes
        ("Will you ask someone from billing to call me?", []),
        ("Hope this helps, the Legal team has the file.", []),
        ("We would like to test Copilot in Teams next week.", []),
        ("Kindle says the book is not available in my region.", []),
        ("Updates from the Billing team arrive every Monday.", []),  # opens a sentence, no speaking verb
        ("We got Feedback from the Sales team yesterday.", []),  # after a verb that takes a thing
        ("Can someone check Payroll in the HR department?", []),
        ("Mark as resolved once someone from billing replies.", []),
    ],
)
def test_a_member_of_a_team_is_a_person(text: str, names: list[str]) -> None:
    assert _cue_names(text) == names


def test_a_modal_verb_from_a_team_is_a_given_name() -> None:
    text = "Could Will from your Billing team call me tomorrow?"
    assert verb_as_name(text, *_at(text, "Will"))


@pytest.mark.parametrize(
    ("text", "guess", "neighbour", "listed"),
    [
        ("Orders from Lindholm and Veyrac go through the Swiss entity.", "Veyrac", "Lindholm", True),
        ("We run three shops (Ostby, Marrow and Quenby) on one account.", "Quenby", "Ostby, Marrow", True),
        ("Quenby, Ostby or Marrow: all three stores are closed.", "Quenby", "Ostby", True),
        ("Ticket from Lindholm, reported by Veyrac on Monday.", "Veyrac", "Lindholm", False),  # no list joint
        ("Veyrac from Lindholm called about the invoice.", "Veyrac", "Lindholm", False),
        ("The parcel went to Lindholm and Veyrac signed for it.", "Veyrac", "Lindholm", False),  # a new clause
        ("It is in Lindholm and Veyrac will collect it.", "Veyrac", "Lindholm", False),
    ],
)
def test_an_item_of_a_list_of_places(text: str, guess: str, neighbour: str, listed: bool) -> None:
    assert listed_with_places(text, *_at(text, guess), [_at(text, neighbour)]) is listed


@pytest.mark.parametrize(
    ("text", "guess", "dropped"),
    [
        ("Bună ziua,\nfactura nu a sosit.\n\nCu stimă,\nContabilitate", "Cu", True),
        ("Xin chào, tôi không đăng nhập được.", "Xin", True),
        ("Sehr geehrte Damen und Herren,\nbitte prüfen.\nHerzliche Grüße\nBerit", "Herzliche", True),
        ("ok Priya thanks", "Priya", False),  # an English courtesy word after a name
        ("I told Svea ciao at the door.", "Svea", False),  # not the first word of its sentence
        # a German noun after a preposition fused with its article, in a German line
        ("Der Scanner im Lager liest keine Etiketten.", "Lager", True),
        ("Die Rechnung liegt beim Steuerbüro.", "Steuerbüro", True),
        ("hi im Kalinda and my order is late", "Kalinda", False),  # the chat spelling of "I'm"
    ],
)
def test_the_first_word_of_a_foreign_greeting_or_closing(text: str, guess: str, dropped: bool) -> None:
    start, end = _at(text, guess)
    assert not_a_name_here(text, start, end, [guess.casefold()]) is dropped


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Anna rang:\n> the parcel never came", False),  # an irregular speaking verb: a speaker
        ("Anna spoke:\n> the parcel never came", False),
        ("Adresse de livraison :\n12 rue des Lilas", True),  # still a form label
    ],
)
def test_shared_speaking_verbs_make_a_speaker(text: str, label: bool) -> None:
    guess = text.split()[0]
    assert used_as_label(text, *_at(text, guess)) is label


def test_shared_speaking_verbs_are_person_context() -> None:
    text = "Quenby emailed the form back yesterday."
    assert has_person_context(text, *_at(text, "Quenby"))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Could Will from your Billing team call me", ["Will"]),
        ("send it to Hope in our Legal team", ["Hope"]),
        ("Will you send it again?", []),
        ("Hope this helps", []),
        ("Mark as resolved", []),
        ("Orders from Zürich and Genève go through the Swiss entity.", []),
        ("Anna and Bob are on the call.", ["Anna", "Bob"]),
        ("The order went to Lisbon and Maria signed for it.", ["Maria"]),
        ("Can the kiosk show English and Welsh at the same time?", []),  # a language beside it
        ("Bună ziua,\nfactura nu a sosit.\n\nCu stimă,\nDepartamentul Financiar", []),
    ],
)
def test_engine(engine: PrivacyEngine, text: str, names: list[str]) -> None:
    found = [text[d.start : d.end] for d in engine.analyze(text) if d.entity_type == "PERSON"]
    assert found == names
