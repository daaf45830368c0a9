"""Masking primitives: known values found again, full names first, placeholders in place of spans."""

from __future__ import annotations

import regex

from agentconsole.privacy.detections import Detection, MaskedEntity, MaskResult
from agentconsole.privacy.lexicon import NOT_NAME_WORDS
from agentconsole.privacy.placeholders import TOLERANT_RE, CaseMapping
from agentconsole.privacy.textprep import Squeezed


def to_original(squeezed: Squeezed, detections: list[Detection]) -> list[Detection]:
    out = []
    for det in detections:
        start, end = squeezed.to_original(det.start, det.end)
        out.append(Detection(start, end, det.entity_type, det.score))
    return out


def assign_full_names(
    text: str, detections: list[Detection], mapping: CaseMapping, new_entries: list[tuple[str, str, str]]
) -> None:
    """Assign multi-word PERSON values before the rest ("Jonathan" then "Jonathan Whitaker" = one person)."""
    full = [d for d in detections if d.entity_type == "PERSON" and len(text[d.start : d.end].split()) >= 2]
    for det in sorted(full, key=lambda d: -len(text[d.start : d.end].split())):
        placeholder, is_new = mapping.assign(det.entity_type, text[det.start : det.end])
        if is_new:
            new_entries.append((placeholder, det.entity_type, text[det.start : det.end]))


def inside_placeholder(text: str, det: Detection) -> bool:
    window_start = max(0, det.start - 40)
    for match in TOLERANT_RE.finditer(text, window_start, min(len(text), det.end + 40)):
        if match.start() < det.end and det.start < match.end():
            return True
    return False


def known_value_detections(text: str, mapping: CaseMapping) -> list[Detection]:
    """Every occurrence of a value the case already knows (case- and whitespace-insensitive)."""
    found = []
    for entity_type, value, _placeholder in mapping.known_values():
        value = value.strip()
        if len(value) < 3 or value.casefold() in NOT_NAME_WORDS:
            continue
        parts = value.split()
        pattern = r"(?<![\p{L}\p{N}])" + r"\s+".join(regex.escape(p) for p in parts) + r"(?![\p{L}\p{N}])"
        # A one-word name keeps its case ("Will" the customer, not "will" the verb).
        flags = 0 if entity_type == "PERSON" and len(parts) == 1 else regex.IGNORECASE
        for match in regex.finditer(pattern, text, flags):
            found.append(Detection(match.start(), match.end(), entity_type, 1.0))
    return found


def apply_mask(text: str, detections: list[Detection], mapping: CaseMapping) -> MaskResult:
    """Replace non-overlapping ``detections`` (text order) with placeholders from ``mapping``."""
    pieces: list[str] = []
    entities: list[MaskedEntity] = []
    new_entries: list[tuple[str, str, str]] = []
    cursor = 0
    assign_full_names(text, detections, mapping, new_entries)
    for det in detections:
        # Stored exactly (restore gives the input back); control/zero-width characters inside
        # it do not make another value (normalize_value ignores them).
        value = text[det.start : det.end]
        placeholder, is_new = mapping.assign(det.entity_type, value)
        if is_new:
            new_entries.append((placeholder, det.entity_type, value))
        pieces.append(text[cursor : det.start])
        pieces.append(placeholder)
        entities.append(MaskedEntity(det.start, det.end, det.entity_type, placeholder, round(det.score, 4)))
        cursor = det.end
    pieces.append(text[cursor:])
    return MaskResult("".join(pieces), entities, new_entries)
