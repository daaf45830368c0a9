"""What the engine finds and what masking produces, and the deterministic overlap rules.

Free of spaCy and Presidio (only ``regex``): recognizers, the engine and the
streaming masker all speak :class:`Detection`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

MAX_ENTITY_CHARS = 300
_EDGE_JUNK = " \t\r\n,.;:!?\"'()[]{}<>«»“”‘’"
# By script extension, so that the marks these scripts share count too: halfwidth katakana
# ("ｻﾄｳ"), the prolonged sound mark "ー", "々", Hangul jamo, katakana phonetic extensions.
_UNSPACED_RE = regex.compile(r"[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]")


@dataclass(frozen=True)
class Detection:
    """A span of the analyzed text that holds PII of ``entity_type``."""

    start: int
    end: int
    entity_type: str
    score: float


@dataclass(frozen=True)
class MaskedEntity:
    """A detection as masked: offsets into the original text and its placeholder."""

    start: int
    end: int
    entity_type: str
    placeholder: str
    score: float


@dataclass
class MaskResult:
    """The masked text, what was masked, and the mapping rows new to the case."""

    masked: str
    entities: list[MaskedEntity] = field(default_factory=list)
    new_entries: list[tuple[str, str, str]] = field(default_factory=list)

    def __repr__(self) -> str:  # never the values
        return f"MaskResult({len(self.entities)} entities, {len(self.new_entries)} new)"


def resolve_overlaps(detections: Iterable[Detection]) -> list[Detection]:
    """Deterministic non-overlapping detections, in text order.

    Overlapping detections of the same type merge into their union (the most
    confident score); between types, the higher score wins, then the longer
    span, then the type name (so the outcome never depends on input order).
    """
    items = sorted(detections, key=lambda d: (d.start, d.end, d.entity_type))
    merged: list[Detection] = []
    by_type: dict[str, list[Detection]] = {}
    for det in items:
        by_type.setdefault(det.entity_type, []).append(det)
    for entity_type, dets in by_type.items():
        current: Detection | None = None
        for det in dets:
            if current is not None and det.start < current.end:
                current = Detection(
                    current.start, max(current.end, det.end), entity_type, max(current.score, det.score)
                )
            else:
                if current is not None:
                    merged.append(current)
                current = det
        if current is not None:
            merged.append(current)
    merged = _drop_contained(merged)
    ranked = sorted(merged, key=lambda d: (-round(d.score, 4), -(d.end - d.start), d.entity_type, d.start))
    # Greedy by rank; chosen spans kept sorted so each overlap test is a bisect (n log n on a 1 MB paste).
    starts: list[int] = []
    chosen: list[Detection] = []
    for det in ranked:
        i = bisect.bisect_left(starts, det.start)
        if i < len(chosen) and chosen[i].start < det.end:
            continue
        if i > 0 and chosen[i - 1].end > det.start:
            continue
        starts.insert(i, det.start)
        chosen.insert(i, det)
    return chosen


# A detection inside a longer one of another type loses when the longer one is nearly as
# sure: the card-number-shaped middle of an IBAN, a name inside a street address.
_CONTAINER_RATIO = 0.75
_MAX_CLUSTER = 64


def _drop_contained(dets: list[Detection]) -> list[Detection]:
    ordered = sorted(dets, key=lambda d: (d.start, -d.end, d.entity_type))
    keep: list[Detection] = []
    cluster: list[Detection] = []
    cluster_end = -1

    def settle() -> None:
        if len(cluster) > _MAX_CLUSTER:
            keep.extend(cluster)
            return
        for det in cluster:
            swallowed = any(
                other is not det
                and other.entity_type != det.entity_type
                and other.start <= det.start
                and det.end <= other.end
                and (other.end - other.start) > (det.end - det.start)
                and other.score >= _CONTAINER_RATIO * det.score
                for other in cluster
            )
            if not swallowed:
                keep.append(det)

    for det in ordered:
        if cluster and det.start >= cluster_end:
            settle()
            cluster = []
        cluster.append(det)
        cluster_end = max(cluster_end, det.end) if len(cluster) > 1 else det.end
    if cluster:
        settle()
    return keep


def trim_detection(text: str, det: Detection) -> Detection | None:
    start, end = det.start, det.end
    while start < end and text[start] in _EDGE_JUNK:
        if text[start] == "(" and ")" in text[start:end]:
            break  # "(555) 123-4567"
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        if (
            text[end - 1] == "."
            and det.entity_type == "STREET_ADDRESS"
            and text[start : end - 1].split()[-1:]
            and (text[start : end - 1].split()[-1].casefold() in ("st", "ave", "rd", "dr", "blvd", "ln", "ct"))
        ):
            break
        if text[end - 1] == ")" and "(" in text[start:end]:
            break
        end -= 1
    if end <= start:
        return None
    return Detection(start, end, det.entity_type, det.score)


def splits_a_word(text: str, det: Detection) -> bool:
    """A match that starts or ends inside a run of letters/digits is part of something else.

    Not between Han, kana or Hangul letters: Chinese and Japanese write words without
    spaces, and Korean attaches particles to a name ("私は山田太郎です", "김서연입니다").
    """
    inside_start = det.start > 0 and _joined_letters(text[det.start - 1], text[det.start])
    inside_end = det.end < len(text) and _joined_letters(text[det.end - 1], text[det.end])
    return inside_start or inside_end


def _joined_letters(left: str, right: str) -> bool:
    return left.isalnum() and right.isalnum() and not (_unspaced(left) and _unspaced(right))


def _unspaced(ch: str) -> bool:
    """A letter of a script whose words are not separated by spaces here (Han, kana, Hangul)."""
    return _UNSPACED_RE.match(ch) is not None
