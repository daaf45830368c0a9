"""Account numbers after other languages' form labels, ids in groups, and phones as they are pasted (issue 11)."""

from __future__ import annotations

import pytest

from agentconsole.privacy import PrivacyEngine
from agentconsole.privacy.recognizers.identifiers import AccountNumberRecognizer
from agentconsole.privacy.recognizers.phones import PhoneMatcherRecognizer


def _accounts(text: str) -> list[str]:
    return sorted({text[r.start : r.end] for r in AccountNumberRecognizer().find(text, None)})


def _phones(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in PhoneMatcherRecognizer().matches(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Meine Vertragsnummer lautet QX-40917-22.", "QX-40917-22"),
        ("N° de commande : FB-2031-77410", "FB-2031-77410"),
        ("Número de pedido: ES-60213-8", "ES-60213-8"),
        ("Ordernummer: NL-552-90317", "NL-552-90317"),
        ("codice cliente: KT-0093-5521", "KT-0093-5521"),
        ("Numer zamówienia: ZW/2023/00417", "ZW/2023/00417"),
        ("číslo objednávky SK-7730-118", "SK-7730-118"),
        ("klienta numurs: LV-00388-41", "LV-00388-41"),
        ("asiakasnumero AS-7731-02", "AS-7731-02"),
        ("My membership number is MBR 6120 4409.", "MBR 6120 4409"),
        ("account: qa71 zb30 pc94", "qa71 zb30 pc94"),
        ("Booking reference: r4tn8w (lower case, sorry)", "r4tn8w"),
        ("hey, any news on #583120?", "#583120"),
        ("my account is Q7WKZM2", "Q7WKZM2"),
    ],
)
def test_account_numbers_after_their_labels(text: str, value: str) -> None:
    assert value in _accounts(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Order 4471 yesterday", "4471"),  # a word after a space-separated number is no part of it
        ("Número de pedido: ES-60213-8", "ES-60213-8"),  # "es" is a connecting word only when it stands alone
    ],
)
def test_account_number_span_ends(text: str, value: str) -> None:
    assert _accounts(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "The booking reference is below.",
        "booking confirmation attached",
        "Build #45213 is green.",
        "Fixed in PR #20417 last week.",
        "Merged duplicate tickets #60021 and #60022.",
        "Step #10234 of the migration",
    ],
)
def test_no_account_number(text: str) -> None:
    assert _accounts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tel. +41\u00a044\u00a0668\u00a018\u00a000 thanks", "+41\u00a044\u00a0668\u00a018\u00a000"),
        ("Portable : 06\u202f12\u202f34\u202f56\u202f78", "06\u202f12\u202f34\u202f56\u202f78"),
        ("Hotline +44 20 7946\u20130958 (UK)", "+44 20 7946\u20130958"),
        ("Call +1 415 555 0132 (ext. 12) today.", "+1 415 555 0132 (ext. 12)"),
        ("Direct: +1 415 555 0199, ext. 7", "+1 415 555 0199, ext. 7"),
        ("Switchboard +44 161 496 0000 #204", "+44 161 496 0000 #204"),
    ],
)
def test_phones_as_pasted(text: str, value: str) -> None:
    assert _phones(text) == [value]


def test_kb_article_number_is_no_phone() -> None:
    assert _phones("See KB article 4021133 for the workaround.") == []


def test_form_label_outranks_a_name_guess(engine: PrivacyEngine) -> None:
    text = "Meine Vertragsnummer lautet QX-40917-22."
    found = [(text[d.start : d.end], d.entity_type) for d in engine.analyze(text)]
    assert ("QX-40917-22", "ACCOUNT_NUMBER") in found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Order 4402 3 days ago", "4402"),
        ("case 1 2 3 happened", None),
    ],
)
def test_a_one_character_group_is_no_part_of_an_id(text: str, value: str | None) -> None:
    assert _accounts(text) == ([value] if value else [])
