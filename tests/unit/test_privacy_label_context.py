"""A PERSON guess that is a label, feature or plan is dropped; the same shapes with a person stay.

``used_as_label(text, start, end)`` is grammar only (verbs of the user interface,
plural agreement, plan changes, quoted error messages, word endings, time zones),
no names: each positive has a look-alike where a person sits in the same place.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.label_context import used_as_label


def _check(text: str, guess: str) -> bool:
    start = text.index(guess)
    return used_as_label(text, start, start + len(guess))


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("Open the Mail app, tap Forget Device and pair it again.", "Forget Device"),  # a verb of the UI
        ("Go to Storage, then select Archive and confirm.", "Archive"),
        ("After we enabled Consent Banner the chat widget vanished.", "Consent Banner"),
        ("Clicking on Publish does nothing since the update.", "Publish"),
        ("Safety Filters are switched off after every reboot.", "Safety Filters"),  # a plural verb
        ("Since the last update Reminders were not sent at all.", "Reminders"),
        ("We'd like to upgrade from Starter to Meridian next month.", "Meridian"),  # a change of plan
        ("Can I downgrade my subscription to Lite without losing data?", "Lite"),
        ('The upload fails with "Storage Quota Reached" at 80%.', "Storage Quota Reached"),  # a quoted error
        ('Error: "Gateway Timeout" on every second request.', "Gateway Timeout"),
        ("Can you switch off Fraud Protection for test cards?", "Fraud Protection"),  # a word ending
        ("Maintenance window: Sunday 02:00-04:00 CET, no downtime expected.", "CET"),  # a time zone
        ("Regards,\nWarehousing", "Warehousing"),  # a long gerund
        ("- Reinstall Companion\n- Sign in again", "Reinstall Companion"),  # a verb opens the guess
        ("Please reboot Orion before the next sync.", "Orion"),  # a verb for software
        ("Payments show as pending until they Clear.", "Clear"),  # after a subject pronoun: a verb
        ("The order tile says Dispatched, but nothing came.", "Dispatched"),  # a status on a screen
        ('The driver setup gives "Unsigned Package" and stops.', "Unsigned Package"),
        ("Review moved to Friday. Scope: exports and the new tags.", "Scope"),  # a heading after a sentence
        ("2. Rollout: Leeds first, then the rest.", "Rollout"),  # a heading after a list number
        ("Calls are cheaper at Off-Peak times.", "Off-Peak"),  # a function word in a hyphenated word
    ],
)
def test_label(text: str, guess: str) -> None:
    assert _check(text, guess)


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("Select Anna as the approver and save the workflow.", "Anna"),  # a person picked for a role
        ("Hi Priya, are you still there?", "Priya"),  # "are you": a question to the person
        ("Priya are you still there?", "Priya"),
        ("Anna and Bilal are both admins now.", "Bilal"),  # the last of a list of people
        ("Tomasz, Ines and Kwame were on the call.", "Kwame"),
        ("I spoke to Kwame Mensah yesterday about the upgrade.", "Kwame Mensah"),
        ('The card holder reads "Maria Lopez" but the account is mine.', "Maria Lopez"),  # no error word
        ("Best wishes,\nJohn Clements", "John Clements"),  # "-ments" after only three letters: a surname
        ("Call back at 10:30 Jonas, he is in a meeting.", "Jonas"),  # after a time, but not in capitals
        ("Upgraded by Lena yesterday, thanks!", "Lena"),
        ("Regards,\nSterling", "Sterling"),  # "-ing" after only five letters
        ("Could you reset Jonas's password today?", "Jonas"),  # a possessive after a software verb
        ("Kwame says Anna will call back later.", "Anna"),  # after "says", but not a status ending its clause
        ("Anna: the export is empty again", "Anna"),  # a speaker opens the line
        ("FYI Catherine: the account holder changed.", "Catherine"),
        ("Ji-Woo and Do-Yun joined the call.", "Do-Yun"),  # short parts of a hyphenated given name
    ],
)
def test_not_a_label(text: str, guess: str) -> None:
    assert not _check(text, guess)
