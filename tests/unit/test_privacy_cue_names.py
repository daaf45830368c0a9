"""The strict cue rule for one-word names the NER does not propose (``recognizers/cue_names.py``).

Pure grammar, no model: each case marks the expected names with [brackets]; a case
without brackets must yield no name. All names are invented for these tests.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.cue_names import CueNameRecognizer


def _found(marked: str) -> tuple[list[str], list[str]]:
    text = marked.replace("[", "").replace("]", "")
    expected = []
    rest = marked
    while "[" in rest:
        expected.append(rest[rest.index("[") + 1 : rest.index("]")])
        rest = rest[rest.index("]") + 1 :]
    found = sorted(text[r.start : r.end] for r in CueNameRecognizer().find(text, None))
    return found, sorted(expected)


@pytest.mark.parametrize(
    "marked",
    [
        "Hi [Zorvinne], the parcel arrived damaged.",
        "Dear [Quelbrin],\nyour refund is on its way.",
        "Hello [Ardestia]!",
        "Thanks for the quick fix.\n\nThanks,\n[Morwick]",
        "Kind regards,\n[Talvessa]",
        "hello, my name is [Brannoch] and I cannot log in",
        "This is [Ostrava] from the payroll office, quick question.",
        "[Pellimore] here, the router is blinking red again.",
        "Could you ask [Dumaresq] about the invoice?",
        "Please tell [Yanvelle] the dock works now.",
        "cc [Orrindel], who owns the contract",
        "I'll loop in [Ferrabie] who manages the firewall.",
        "Can I speak with [Sulvarre]? She knows our setup.",
        "Our manager [Kethrin] needs a copy of the invoice.",
        "Dear [Jun],\nthe replacement ships today.",  # a calendar word a greeting addresses is a given name
    ],
)
def test_names_in_person_positions(marked: str) -> None:
    found, expected = _found(marked)
    assert found == expected


@pytest.mark.parametrize(
    "marked",
    [
        "Hi Team, the release is out.",  # a grammar/support word
        "Dear Customer,\nyour order shipped.",
        "We were told Nonprofit pricing applies automatically.",  # a lower-case noun after: a thing's name
        "Spoke to Warehouse, parcel was mis-sorted.",  # a team is spoken to as well
        "Ticket assigned to Networks.",
        "Please tell Sales the quote expired.",
        "Ask Zendrix to sync, then ask zendrix again.",  # the same word in lower case: not a name
        "Hi Monday, ",  # a calendar word
        "Please tell May the news.",  # a calendar word that no greeting or introduction addresses
        "The Portal said nothing about the error.",  # "the Portal": a thing
        "HI TEAM, ASK ZORBEL TODAY",  # shouting: every word is capitalized
        "Click Settings, then tell Brollo.exe to restart",  # not a word on its own
        "I contacted Zentrix twice and Vorlandia said the license is fine.",  # firms speak too
    ],
)
def test_no_name_where_the_evidence_says_thing(marked: str) -> None:
    found, expected = _found(marked)
    assert found == expected
