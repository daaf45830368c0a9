"""The recognizers that read a spaCy doc, alone, on the real shipped model: ``(text, expected)`` cases.

``ModelEntityRecognizer`` is our trained NER's PERSON / STREET_ADDRESS with its
span clean-up (whole address blocks, greeting words trimmed); ``ContextNameRecognizer``
is the previous engine's cue rule (off by default, kept for the ablation; it needs
the base model's tagger). As in ``tests/unit/test_privacy_recognizer_spans.py``
each expected value occurs once in its text, so a case pins type and span exactly.
"""

from __future__ import annotations

import pytest
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.language import Language

from agentconsole.config import PrivacySettings
from agentconsole.privacy.detections import Detection, resolve_overlaps
from agentconsole.privacy.model import load_pipeline
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.model_entities import ModelEntityRecognizer
from agentconsole.privacy.recognizers.names import ContextNameRecognizer
from agentconsole.privacy.textprep import detection_text

Expected = list[tuple[str, str]]


@pytest.fixture(scope="module")
def ner() -> Language:
    return load_pipeline()  # our NER alone, as the engine runs it by default


@pytest.fixture(scope="module")
def tagged() -> Language:
    return load_pipeline(PrivacySettings().spacy_model, base_ner=False, tagger=True)


def _found(nlp: Language, recognizer: SupportRecognizer, text: str) -> list[tuple[str, int, int]]:
    prepared = detection_text(text)  # what the engine hands the pipeline (same offsets)
    doc = nlp(prepared)
    artifacts = NlpArtifacts(
        entities=list(doc.ents),
        tokens=doc,
        tokens_indices=[token.idx for token in doc],
        lemmas=[token.lemma_ or token.lower_ for token in doc],
        nlp_engine=None,
        language="en",
    )
    raw = recognizer.analyze(prepared, list(recognizer.ENTITIES), artifacts)
    merged = resolve_overlaps(Detection(r.start, r.end, r.entity_type, r.score) for r in raw)
    return [(d.entity_type, d.start, d.end) for d in merged]


def _spans(text: str, expected: Expected) -> list[tuple[str, int, int]]:
    spans = []
    for entity_type, value in expected:
        assert text.count(value) == 1, f"test case: {value!r} must occur once"
        start = text.index(value)
        spans.append((entity_type, start, start + len(value)))
    return sorted(spans, key=lambda s: s[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, my name is Jonathan Whitaker and I can't log in.", [("PERSON", "Jonathan Whitaker")]),
        ("Dear Priya,\nthanks for the update.", [("PERSON", "Priya")]),
        ("Kind regards,\nAnna Berg", [("PERSON", "Anna Berg")]),
        ("hi this is maria lopez, my order never arrived", [("PERSON", "maria lopez")]),
        ("Spoke with Арина Соколова about the refund.", [("PERSON", "Арина Соколова")]),
        (
            "Please ship it to 27 Seafield Crescent, Dublin 3, D03 K2W7 by Friday.",
            [("STREET_ADDRESS", "27 Seafield Crescent, Dublin 3, D03 K2W7")],
        ),
        (
            "New address:\nFlat 2, 14 High Street\nLondon\nSW1A 1AA",
            [("STREET_ADDRESS", "Flat 2, 14 High Street\nLondon\nSW1A 1AA")],
        ),
        ("Hauptstraße 5\n10115 Berlin\nGermany", [("STREET_ADDRESS", "Hauptstraße 5\n10115 Berlin\nGermany")]),
        # look-alikes: UI labels, products, brands, places and months used generically, greetings
        ("Mark as resolved once the customer confirms.", []),
        ("The Outlook plugin crashes on Monday mornings.", []),
        ("Our office in Cork is closed in August.", []),
        ("I bought a Pixel 8 at John Lewis.", []),
        ("Привет! Спасибо за помощь.", []),
        ("Export to CSV, then click Save and Close.", []),
        # second-stage checks on the model's guesses (no name lists)
        ("Pastes", []),  # a one-word message is a title or label
        ("Open Settings > Members, find the colleague, and change their role to Admin.", []),  # a menu path
        ("Kind regards,\nRevenue Operations", []),  # a department signs
        ('Click "Export", then press Download.', []),  # a quoted term
        ("Notifications on Android 14 need the new permission.", []),  # a product and its version
        ("Ask Anna Berg > she knows the account.", [("PERSON", "Anna Berg")]),  # a full name next to ">" stays
        ("Thanks,\nMarta", [("PERSON", "Marta")]),  # a one-word sign-off stays
        (
            "Şərur rayonu, Məlikçobanli kəndi, TƏBRİZ pr.",
            [("STREET_ADDRESS", "Şərur rayonu, Məlikçobanli kəndi, TƏBRİZ pr")],
        ),  # no digit, but comma-separated parts
    ],
)
def test_model_entity_recognizer(ner: Language, text: str, expected: Expected) -> None:
    assert _found(ner, ModelEntityRecognizer(), text) == _spans(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My name is Jonathan Whitaker.", [("PERSON", "Jonathan Whitaker")]),
        ("Kind regards,\nAnna Berg", [("PERSON", "Anna Berg")]),
        ("Please ask for Mr Okafor at the desk.", [("PERSON", "Okafor")]),
        ("Sorensen, Zanele - requested closure", [("PERSON", "Sorensen, Zanele")]),
        ("Mark as resolved", []),
        ("Thanks Again for the quick fix", []),
        ("I spoke with Live Chat yesterday", []),
        ("Contoso Support will reply", []),
        ("Update to Windows 11 first.", []),
    ],
)
def test_context_name_recognizer(tagged: Language, text: str, expected: Expected) -> None:
    assert _found(tagged, ContextNameRecognizer(), text) == _spans(text, expected)
