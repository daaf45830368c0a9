"""A one-word PERSON guess used as a thing or a place is dropped; the same words used for people stay.

``used_as_thing(text, start, end)`` is grammar only (articles, place prepositions,
nouns for kinds of things, quotes), no names: each positive has a look-alike where
the same word is a person.
"""

from __future__ import annotations

import pytest

from agentconsole.privacy.recognizers.thing_context import used_as_thing


def _check(text: str, word: str) -> bool:
    start = text.index(word)
    return used_as_thing(text, start, start + len(word))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Yes, the Albert is the two-seater of the same range.", "Albert"),  # after an article
        ("Is Madison available in the EU yet? We'd host the Madison cluster there.", "Madison"),  # 2nd mention
        ("I picked the Aurora theme, the header is unreadable.", "Aurora"),
        ("Does Harper include API access or only Harper Plus?\nHarper plan page says no.", "Harper"),  # thing noun
        ("Can the Chester sofa come in oak?", "Chester"),
        ("Winston is the default, but you can upload your own fonts.", "Winston"),  # a thing's predicate
        ("Grace is discontinued, use the newer router.", "Grace"),
        ("Sierra and Ventura are no longer supported by the app.", "Sierra"),  # a subject with others
        ("The supplier in Porto has delays.", "Porto"),  # a place preposition
        ("Our kiosks across Leeds run 2.3.9.", "Leeds"),
        ('The VPN drops with "Gateway unreachable" every hour.', "Gateway"),  # a short quoted message
        ("Set `Jasmine` as the runner in the config.", "Jasmine"),  # inline code
    ],
)
def test_a_word_used_as_a_thing_or_place(text: str, word: str) -> None:
    assert _check(text, word)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Albert called about the two-seater.", "Albert"),
        ("Madison asked whether the cluster is ready.", "Madison"),
        ("Does Harper plan to renew the contract?", "Harper"),  # "plan" as a verb
        ("Winston is the account owner.", "Winston"),  # a person's predicate
        ("Please loop in Porto from billing.", "Porto"),  # a verb that brings a person in
        ("I'm in Anna's team.", "Anna"),  # a possessive is a person's
        ("The Smith family moved last month.", "Smith"),  # a family is people
        ('She wrote "Thanks Anna, all sorted" in the chat.', "Anna"),  # a quote that addresses a person
        ('"Error 42" came first, then Anna called.', "Anna"),  # after a closed quote, not inside one
        ("Grace said the router was discontinued.", "Grace"),
        ("Sierra and Tom are not available today.", "Sierra"),  # a predicate people take
    ],
)
def test_the_same_words_used_for_people_stay(text: str, word: str) -> None:
    assert not _check(text, word)


def test_one_word_of_a_quoted_label_is_no_surname() -> None:
    # the model took "Exceeded" alone: "Quota" beside it in the quote does not make it a full name
    assert _check('Error "Quota Exceeded" when uploading.', "Exceeded")
    assert not _check('She signed as "Anna", then logged out.', "Anna")  # a person cue inside the quote's line


@pytest.mark.parametrize(
    ("text", "word", "thing"),
    [
        ("Can Juniper (our chatbot) answer refund questions?", "Juniper", True),  # a thing's noun in apposition
        ("We launched Tessa, our new whiteboard.", "Tessa", True),
        ("I'm Tessa, the new office manager.", "Tessa", False),  # the noun goes on: a person's role
        ("The Lagos and Austin data centres are patched first.", "Lagos", True),  # a conjunct before a thing's noun
        ("Anna and Bilal called about the data export.", "Anna", False),
        ("My Falcon remote won't pair with the soundbar.", "Falcon", True),  # a UI or device noun after it
        ("Breakfast isn't showing on the booking.", "Breakfast", True),
        ("Priya isn't showing up in the directory.", "Priya", False),  # "showing up": a person can
    ],
)
def test_apposition_conjuncts_and_device_nouns(text: str, word: str, thing: bool) -> None:
    assert _check(text, word) is thing
