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
            text, _ = _run(StreamRestorer(mapping, restore_values=restore_values), [sample[:i], sample[i:j], sample[j:]])
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


@pytest.fixture(scope="module")
def engine() -> PrivacyEngine:
    return PrivacyEngine.from_settings()


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
    deltas = [sample[i:i + 3] for i in range(0, len(sample), 3)]
    masker = OutputMasker(engine, mapping)
    text, outputs = _run(masker, deltas)
    # a value the case knows keeps its placeholder; a new one gets a new placeholder
    assert "<EMAIL_ADDRESS_1>" in text
    assert "<PHONE_NUMBER_2>" in text  # same line as the known +1 (555) 010-0199
    assert restore(text, mapping).count("anna.berg@example.org") == 1
    for out in outputs[:-1]:
        assert out == "" or out[-1].isspace()  # released at word boundaries only


def test_output_masker_new_values_reported(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    masker = OutputMasker(engine, mapping)
    text, _ = _run(masker, ["Write to new.person@example.com ", "today."])
    assert text == "Write to <EMAIL_ADDRESS_1> today."
    assert masker.new_entries == [("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "new.person@example.com")]
    assert mapping.value_of("<EMAIL_ADDRESS_1>") == "new.person@example.com"
