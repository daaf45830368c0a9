"""The second-stage check for one-word PERSON guesses: is there evidence around the word?

``has_person_context(text, start, end)`` is pure grammar (no model, no name list):
each case marks the word with [brackets] and says whether the context shows a person.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.person_context import has_person_context


def _check(marked: str) -> bool:
    start = marked.index("[")
    end = marked.index("]") - 1
    text = marked.replace("[", "").replace("]", "")
    return has_person_context(text, start, end)


@pytest.mark.parametrize(
    "marked",
    [
        "Hi [Jessica], thanks for waiting.",
        "ok [Jessica] ill wait",
        "my name is [Olavi]",
        "this is [Quinn], I called about the router",
        "Please ask for [Horacio] at the front desk.",
        "I spoke to [Tomasz] yesterday.",
        "Passed to [Vilém] (tier 2).",
        "[Dante] said the refund was approved.",
        "[Sarah] on leave until Friday.",
        "Is [Martin] available?",
        "Mr. [Núñez] disputes the charge.",
        "I'm A. [Eriksen], account holder.",
        "Thanks,\n[Marta]",  # a one-word sign-off
        "[Anna]: hi, the app crashed",  # a chat speaker
        "[Anna] (customer): still broken",
        "It's for my daughter [Zeynep].",
        "Can [Pijus] also manage the account?",
        "Dear Yusuf [Volkov], your case has been escalated.",  # beside another capitalized word
        "[Priya] called twice today. [Priya] wants a refund.",  # a second mention
        "Left a voicemail for [Teresa].",
        "Kunde: [Anna]\nTicket: 4471",  # a form field that holds a person
        "Assignee: [Jonas]",
        "Von: [Jonas]\nAn: Support",  # an e-mail header
    ],
)
def test_context_says_person(marked: str) -> None:
    assert _check(marked)


@pytest.mark.parametrize(
    "marked",
    [
        "Exporting data to [Excel]: go to Reports, choose the date range.",
        "Hey, is [Pastebin] blocked on the guest Wi-Fi?",
        "Yes for both, on Stripe and [Adyen] accounts.",
        "Updated translations for Portuguese and [Korean].",
        "Sure! [Orlando] is a general layout; swap the images.",
        "We support 3.0 and later. [Recommended] upgrading next quarter.",
        "Kategorie: [Technik]\nProdukt: Mobile App",  # a form field whose label is not about a person
        "Mabuhay! [Salamat] po sa mabilis na tulong.",
        "Why is my invoice higher? [Seats] added during the month are charged pro rata.",
        "[Natürlich]! Unter Profil > Sprache können Sie Deutsch auswählen.",
    ],
)
def test_no_context_for_a_person(marked: str) -> None:
    assert not _check(marked)
