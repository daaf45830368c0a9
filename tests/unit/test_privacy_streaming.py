"""Streaming restore and output masking under adversarial chunkings."""

from __future__ import annotations

import pytest

from agentconsole.privacy import CaseMapping, OutputMasker, PrivacyEngine, StreamRestorer, restore

SAMPLES = [
    "Hello <PERSON_1>, I have sent the refund to <EMAIL_ADDRESS_1>. Call <PHONE_NUMBER_2> if needed.",
    "Dear [person_1 ], your case is open. <PERSON_9> will follow up; a < b and [1] stay.",
    "<PERSON_1><EMAIL_ADDRESS_1>[PERSON_1]< PERSON_1 >",
    "Ends with an opening bracket <",
    "Ends with a partial placeholder <PERSON_",
    "Unicode 👋 <PERSON_1> — مرحبا <PERSON_1 > done",
]


def _mapping() -> CaseMapping:
    return CaseMapping.from_entries(
        [
            ("<PERSON_1>", "PERSON", "Anna Berg"),
            ("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "anna.berg@example.org"),
            ("<PHONE_NUMBER_2>", "PHONE_NUMBER", "+1 (555) 010-0199"),
        ]
    )


def _run(stream: StreamRestorer | OutputMasker, parts: list[str]) -> tuple[str, list[str]]:
    outputs = [stream.feed(p) for p in parts]
    outputs.append(stream.flush())
    return "".join(outputs), outputs


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("restore_values", [True, False])
def test_restorer_same_text_for_every_split_point(sample: str, restore_values: bool) -> None:
    mapping = _mapping()
    whole, _ = _run(StreamRestorer(mapping, restore_values=restore_values), [sample])
    if restore_values:
        assert whole == restore(sample, mapping)
    for i in range(len(sample) + 1):
        for j in range(i, len(sample) + 1, 7):
            text, _ = _run(
                StreamRestorer(mapping, restore_values=restore_values), [sample[:i], sample[i:j], sample[j:]]
            )
            assert text == whole, (i, j)


def test_restorer_character_by_character_never_emits_a_split_placeholder() -> None:
    mapping = _mapping()
    sample = SAMPLES[0]
    _, outputs = _run(StreamRestorer(mapping, restore_values=False), list(sample))
    for out in outputs:
        assert out.count("<") == out.count(">")  # each output holds whole placeholders only
    assert "".join(outputs) == sample


def test_restorer_canonicalizes_for_chips() -> None:
    text, _ = _run(StreamRestorer(_mapping(), restore_values=False), ["Hi [per", "son_1 ] and <PERSON_9>"])
    assert text == "Hi <PERSON_1> and <PERSON_9>"


MODEL_OUTPUTS = [
    "Sure, <PERSON_1>. I emailed jane.doe@example.net and you can also call +44 20 7946 0958 tomorrow.",
    "Please confirm your card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00 for the refund.",
    "Your new number is (555) 010-0199; reach anna.berg@example.org any time.",
]


@pytest.mark.parametrize("sample", MODEL_OUTPUTS)
def test_output_masker_every_split_point(engine: PrivacyEngine, sample: str) -> None:
    reference_mapping = _mapping()
    whole, _ = _run(OutputMasker(engine, reference_mapping), [sample])
    assert "@example" not in whole and "7946" not in whole and "1111" not in whole and "3704" not in whole
    assert "<PERSON_1>" in whole or "<PERSON_1>" not in sample
    for i in range(len(sample) + 1):
        masker = OutputMasker(engine, _mapping())
        text, _ = _run(masker, [sample[:i], sample[i:]])
        assert text == whole, i


def test_output_masker_token_like_deltas_and_mapping_policy(engine: PrivacyEngine) -> None:
    mapping = _mapping()
    sample = MODEL_OUTPUTS[2]
    deltas = [sample[i : i + 3] for i in range(0, len(sample), 3)]
    masker = OutputMasker(engine, mapping)
    text, outputs = _run(masker, deltas)
    # a value the case knows keeps its placeholder; a new one gets a new placeholder
    assert "<EMAIL_ADDRESS_1>" in text
    assert "<PHONE_NUMBER_2>" in text  # same line as the known +1 (555) 010-0199
    assert restore(text, mapping).count("anna.berg@example.org") == 1
    for out in outputs[:-1]:
        assert out == "" or out[-1].isspace()  # released at word boundaries only


def test_output_masker_never_adds_made_up_values_to_the_case(engine: PrivacyEngine) -> None:
    mapping = _mapping()
    before = mapping.entries()
    masker = OutputMasker(engine, mapping)
    text, _ = _run(masker, ["Write to new.person@example.com ", "or call 980-346-7530 today."])
    assert text == "Write to <MODEL_INVENTED EMAIL_ADDRESS> or call <MODEL_INVENTED PHONE_NUMBER> today."
    assert mapping.entries() == before  # the customer's table is untouched
    assert masker.values_invented == 2 and masker.entities_masked == 0
    assert restore(text, mapping) == text  # nothing to restore: no real value behind a made-up one
    assert not hasattr(masker, "new_entries")


INTEGRITY_SAMPLES = [
    # (model output, expected text after the masker, classes in order)
    (
        "Hi <PERSON_1>, write to <EMAIL_ADDRESS_1 or call <PHONE_NUMBER_7> now.",
        "Hi <PERSON_1>, write to <DAMAGED EMAIL_ADDRESS_1> or call <INVENTED PHONE_NUMBER_7> now.",
        ["known", "damaged", "invented"],
    ),
    (
        "Dear [person_1 ], your account <ACCOUNT_NUMBER_2> is fine. EMAIL_ADDRESS_1> noted.",
        "Dear <PERSON_1>, your account <INVENTED ACCOUNT_NUMBER_2> is fine. <DAMAGED EMAIL_ADDRESS_1> noted.",
        ["known", "invented", "damaged"],
    ),
    (
        "Thanks PERSON_1, a < b and [1] and <b>bold</b> stay; <EMAIL_ADDRESS> was lost",
        "Thanks <DAMAGED PERSON_1>, a < b and [1] and <b>bold</b> stay; <DAMAGED EMAIL_ADDRESS> was lost",
        ["damaged", "damaged"],
    ),
    (
        "Ends with a broken one <PHONE_NUMBER_2",
        "Ends with a broken one <DAMAGED PHONE_NUMBER_2>",
        ["damaged"],
    ),
]


@pytest.mark.parametrize(("sample", "expected", "classes"), INTEGRITY_SAMPLES)
def test_placeholders_classified_and_marked_at_every_split_point(
    engine: PrivacyEngine, sample: str, expected: str, classes: list[str]
) -> None:
    from agentconsole.privacy.streaming import scan_placeholders

    whole, _ = _run(OutputMasker(engine, _mapping()), [sample])
    assert whole == expected
    assert [f.status for f in scan_placeholders(whole, _mapping())] == classes
    for i in range(len(sample) + 1):
        masker = OutputMasker(engine, _mapping())
        text, _ = _run(masker, [sample[:i], sample[i:]])
        assert text == whole, i
        assert [f.status for f in masker.findings] == classes


@pytest.mark.parametrize(
    ("text", "classes"),
    [
        ("<PERSON_1> <EMAIL_ADDRESS_1> <PHONE_NUMBER_2>", ["known", "known", "known"]),
        ("<PERSON_2>", ["invented"]),
        ("<SOMETHING_ELSE_1>", ["invented"]),  # canonical form: would render as a chip
        ("<item_2> [step 3] <br_1>", []),  # not entity types, not canonical: plain text
        ("<INVENTED PHONE_NUMBER_2> <MODEL_INVENTED CREDIT_CARD> <DAMAGED PERSON_1>", ["invented"] * 2 + ["damaged"]),
        ("<EMAIL_ADDRESS_1 or", ["damaged"]),
        ("[PHONE_NUMBER_2", ["damaged"]),
        ("PHONE_NUMBER_2", ["damaged"]),
        ("a PERSON, an EMAIL_ADDRESS field", []),  # type names alone are words, not placeholders
    ],
)
def test_scan_placeholders_classes(text: str, classes: list[str]) -> None:
    from agentconsole.privacy.streaming import integrity_problems, scan_placeholders

    findings = scan_placeholders(text, _mapping())
    assert [f.status for f in findings] == classes
    assert len(integrity_problems(text, _mapping())) == sum(c != "known" for c in classes)


def test_markers_are_never_restored_and_are_described() -> None:
    from agentconsole.privacy.streaming import describe_problems, integrity_problems

    text = "Call <INVENTED PHONE_NUMBER_2> or <MODEL_INVENTED PHONE_NUMBER>, mail <DAMAGED EMAIL_ADDRESS_1>."
    assert restore(text, _mapping()) == text
    problems = integrity_problems(text, _mapping())
    assert describe_problems(problems) == (
        "<PHONE_NUMBER_2> (invented), <PHONE_NUMBER> (a value the model made up), <EMAIL_ADDRESS_1> (damaged)"
    )
