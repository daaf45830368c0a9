"""Streaming: restore placeholders in token deltas, and mask PII the model invents.

Both classes are chunking-invariant: whatever the split of the model's output
into deltas, the concatenation of everything ``feed`` and ``flush`` return is
the same text (the tests try every split point).

Typical pipeline for a draft::

    masker = OutputMasker(engine, mapping)          # raw PII the model made up -> placeholders
    chips = StreamRestorer(mapping, restore_values=False)   # for the screen (chips)
    for delta in tokens:
        ui.append(chips.feed(masker.feed(delta)))
    ui.append(chips.feed(masker.flush()) + chips.flush())
    vault.add(masker.new_entries)
"""

from __future__ import annotations

from typing import Any

import regex

from agentconsole.privacy.engine import Detection, apply_mask, known_value_detections, resolve_overlaps
from agentconsole.privacy.placeholders import (
    MAX_PLACEHOLDER_CHARS,
    TOLERANT_RE,
    CaseMapping,
    _replace_known,
)

# The same grammar as TOLERANT_RE, for partial matching of a held-back tail.
_PARTIAL_RE = regex.compile(TOLERANT_RE.pattern)


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
        return _replace_known(ready, self._mapping, self._restore_values)

    def flush(self) -> str:
        """End of stream: everything held back, restored."""
        ready, self._pending = self._pending, ""
        return _replace_known(ready, self._mapping, self._restore_values)

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


class OutputMasker:
    """Masks raw PII in the model's streamed output, releasing text at word boundaries.

    Shape/context recognizers only (e-mail, phone, card, IBAN, account and id
    numbers, addresses...; no NER: a half-arrived sentence would change its
    verdict). Text is released only up to a whitespace that lies at least
    ``HOLD`` characters before the end of what has arrived, and never inside a
    detection, so every entity is judged on the same text whatever the
    chunking. Policy for values: a value equal (normalized) to one the case
    already knows gets that placeholder; a new value gets a new placeholder,
    added to ``mapping`` and listed in :attr:`new_entries` for the vault, so
    the agent can reveal what the model wrote like any other value.
    """

    HOLD = 64  # longer than any entity we mask + its right-hand context
    LEFT = 64  # left context kept from released text (context words like "call")

    def __init__(self, engine: Any, mapping: CaseMapping) -> None:
        self._engine = engine
        self._mapping = mapping
        self._pending = ""
        self._released_tail = ""
        self.new_entries: list[tuple[str, str, str]] = []
        self.entities_masked = 0

    def feed(self, delta: str) -> str:
        """Add a delta; return masked text that is final."""
        if not delta:
            return ""
        self._pending += delta
        limit = len(self._pending) - self.HOLD
        if limit <= 0:
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
        """End of stream: mask and return everything held back."""
        return self._release(len(self._pending), final=True)

    def _release(self, cut: int, final: bool = False) -> str:
        left = self._released_tail
        window = left + self._pending
        offset = len(left)
        detections = self._detections(window)
        if not final:
            # never cut through a detection: move the cut before it
            moved = True
            while moved:
                moved = False
                for det in detections:
                    if det.start < offset + cut < det.end:
                        cut = max(0, det.start - offset)
                        moved = True
        if cut <= 0:
            return ""
        ready = self._pending[:cut]
        inside = [
            Detection(d.start - offset, d.end - offset, d.entity_type, d.score)
            for d in detections
            if d.start >= offset and d.end <= offset + cut
        ]
        result = apply_mask(ready, inside, self._mapping)
        self.new_entries.extend(result.new_entries)
        self.entities_masked += len(result.entities)
        self._pending = self._pending[cut:]
        self._released_tail = (left + ready)[-self.LEFT:]
        return result.masked

    def _detections(self, window: str) -> list[Detection]:
        found = self._engine.detect_patterns(window) + known_value_detections(window, self._mapping)
        placeholders = [m.span() for m in TOLERANT_RE.finditer(window)]
        found = [d for d in found if not any(s < d.end and d.start < e for s, e in placeholders)]
        return resolve_overlaps(found)
