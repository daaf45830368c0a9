"""PERSON and STREET_ADDRESS from our trained NER, cleaned into whole spans.

The model was trained on whole address blocks and names (scripts/train_pii_model.py);
here its spans are only tidied: a name never includes a greeting word's
punctuation, an address that stops at a line end takes the postcode/city/country
line after it (a partial address leaves the most identifying part in clear).
"""

from __future__ import annotations

from typing import Any

import regex

from agentconsole.privacy.lexicon import NOT_NAME_WORDS
from agentconsole.privacy.recognizers.base import SupportRecognizer

PERSON = "PERSON"
STREET_ADDRESS = "STREET_ADDRESS"

# A line that finishes an address block: postcode and/or town, region, country.
_TAIL_LINE_RE = regex.compile(
    r"[ \t]*(?:"
    r"[\p{L}\p{N}][\p{L}\p{N} .,'\-/()]{0,48}\d[\p{L}\p{N} .,'\-/()]{0,30}"   # has a digit: "Dublin 3, D03 K2W7"
    r"|\p{Lu}[\p{L}.'\-]*(?:[ \t]+\p{Lu}[\p{L}.'\-]*){0,3}"                     # "United Kingdom", "Deutschland"
    r")[ \t]*$",
)
_MAX_TAIL_LINES = 3


def _next_line(text: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the line after the line break at ``pos`` (a real or literal one)."""
    if text.startswith("\n", pos):
        start = pos + 1
    elif text.startswith(" \n", pos):
        start = pos + 2
    else:
        return None
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    if end > start and text[end - 1] == " " and text[end:end + 1] == "\n":
        end -= 1  # a literal "\n" prepared as " \n"
    return start, end


def extend_address(text: str, start: int, end: int) -> int:
    """Grow an address span over the short locality/country lines that follow it."""
    for _ in range(_MAX_TAIL_LINES):
        line = _next_line(text, end)
        if line is None:
            break
        line_start, line_end = line
        content = text[line_start:line_end]
        if not content.strip() or len(content) > 60 or not _TAIL_LINE_RE.fullmatch(content):
            break
        if any(ch in content for ch in "@:?!") or content.strip().endswith("."):
            break
        first_word = content.split()[0].strip(",.").casefold()
        if not any(ch.isdigit() for ch in content) and first_word in NOT_NAME_WORDS:
            break  # "Thanks", "Regards", "Best": the sign-off, not a town
        if line_end - start > 300:
            break
        end = line_start + len(content.rstrip())
    return end


class ModelEntityRecognizer(SupportRecognizer):
    """The trained NER's PERSON and STREET_ADDRESS spans (needs the spaCy doc)."""

    ENTITIES = (PERSON, STREET_ADDRESS)

    def find(self, text: str, nlp_artifacts: Any) -> list[Any]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        if doc is None:
            return []
        return [self._result(label, start, end, score) for start, end, label, score in model_spans(doc, text)]


def model_spans(doc: Any, text: str) -> list[tuple[int, int, str, float]]:
    """(start, end, label, score) for the doc's PERSON and STREET_ADDRESS entities."""
    found = []
    for ent in doc.ents:
        label = ent.label_
        if label not in (PERSON, STREET_ADDRESS):
            continue
        start, end = ent.start_char, ent.end_char
        value = text[start:end]
        if label == PERSON:
            if not any(ch.isalpha() for ch in value) or len(value.strip()) < 2:
                continue
            if "@" in value or "://" in value:
                continue
            found.append((start, end, PERSON, 0.85))
        else:
            if len(value.strip()) < 6:
                continue
            found.append((start, extend_address(text, start, end), STREET_ADDRESS, 0.85))
    return found
