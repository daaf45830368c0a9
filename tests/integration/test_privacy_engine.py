"""The real engine: offline Presidio + spaCy + our recognizers, policy and masking."""

from __future__ import annotations

import itertools
import socket

import pytest

from agentconsole import airgap
from agentconsole.config import CustomRecognizer, PrivacySettings
from agentconsole.errors import EgressRefused
from agentconsole.privacy import CaseMapping, Detection, PrivacyEngine, resolve_overlaps, restore
from agentconsole.privacy.engine import NER_LABELS_IGNORED, PrivacyEngineError, load_spacy


@pytest.fixture(scope="module")
def engine() -> PrivacyEngine:
    return PrivacyEngine.from_settings(PrivacySettings())


def _found(engine: PrivacyEngine, text: str) -> list[tuple[str, str]]:
    return [(text[d.start : d.end], d.entity_type) for d in engine.analyze(text)]


def test_loads_offline_under_the_guard_and_refuses_downloads() -> None:
    assert airgap.is_active()
    import spacy.cli

    with pytest.raises(EgressRefused):
        spacy.cli.download("en_core_web_sm")
    with pytest.raises(EgressRefused):
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    import tldextract

    # the bundled snapshot answers without fetching the public suffix list
    assert tldextract.extract("https://support.example.co.uk/x").suffix == "co.uk"


def test_missing_spacy_model_is_one_clear_error_not_a_download() -> None:
    with pytest.raises(PrivacyEngineError, match="not installed"):
        load_spacy("en_core_web_nonexistent_model")


def test_mask_replaces_and_reports_offsets_into_original(engine: PrivacyEngine) -> None:
    text = (
        "Hi, my name is Priya Raghunathan, phone (555) 010-0142, email priya.r@example.com. "
        "I live at 42 Elm Street, Springfield, IL 62704."
    )
    mapping = CaseMapping()
    result = engine.mask(text, mapping)
    for entity in result.entities:
        assert result.masked.count(entity.placeholder) >= 1
    types = {(text[e.start : e.end], e.entity_type) for e in result.entities}
    assert ("Priya Raghunathan", "PERSON") in types
    assert ("(555) 010-0142", "PHONE_NUMBER") in types
    assert ("priya.r@example.com", "EMAIL_ADDRESS") in types
    assert ("42 Elm Street, Springfield, IL 62704", "STREET_ADDRESS") in types
    assert "Priya" not in result.masked and "Elm" not in result.masked
    assert restore(result.masked, mapping) == text
    assert {row[0] for row in result.new_entries} == {e.placeholder for e in result.entities}


def test_placeholders_stable_across_turns(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    first = engine.mask("This is Jonas Lindqvist, my email is jonas.l@example.org", mapping)
    second = engine.mask("jonas lindqvist again. Email: JONAS.L@EXAMPLE.ORG. My colleague Mei Tanaka too.", mapping)
    assert "<PERSON_1>" in first.masked and "<EMAIL_ADDRESS_1>" in first.masked
    assert second.masked.startswith("<PERSON_1> again. Email: <EMAIL_ADDRESS_1>.")
    assert "<PERSON_2>" in second.masked
    assert [row[0] for row in second.new_entries] == ["<PERSON_2>"]


def test_existing_placeholders_in_input_are_not_masked_again(engine: PrivacyEngine) -> None:
    mapping = CaseMapping.from_entries([("<PERSON_1>", "PERSON", "Anna Berg")])
    result = engine.mask("Thanks <PERSON_1>, ticket <ACCOUNT_NUMBER_12> is closed.", mapping)
    assert result.masked == "Thanks <PERSON_1>, ticket <ACCOUNT_NUMBER_12> is closed."


def test_ner_label_filter_is_explicit_and_orgs_countries_weekdays_stay(engine: PrivacyEngine) -> None:
    assert {"ORG", "CARDINAL", "MONEY", "PRODUCT"} <= set(NER_LABELS_IGNORED)
    text = "I ordered from Microsoft in Germany on Monday for $300, two items, yesterday."
    assert engine.analyze(text) == []


def test_nhs_recognizer_off_by_default_and_phone_not_misread(engine: PrivacyEngine) -> None:
    text = "Call me on 401 023 2137 please"  # a valid NHS checksum shape
    assert all(d.entity_type != "UK_NHS" for d in engine.analyze(text))
    enabled = PrivacyEngine.from_settings(PrivacySettings(enable_recognizers=["UK_NHS"]))
    assert "UK_NHS" in enabled.masked_entities


def test_custom_recognizer_from_config_without_code() -> None:
    settings = PrivacySettings(
        custom_recognizers=[
            CustomRecognizer(
                name="loyalty", regex=r"\bLOY-\d{6}\b", entity_type="LOYALTY_ID", context=["loyalty"], score=0.7
            )
        ]
    )
    engine = PrivacyEngine.from_settings(settings)
    text = "my loyalty card is LOY-123456"
    assert ("LOY-123456", "LOYALTY_ID") in _found(engine, text)
    # the deployment's type wins over our generic account-number reading of the same span
    assert ("LOY-123456", "LOYALTY_ID") in [
        (text[d.start : d.end], d.entity_type) for d in engine.detect_patterns(text)
    ]
    assert _found(engine, "loyalty id LOY-654321") == [("LOY-654321", "LOYALTY_ID")]


def test_policy_entities_and_thresholds() -> None:
    text = "email me at a.person@example.com or call +44 20 7946 0958"
    only_email = PrivacyEngine.from_settings(PrivacySettings(entities=["EMAIL_ADDRESS"]))
    assert [t for _, t in _found(only_email, text)] == ["EMAIL_ADDRESS"]
    strict = PrivacyEngine.from_settings(PrivacySettings(thresholds={"PHONE_NUMBER": 0.99}))
    assert "PHONE_NUMBER" not in [t for _, t in _found(strict, text)]


def test_overlap_resolution_is_deterministic() -> None:
    dets = [
        Detection(0, 4, "PERSON", 0.85),
        Detection(0, 10, "PERSON", 0.7),
        Detection(11, 20, "STREET_ADDRESS", 0.9),
        Detection(12, 16, "PHONE_NUMBER", 0.9),
    ]
    first = resolve_overlaps(dets)
    assert first == resolve_overlaps(list(reversed(dets)))
    assert all(a.end <= b.start for a, b in itertools.pairwise(first))
    assert first[0] == Detection(0, 10, "PERSON", 0.85)  # same-type overlaps merge


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is john smith and my order is late", ("john smith", "PERSON")),
        ("HELLO, THIS IS MARIA GONZALEZ FROM ACCOUNTS", ("MARIA GONZALEZ", "PERSON")),
        ("Regards,\nOluwaseun Adebayo", ("Oluwaseun Adebayo", "PERSON")),
        ("Please ask for Ms. Kowalczyk at the desk", ("Kowalczyk", "PERSON")),
        ("Send it to PO Box 1234, Anchorage AK 99501", ("PO Box 1234, Anchorage AK 99501", "STREET_ADDRESS")),
        ("Lieferadresse: Hauptstraße 12a, 10115 Berlin", ("Hauptstraße 12a, 10115 Berlin", "STREET_ADDRESS")),
        ("DOB: 14/03/1985", ("14/03/1985", "DATE_OF_BIRTH")),
        ("IBAN DE89 3704 0044 0532 0130 00 please", ("DE89 3704 0044 0532 0130 00", "IBAN_CODE")),
        ("BIC: DEUTDEFF500", ("DEUTDEFF500", "SWIFT_CODE")),
        ("my passport number is X1234567", ("X1234567", "PASSPORT")),
        ("order #ORD-2023-55821 never arrived", ("ORD-2023-55821", "ACCOUNT_NUMBER")),
        ("whatsapp +49 30 1234567 anytime", ("+49 30 1234567", "PHONE_NUMBER")),
        ("Contact: Ines Ferreira (+1-555-010-0199, ines@example.org)", ("+1-555-010-0199", "PHONE_NUMBER")),
        ("Landline (0161) 496 0000 after 6pm", ("(0161) 496 0000", "PHONE_NUMBER")),
        ("Kenji called yesterday about the router.", ("Kenji", "PERSON")),
        ("Please tell Kenji the part arrived.", ("Kenji", "PERSON")),
        ("Sorensen, Zanele - requested account closure", ("Sorensen, Zanele", "PERSON")),
        (
            "Ship to 9281 Kirlin Manors Apt. 312, Port Andrewside, NV 23145",
            ("9281 Kirlin Manors Apt. 312, Port Andrewside, NV 23145", "STREET_ADDRESS"),
        ),
        ("wire it to FR49 0114 5059 1888 2317 0362 816 please", ("FR49 0114 5059 1888 2317 0362 816", "IBAN_CODE")),
        ("my password is Summer2024 and it stopped working", ("Summer2024", "PASSWORD")),
        ("login: anna.berg", ("anna.berg", "USERNAME")),
        ("14.03.1985 (DOB) for the verification", ("14.03.1985", "DATE_OF_BIRTH")),
        ("his email is brandon.k.lee at gmail dot com", ("brandon.k.lee at gmail dot com", "EMAIL_ADDRESS")),
        ("Thanks to Ayesha and Bilal for the quick fix!", ("Bilal", "PERSON")),
        ("addressed to Tomasz Redcloud, 431 Ridgecrest Way", ("Tomasz Redcloud", "PERSON")),
        ("cancel the subscription for user ID 55102934 (Ingeborg Svensson).", ("Ingeborg Svensson", "PERSON")),
        (
            "Send it to Storgatan 14, 411 38 Göteborg, Sweden",
            ("Storgatan 14, 411 38 Göteborg, Sweden", "STREET_ADDRESS"),
        ),
    ],
)
def test_recognizers_beyond_vanilla(engine: PrivacyEngine, text: str, expected: tuple[str, str]) -> None:
    assert expected in _found(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Hi Anders, thanks for reaching out to Contoso Help Desk!",
        "Our Head of Finance approved the upgrade to the Premium plan on Tuesday.",
        "Thank you for contacting Northwind Support.",
        "I contacted Apple Support twice and Microsoft said the license is fine.",
        "I bought 3 items for $84.50 on 12 March; version 2.3.1 crashed at 9:30.",
        "Please merge tickets from the Help Center with the ones from Live Chat.",
        "We're a small charity in Leeds using the Nonprofit plan.",
        "Deliveries to Northern Ireland take 5 to 7 working days; please escalate to Tier 2.",
        "Delivery on 12 March 2024, my birthday is in May.",
        "Please add Dark Mode to the Android app; we paid Stripe fees twice.",
        "The order from Best Buy arrived damaged.",
    ],
)
def test_organizations_products_and_numbers_are_not_people(engine: PrivacyEngine, text: str) -> None:
    found = _found(engine, text)
    assert all(t != "PERSON" or v in ("Anders",) for v, t in found), found
    assert all(t == "PERSON" for _, t in found), found


def test_known_one_word_name_keeps_its_case(engine: PrivacyEngine) -> None:
    mapping = CaseMapping.from_entries([("<PERSON_1>", "PERSON", "Rose")])
    result = engine.mask("Rose says the price rose again", mapping)
    assert result.masked == "<PERSON_1> says the price rose again"


def test_privacy_section_from_config_toml(agentconsole_home) -> None:  # type: ignore[no-untyped-def]
    from agentconsole.config import load_settings

    (agentconsole_home / "config.toml").write_text(
        "[privacy]\n"
        'entities = ["PERSON", "EMAIL_ADDRESS"]\n'
        "thresholds = { PERSON = 0.6 }\n"
        "[[privacy.custom_recognizers]]\n"
        'name = "loyalty"\n'
        "regex = '\\bLOY-\\d{6}\\b'\n"
        'entity_type = "LOYALTY_ID"\n'
        'context = ["loyalty"]\n'
        "score = 0.7\n",
        encoding="utf-8",
    )
    settings = load_settings(agentconsole_home)
    engine = PrivacyEngine.from_settings(settings.privacy)
    found = _found(engine, "I'm Anna Berg, loyalty LOY-123456, call +44 20 7946 0958, anna@example.org")
    assert {t for _, t in found} == {"PERSON", "EMAIL_ADDRESS", "LOYALTY_ID"}  # phone not in the policy


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Our manager Kethrin needs a copy of the invoice.", "Kethrin"),
        ("I'll loop in Ferrabie who manages the firewall.", "Ferrabie"),
    ],
)
def test_one_word_name_in_a_person_position_the_model_misses(engine: PrivacyEngine, text: str, name: str) -> None:
    """The strict cue rule (recognizers/cue_names.py) is on by default and masks what the NER never proposed."""
    people = [text[d.start : d.end] for d in engine.analyze(text) if d.entity_type == "PERSON"]
    assert people == [name]
