"""Training-data export: consenting customers' masked conversations, scrubbed again.

What goes out (one JSON object per conversation, JSON lines):

* only cases of customers whose latest consent for ``model-improvement`` is given;
* only the customer's and the agent's turns (no internal notes, no unsent drafts);
* each line of each turn re-scanned by the PII engine with stricter thresholds
  (the service passes the scanner): a line with any hit outside a placeholder is
  dropped and counted, and so is a line holding any value of the vault's PII
  table or any customer reference (belt and braces against a value the first
  masking missed);
* placeholders renumbered per conversation in order of appearance, so numbers
  carry nothing across conversations; customers are ``conversation-0001``...

The :class:`TrainingExportReport` says how many lines were dropped and why.
This module runs no SQL and imports no other core: the vault and the scanner
are passed in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

MODEL_IMPROVEMENT = "model-improvement"
EXPORTED_ROLES = ("customer", "agent")
#: The placeholder grammar (``<TYPE_n>``), as the privacy core writes it.
PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*)_([1-9][0-9]{0,5})>")
_MIN_SUBSTRING_VALUE = 3  # shorter known values (initials) are matched as whole words only

#: ``scan(line) -> [(entity_type, start, end)]``: the stricter PII engine.
Scanner = Callable[[str], Sequence[tuple[str, int, int]]]


class TrainingSource(Protocol):
    """What the export reads from the unlocked vault."""

    def customers_consenting(self, purpose: str) -> list[int]: ...
    def list_customers(self) -> list[Any]: ...
    def customer_case_ids(self, customer_id: int) -> list[int]: ...
    def list_messages(self, case_id: int) -> list[Any]: ...
    def pii_values(self, case_id: int) -> list[Any]: ...
    def list_cases(self, status: str | None = None, limit: int = 500) -> list[Any]: ...


@dataclass
class TrainingExportReport:
    conversations: int = 0
    messages: int = 0
    lines_kept: int = 0
    lines_dropped: Counter[str] = field(default_factory=Counter)
    customers_consenting: int = 0
    customers_without_consent: int = 0
    cases_below_csat: int = 0
    csat_applied: bool = False

    def as_details(self) -> dict[str, Any]:
        """Counts only: what the audit entry records."""
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "lines_kept": self.lines_kept,
            "lines_dropped": sum(self.lines_dropped.values()),
            "dropped_by_reason": dict(sorted(self.lines_dropped.items())),
            "customers_without_consent": self.customers_without_consent,
        }

    def describe(self) -> str:
        dropped = sum(self.lines_dropped.values())
        reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.lines_dropped.items())) or "none"
        lines = [
            f"exported {self.conversations} conversations ({self.messages} messages, {self.lines_kept} lines) "
            f"of {self.customers_consenting} consenting customers",
            f"dropped {dropped} lines with residual personal data ({reasons})",
            f"left out {self.customers_without_consent} customers without consent to model improvement",
        ]
        if self.csat_applied:
            lines.append(f"left out {self.cases_below_csat} conversations below the CSAT threshold")
        return "\n".join(lines)


class _KnownValues:
    """Every value of the PII table (and every customer reference), matched case-insensitively."""

    def __init__(self, values: Iterable[str]) -> None:
        long_values: list[str] = []
        short_values: list[str] = []
        for value in {v.strip().casefold() for v in values if v and v.strip()}:
            (long_values if len(value) >= _MIN_SUBSTRING_VALUE else short_values).append(value)
        self._long = sorted(long_values, key=len, reverse=True)
        self._short = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(short_values, key=len, reverse=True)) + r")(?!\w)"
            )
            if short_values
            else None
        )

    def found_in(self, line: str) -> bool:
        folded = line.casefold()
        if any(v in folded for v in self._long):
            return True
        return bool(self._short and self._short.search(folded))


def _renumber(line: str, numbers: dict[str, str], counters: Counter[str]) -> str:
    def swap(match: re.Match[str]) -> str:
        placeholder = match.group(0)
        if placeholder not in numbers:
            kind = match.group(1)
            counters[kind] += 1
            numbers[placeholder] = f"<{kind}_{counters[kind]}>"
        return numbers[placeholder]

    return PLACEHOLDER_RE.sub(swap, line)


def _residual_hits(line: str, scan: Scanner) -> list[str]:
    spans = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(line)]
    hits = []
    for entity, start, end in scan(line):
        if any(s < end and start < e for s, e in spans):
            continue  # the placeholder itself
        hits.append(entity)
    return hits


def export_training(
    source: TrainingSource,
    scan: Scanner,
    *,
    since: str | None = None,
    csat_of: Callable[[int], int | None] | None = None,
    min_csat: int | None = None,
) -> tuple[list[dict[str, Any]], TrainingExportReport]:
    """The conversations to write and the report. ``since`` (UTC ISO text) keeps messages at or after it."""
    report = TrainingExportReport(csat_applied=csat_of is not None and min_csat is not None)
    consenting = set(source.customers_consenting(MODEL_IMPROVEMENT))
    customers = source.list_customers()
    report.customers_consenting = len([c for c in customers if c.id in consenting])
    report.customers_without_consent = len(customers) - report.customers_consenting
    known_texts: list[str] = [str(c.ref) for c in customers]
    known_texts += [str(c.display_name) for c in customers if c.display_name]
    for case in source.list_cases(limit=1_000_000):
        known_texts += [str(p.value) for p in source.pii_values(case.id) if p.value != p.placeholder]
    known = _KnownValues(known_texts)
    conversations: list[dict[str, Any]] = []
    for customer in sorted((c for c in customers if c.id in consenting), key=lambda c: c.id):
        for case_id in source.customer_case_ids(customer.id):
            if report.csat_applied and csat_of is not None and min_csat is not None:
                score = csat_of(case_id)
                if score is None or score < min_csat:
                    report.cases_below_csat += 1
                    continue
            turns = _scrubbed_turns(source.list_messages(case_id), scan, known, since, report)
            if turns:
                report.conversations += 1
                report.messages += len(turns)
                conversations.append({"conversation": f"conversation-{report.conversations:04d}", "messages": turns})
    return conversations, report


def _scrubbed_turns(
    messages: Iterable[Any], scan: Scanner, known: _KnownValues, since: str | None, report: TrainingExportReport
) -> list[dict[str, str]]:
    numbers: dict[str, str] = {}
    counters: Counter[str] = Counter()
    turns: list[dict[str, str]] = []
    for message in messages:
        if message.role not in EXPORTED_ROLES or (since and str(message.created_at) < since):
            continue
        kept: list[str] = []
        for line in str(message.text).split("\n"):
            if not line.strip():
                kept.append(line)
                continue
            if known.found_in(line):
                report.lines_dropped["known_value"] += 1
                continue
            hits = _residual_hits(line, scan)
            if hits:
                report.lines_dropped[f"residual_{sorted(hits)[0]}"] += 1
                continue
            kept.append(_renumber(line, numbers, counters))
            report.lines_kept += 1
        text = "\n".join(kept).strip()
        if text:
            turns.append({"role": message.role, "text": text})
    return turns


def to_jsonl(conversations: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in conversations)
