"""Hostile and odd input: no crash, offsets stay exact, big pastes stay linear."""

from __future__ import annotations

import random

import pytest

from agentconsole.privacy import CaseMapping, MaskResult, PrivacyEngine, restore
from agentconsole.privacy.pieces import CHUNK_CHARS, chunk_spans


def _check_offsets(text: str, result: MaskResult, mapping: CaseMapping) -> None:
    """Rebuilding the masked text from the reported offsets gives exactly result.masked."""
    rebuilt, cursor = [], 0
    for ent in result.entities:
        assert 0 <= cursor <= ent.start < ent.end <= len(text)
        rebuilt.append(text[cursor : ent.start])
        rebuilt.append(ent.placeholder)
        cursor = ent.end
        assert mapping.placeholder_for(ent.entity_type, text[ent.start : ent.end]) == ent.placeholder
    rebuilt.append(text[cursor:])
    assert "".join(rebuilt) == result.masked
    assert restore(result.masked, mapping) == text or "<" in text  # input may itself hold placeholder-like text


@pytest.mark.parametrize("text", ["", " ", "\n\n\t", "\x00", "👋", "a"])
def test_empty_and_tiny(engine: PrivacyEngine, text: str) -> None:
    mapping = CaseMapping()
    result = engine.mask(text, mapping)
    assert result.masked == text and result.entities == [] and result.new_entries == []


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01Hi, I'm Anna Berg\x07, call +44 20 7946 0958\x1b[31m now\x7f",
        "مرحبا، اسمي Anna Berg ‏ and my email is anna.berg@example.org ‎ שלום",
        "👋🏽👩‍👩‍👧 Hi, I'm Anna Berg 🎉, phone +44 20 7946 0958 ✅",
        "Zoë Ångström-Nuñez here, e\u0301mail zoe@example.org",
        "Tab\tseparated\tAnna Berg\t+44 20 7946 0958\r\nCRLF line\r\n",
        "lone surrogate \ud800 then Anna Berg at anna.berg@example.org",
        "\u202eRTL override Anna Berg\u202c and \u200bzero\u200bwidth +44 20 7946 0958",
    ],
)
def test_control_chars_emoji_rtl_keep_offsets(engine: PrivacyEngine, text: str) -> None:
    mapping = CaseMapping()
    result = engine.mask(text, mapping)
    _check_offsets(text, result, mapping)
    assert "Anna Berg" not in result.masked or "Anna" not in text
    assert "7946" not in result.masked and "@example.org" not in result.masked


def test_binary_junk_does_not_crash(engine: PrivacyEngine) -> None:
    rng = random.Random(7)
    for _ in range(20):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        for text in (raw.decode("utf-8", errors="replace"), raw.decode("latin-1")):
            mapping = CaseMapping()
            _check_offsets(text, engine.mask(text, mapping), mapping)


def test_chunks_tile_the_text_and_stay_bounded() -> None:
    rng = random.Random(3)
    alphabet = "ab c\n\n. d\ne"
    for size in (0, 1, CHUNK_CHARS - 1, CHUNK_CHARS, CHUNK_CHARS + 1, 7 * CHUNK_CHARS + 13):
        text = "".join(rng.choice(alphabet) for _ in range(size))
        spans = list(chunk_spans(text))
        assert "".join(text[s:e] for s, e in spans) == text
        assert all(0 < e - s <= CHUNK_CHARS for s, e in spans)
    unbroken = "x" * (3 * CHUNK_CHARS)
    assert [e - s for s, e in chunk_spans(unbroken)] == [CHUNK_CHARS] * 3


def test_one_megabyte_paste_masks_everywhere_with_exact_offsets(engine: PrivacyEngine) -> None:
    # A pasted export: mostly log/CSV lines, with customer messages scattered through it.
    rng = random.Random(11)
    parts: list[str] = []
    planted: list[tuple[int, str]] = []
    size = 0
    n = 0
    while size < 1_000_000:
        if n % 400 == 0:
            email = f"customer{n}@example.org"
            line = f"Customer note: Hi, this is Anna Berg, reach me at {email} or +44 20 7946 {n % 10000:04d}.\n"
            planted.append((size + line.index(email), email))
        else:
            line = f"{rng.randrange(10**9)},{rng.randrange(10**6)},OK,{rng.random():.6f},{rng.randrange(100)}\n"
        parts.append(line)
        size += len(line)
        n += 1
    text = "".join(parts)
    assert len(text) >= 1_000_000
    mapping = CaseMapping()
    result = engine.mask(text, mapping)
    _check_offsets(text, result, mapping)
    starts = {e.start: e for e in result.entities}
    for offset, planted_email in planted:
        assert offset in starts and starts[offset].entity_type == "EMAIL_ADDRESS", offset
        assert starts[offset].end == offset + len(planted_email), offset  # the whole address, not a piece of it
    assert "Anna Berg" not in result.masked


def test_long_unbroken_runs(engine: PrivacyEngine) -> None:
    for text in ("a" * 200_000, "9" * 200_000, "+" * 50_000 + "1" * 50_000, "<PERSON_1" * 20_000):
        mapping = CaseMapping()
        _check_offsets(text, engine.mask(text, mapping), mapping)
