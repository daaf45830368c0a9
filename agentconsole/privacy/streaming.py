"""Streaming: restore placeholders in token deltas, and keep the model's output honest.

Both classes are chunking-invariant: whatever the split of the model's output
into deltas, the concatenation of everything ``feed`` and ``flush`` return is
the same text (the tests try every split point).

Placeholder integrity. Every placeholder in model output is classified
against the case mapping (:func:`scan_placeholders`):

* **known**: the case has it (damaged *forms* such as ``[person_1 ]`` are
  rewritten to ``<PERSON_1>``);
* **invented**: a well-formed placeholder the case does not have
  (``<PHONE_NUMBER_2>`` in a case with one phone number), rewritten to the
  marker ``<INVENTED PHONE_NUMBER_2>``;
* **damaged**: a broken one (``<EMAIL_ADDRESS_1 or call``, ``EMAIL_ADDRESS_1>``),
  rewritten to ``<DAMAGED EMAIL_ADDRESS_1>``;
* a raw value the model made up (a phone number, an e-mail...) that the case
  does not know becomes ``<MODEL_INVENTED PHONE_NUMBER>``; the value itself is
  dropped: it never enters the case mapping, the vault or ``masked N``.

Markers are not placeholders: :func:`~agentconsole.privacy.placeholders.restore`
leaves them alone, and the service refuses to send or copy text that holds one
(:func:`integrity_problems`).

Typical pipeline for a draft::

    masker = OutputMasker(engine, mapping)          # the only writer: mapping is read, never extended
    for delta in tokens:
        ui.append(masker.feed(delta))
    ui.append(masker.flush())
    scan_placeholders(stored_text, mapping)         # what the draft holds, classified
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import regex

from agentconsole.domain import MARKER_PATTERN
from agentconsole.privacy.detections import Detection, resolve_overlaps
from agentconsole.privacy.masking import known_value_detections
from agentconsole.privacy.placeholders import (
    MAX_PLACEHOLDER_CHARS,
    TOLERANT_RE,
    CaseMapping,
    format_placeholder,
    replace_known,
)

# The same grammar as TOLERANT_RE, for partial matching of a held-back tail.
_PARTIAL_RE = regex.compile(TOLERANT_RE.pattern)


class PatternDetector(Protocol):
    """What :class:`OutputMasker` needs of the engine: its shape recognizers and its policy."""

    @property
    def masked_entities(self) -> frozenset[str]: ...

    def detect_patterns(self, text: str) -> list[Detection]: ...


class StreamRestorer:
    """Consumes token deltas and never emits a placeholder split across outputs.

    Text from an opening ``<`` or ``[`` that could still become a placeholder
    is held back until it completes (and is restored or canonicalized) or
    proves to be ordinary text. ``restore_values=False`` only rewrites damaged
    forms of known placeholders to ``<TYPE_N>`` (the UI shows them as chips).
    """

    def __init__(self, mapping: CaseMapping, *, restore_values: bool = True) -> None:
        self._mapping = mapping
        self._restore_values = restore_values
        self._pending = ""

    def feed(self, delta: str) -> str:
        """Add a delta; return the text that is now safe to show."""
        if not delta:
            return ""
        self._pending += delta
        cut = self._hold_from(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return replace_known(ready, self._mapping, self._restore_values)

    def flush(self) -> str:
        """End of stream: everything held back, restored."""
        ready, self._pending = self._pending, ""
        return replace_known(ready, self._mapping, self._restore_values)

    @staticmethod
    def _hold_from(text: str) -> int:
        """Index from which ``text`` could still be the start of a placeholder."""
        lowest = max(0, len(text) - MAX_PLACEHOLDER_CHARS)
        pos = lowest
        while True:
            candidates = [i for i in (text.find("<", pos), text.find("[", pos)) if i != -1]
            if not candidates:
                return len(text)
            i = min(candidates)
            match = _PARTIAL_RE.match(text, i, partial=True)
            if match is not None and match.partial:
                return i
            pos = i + 1


# --- placeholder integrity -------------------------------------------------------------

KNOWN = "known"
INVENTED = "invented"
DAMAGED = "damaged"
#: The classes of :attr:`PlaceholderFinding.status`.
PLACEHOLDER_CLASSES = (KNOWN, INVENTED, DAMAGED)

#: Entity types a placeholder can name even when the case has none of them yet.
PLACEHOLDER_TYPES = frozenset(
    {
        "PERSON",
        "NRP",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "SWIFT_CODE",
        "US_BANK_NUMBER",
        "ACCOUNT_NUMBER",
        "CRYPTO",
        "US_SSN",
        "US_ITIN",
        "US_PASSPORT",
        "PASSPORT",
        "US_DRIVER_LICENSE",
        "DRIVER_LICENSE",
        "MEDICAL_LICENSE",
        "NATIONAL_ID",
        "DATE_OF_BIRTH",
        "UK_NHS",
        "STREET_ADDRESS",
        "LOCATION",
        "ADDRESS",
        "URL",
        "IP_ADDRESS",
        "ORDER_ID",
        "CUSTOMER_ID",
    }
)

#: What integrity markers look like: ``<INVENTED PHONE_NUMBER_2>``, ``<DAMAGED EMAIL_ADDRESS_1>``,
#: ``<MODEL_INVENTED PHONE_NUMBER>``. No placeholder grammar matches them, so nothing restores them.
MARKER_RE = regex.compile(MARKER_PATTERN)
_MARKER_WORDS = {INVENTED: "INVENTED", DAMAGED: "DAMAGED"}


def marker(status: str, entity_type: str, number: int | None = None, *, raw_value: bool = False) -> str:
    """``<INVENTED PHONE_NUMBER_2>``; ``raw_value`` gives ``<MODEL_INVENTED PHONE_NUMBER>``."""
    word = "MODEL_INVENTED" if raw_value else _MARKER_WORDS[status]
    return f"<{word} {entity_type}{'' if number is None else f'_{number}'}>"


@dataclass(frozen=True)
class PlaceholderFinding:
    """One placeholder (or integrity marker) in a text, classified against the case.

    ``status`` is "known", "invented" or "damaged"; ``raw_value`` is True for a
    value the model wrote out (masked, never stored). ``shown`` is what the
    text holds once :func:`mark_integrity` has rewritten it.
    """

    start: int
    end: int
    status: str
    entity_type: str
    number: int | None
    shown: str
    raw_value: bool = False

    @property
    def placeholder(self) -> str:
        """``<PHONE_NUMBER_2>`` (``<PHONE_NUMBER>`` for a value the model made up)."""
        return f"<{self.entity_type}{'' if self.number is None else f'_{self.number}'}>"

    def as_dict(self) -> dict[str, str | int | bool | None]:
        return {
            "placeholder": self.placeholder,
            "class": self.status,
            "entity_type": self.entity_type,
            "model_invented_value": self.raw_value,
            "shown": self.shown,
        }


def _types_pattern(types: frozenset[str]) -> str:
    return "|".join(regex.escape(t) for t in sorted(types, key=len, reverse=True))


_damaged_cache: dict[frozenset[str], tuple[regex.Pattern[str], regex.Pattern[str]]] = {}


def _damaged_res(types: frozenset[str]) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    cached = _damaged_cache.get(types)
    if cached is None:
        names = _types_pattern(types)
        # "<EMAIL_ADDRESS_1 or", "<EMAIL_ADDRESS>", "[PHONE_NUMBER": opened, never properly closed.
        opened = regex.compile(
            rf"[<\[][ \t]{{0,3}}(?i:({names}))(?![A-Za-z])(?:[_ \-]?([0-9]{{1,6}}))?(?![0-9])(?:[ \t]{{0,3}}[>\]])?"
        )
        # "EMAIL_ADDRESS_1>", "PERSON_1": the brackets lost.
        bare = regex.compile(rf"(?<![\w<\[])({names})_([0-9]{{1,6}})(?![0-9\w])(?:[ \t]{{0,3}}[>\]])?")
        cached = (opened, bare)
        if len(_damaged_cache) < 64:
            _damaged_cache[types] = cached
    return cached


def _known_types(mapping: CaseMapping, extra: frozenset[str]) -> frozenset[str]:
    return (
        PLACEHOLDER_TYPES
        | extra
        | {entity_type for entity_type, _, _ in mapping.known_values()}
        | {(p[1:].rsplit("_", 1)[0]) for p in mapping.placeholders()}
    )


def scan_placeholders(
    text: str, mapping: CaseMapping, extra_types: frozenset[str] = frozenset()
) -> list[PlaceholderFinding]:
    """Every placeholder, marker and broken placeholder in ``text``, classified, in text order.

    Known placeholders are those the case mapping has (damaged forms accepted);
    a well-formed one it lacks is invented (lower-case or bracketed forms only
    when they name an entity type); a placeholder that was opened and not
    closed, or lost its brackets, is damaged. Markers written by
    :func:`mark_integrity` keep their class.
    """
    types = _known_types(mapping, extra_types)
    findings: list[PlaceholderFinding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for match in MARKER_RE.finditer(text):
        word, entity_type, number = match.group(1), match.group(2), match.group(3)
        status = DAMAGED if word == "DAMAGED" else INVENTED
        findings.append(
            PlaceholderFinding(
                match.start(),
                match.end(),
                status,
                entity_type,
                int(number) if number else None,
                match.group(0),
                raw_value=word == "MODEL_INVENTED",
            )
        )
        taken.append(match.span())
    for match in TOLERANT_RE.finditer(text):
        if not free(*match.span()):
            continue
        entity_type, number = match.group(1).upper(), int(match.group(2))
        canonical = format_placeholder(entity_type, number)
        if canonical in mapping:
            findings.append(PlaceholderFinding(match.start(), match.end(), KNOWN, entity_type, number, canonical))
        elif entity_type in types or match.group(0) == canonical:
            findings.append(
                PlaceholderFinding(
                    match.start(), match.end(), INVENTED, entity_type, number, marker(INVENTED, entity_type, number)
                )
            )
        else:
            continue
        taken.append(match.span())
    for pattern in _damaged_res(types):
        for match in pattern.finditer(text):
            if not free(*match.span()):
                continue
            entity_type = match.group(1).upper()
            number = int(match.group(2)) if match.group(2) else None
            findings.append(
                PlaceholderFinding(
                    match.start(), match.end(), DAMAGED, entity_type, number, marker(DAMAGED, entity_type, number)
                )
            )
            taken.append(match.span())
    findings.sort(key=lambda f: f.start)
    return findings


def mark_integrity(text: str, mapping: CaseMapping, extra_types: frozenset[str] = frozenset()) -> str:
    """``text`` with known placeholders canonical and invented/damaged ones turned into markers."""
    return _apply(text, scan_placeholders(text, mapping, extra_types))


def _apply(text: str, findings: list[PlaceholderFinding]) -> str:
    pieces: list[str] = []
    cursor = 0
    for finding in findings:
        pieces.append(text[cursor : finding.start])
        pieces.append(finding.shown)
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def integrity_problems(text: str, mapping: CaseMapping) -> list[PlaceholderFinding]:
    """The invented and damaged placeholders in ``text`` (what blocks sending it)."""
    return [f for f in scan_placeholders(text, mapping) if f.status != KNOWN]


def describe_problems(problems: list[PlaceholderFinding]) -> str:
    """``<PHONE_NUMBER_2> (invented), <EMAIL_ADDRESS_1> (damaged)``: unique, in order."""
    seen: dict[str, None] = {}
    for problem in problems:
        label = "a value the model made up" if problem.raw_value else problem.status
        seen.setdefault(f"{problem.placeholder} ({label})", None)
    return ", ".join(seen)


class OutputMasker:
    """Keeps the model's streamed output honest, releasing text at word boundaries.

    Two jobs, one pass over the same held-back window:

    * raw values the model writes are found with the shape/context recognizers
      (e-mail, phone, card, IBAN, account and id numbers...; no NER: a
      half-arrived sentence would change its verdict). A value the case
      knows (normalized) gets its placeholder; any other value becomes
      ``<MODEL_INVENTED TYPE>`` and is dropped: the case mapping is never
      extended, so a made-up value never becomes "the customer's";
    * placeholders are classified (:func:`scan_placeholders`): known ones are
      made canonical, invented and damaged ones become markers.

    Text is released only up to a whitespace that lies at least ``HOLD``
    characters before the end of what has arrived, and never inside a
    detection or placeholder, so every span is judged on the same text
    whatever the chunking.
    """

    HOLD = 64  # longer than any entity or placeholder we judge + its right-hand context
    LEFT = 64  # left context kept from released text (context words like "call")
    # Text is judged in steps of at least this many new characters, not per token: the
    # recognizers cost about as much per call as a token of the default model takes to decode.
    STEP = 48

    def __init__(self, engine: PatternDetector, mapping: CaseMapping) -> None:
        self._engine = engine
        self._mapping = mapping
        self._extra_types = frozenset(getattr(engine, "masked_entities", ()) or ())
        self._pending = ""
        self._released_tail = ""
        self.findings: list[PlaceholderFinding] = []
        self.entities_masked = 0  # raw values the case knows, put back as their placeholders
        self.values_invented = 0  # raw values the model made up, dropped

    def feed(self, delta: str) -> str:
        """Add a delta; return checked text that is final."""
        if not delta:
            return ""
        self._pending += delta
        limit = len(self._pending) - self.HOLD
        if limit < self.STEP:
            return ""
        cut = max(self._pending.rfind(" ", 0, limit), self._pending.rfind("\n", 0, limit))
        if cut <= 0:
            if len(self._pending) <= 8 * self.HOLD:
                return ""
            cut = limit  # a very long unbroken run: release it anyway
        else:
            cut += 1
        return self._release(cut)

    def flush(self) -> str:
        """End of stream: check and return everything held back."""
        return self._release(len(self._pending), final=True)

    @property
    def problems(self) -> list[PlaceholderFinding]:
        """Invented and damaged placeholders released so far."""
        return [f for f in self.findings if f.status != KNOWN]

    def _release(self, cut: int, final: bool = False) -> str:
        left = self._released_tail
        window = left + self._pending
        offset = len(left)
        spans = self._spans(window)
        if not final:
            # never cut through a span: move the cut before it
            moved = True
            while moved:
                moved = False
                for start, end, _, _ in spans:
                    if start < offset + cut < end:
                        cut = max(0, start - offset)
                        moved = True
        if cut <= 0:
            return ""
        ready = self._pending[:cut]
        pieces: list[str] = []
        cursor = 0
        for start, end, finding, is_value in spans:
            start, end = start - offset, end - offset
            if start < 0 or end > cut:
                continue
            pieces.append(ready[cursor:start])
            pieces.append(finding.shown)
            cursor = end
            self.findings.append(finding)
            if finding.raw_value:
                self.values_invented += 1
            elif is_value:
                self.entities_masked += 1
        pieces.append(ready[cursor:])
        self._pending = self._pending[cut:]
        self._released_tail = (left + ready)[-self.LEFT :]
        return "".join(pieces)

    def _spans(self, window: str) -> list[tuple[int, int, PlaceholderFinding, bool]]:
        """Raw values and placeholders in ``window``, each with what replaces it, in text order."""
        mapping = self._mapping
        found = self._engine.detect_patterns(window) + known_value_detections(window, mapping)
        placeholders = scan_placeholders(window, mapping, self._extra_types)
        occupied = [(f.start, f.end) for f in placeholders]
        found = [d for d in found if not any(s < d.end and d.start < e for s, e in occupied)]
        spans: list[tuple[int, int, PlaceholderFinding, bool]] = []
        for det in resolve_overlaps(found):
            value = window[det.start : det.end]
            known = mapping.placeholder_for(det.entity_type, value)
            if known is not None:
                parsed = TOLERANT_RE.fullmatch(known)
                number = int(parsed.group(2)) if parsed else None
                finding = PlaceholderFinding(det.start, det.end, KNOWN, det.entity_type, number, known)
            else:
                finding = PlaceholderFinding(
                    det.start,
                    det.end,
                    INVENTED,
                    det.entity_type,
                    None,
                    marker(INVENTED, det.entity_type, raw_value=True),
                    raw_value=True,
                )
            spans.append((det.start, det.end, finding, True))
        spans.extend((f.start, f.end, f, False) for f in placeholders)
        spans.sort(key=lambda item: item[0])
        return spans
