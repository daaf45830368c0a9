"""The supervisor's figures: cases by status and age, response and resolution times, draft
outcomes and ratings by task and model, CSAT, reveals and copies per agent.

Pure arithmetic over rows the service reads from the vault (any object with
the attributes of the Protocols below). :func:`build_report` returns one nested
dict, ready for JSON; :func:`flatten` gives the same figures as dotted keys
(``csat.mean``, ``drafts.sent_as_is``...) for CSV and monitoring.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from agentconsole.domain import DRAFT_OUTCOMES
from agentconsole.workflow.rules import RATING_REASONS

#: Ages of the cases still being worked on (open or pending), as of now.
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("lt_1d", timedelta(days=1)),
    ("1_3d", timedelta(days=3)),
    ("3_7d", timedelta(days=7)),
    ("gt_7d", None),
)
#: Up to this many days the CSAT series is per day, beyond it per week (Monday).
DAILY_SERIES_DAYS = 31

Figures = dict[str, object]


class CaseTimesRow(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def first_response_at(self) -> str | None: ...
    @property
    def resolved_at(self) -> str | None: ...
    @property
    def closed_at(self) -> str | None: ...


class DraftFeedbackRow(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def created_at(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def edit_ratio(self) -> float | None: ...
    @property
    def rating(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...


class SurveyAnswerRow(Protocol):
    @property
    def score(self) -> int: ...
    @property
    def created_at(self) -> str: ...


@dataclass(frozen=True)
class Disclosure:
    """One reveal or copy from the audit log: who, what (``reveal``/``copy``), when."""

    actor: str
    action: str
    time: str


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime (a time without offset is taken as UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """``[since, until)``; ``since`` None is all time."""

    since: datetime | None
    until: datetime

    def __contains__(self, when: datetime) -> bool:
        return (self.since is None or when >= self.since) and when < self.until

    def as_json(self) -> Figures:
        return {"since": self.since.isoformat() if self.since else None, "until": self.until.isoformat()}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def case_figures(cases: Sequence[CaseTimesRow], period: Period, now: datetime) -> Figures:
    """Cases by status (now), age of the unresolved ones, how many opened in the period."""
    by_status = Counter(c.status for c in cases)
    ages = dict.fromkeys((name for name, _ in AGE_BUCKETS), 0)
    for case in cases:
        if case.status in ("open", "pending"):
            age = now - parse_time(case.created_at)
            name = next(n for n, limit in AGE_BUCKETS if limit is None or age < limit)
            ages[name] += 1
    return {
        "total": len(cases),
        "open": by_status["open"],
        "pending": by_status["pending"],
        "resolved": by_status["resolved"],
        "closed": by_status["closed"],
        "created": sum(1 for c in cases if parse_time(c.created_at) in period),
        "age": ages,
    }


def response_figures(cases: Sequence[CaseTimesRow], period: Period) -> tuple[Figures, Figures]:
    """First-response minutes (cases opened in the period) and resolution hours (resolved in it)."""
    first: list[float] = []
    resolution: list[float] = []
    for case in cases:
        opened = parse_time(case.created_at)
        if case.first_response_at and opened in period:
            first.append(max(0.0, (parse_time(case.first_response_at) - opened).total_seconds() / 60))
        done = case.resolved_at or case.closed_at
        if done and case.status in ("resolved", "closed") and parse_time(done) in period:
            resolution.append(max(0.0, (parse_time(done) - opened).total_seconds() / 3600))
    return (
        {"count": len(first), "mean_minutes": _mean(first), "median_minutes": _median(first)},
        {"count": len(resolution), "mean_hours": _mean(resolution), "median_hours": _median(resolution)},
    )


def _draft_group(drafts: Sequence[DraftFeedbackRow]) -> Figures:
    outcomes = Counter(d.outcome for d in drafts)
    decided = sum(outcomes[o] for o in DRAFT_OUTCOMES)
    ratios = [d.edit_ratio for d in drafts if d.outcome == "edited" and d.edit_ratio is not None]
    reasons = Counter(d.reason for d in drafts if d.rating == "bad" and d.reason)
    return {
        "total": len(drafts),
        "sent_as_is": outcomes["sent_as_is"],
        "edited": outcomes["edited"],
        "discarded": outcomes["discarded"],
        "undecided": len(drafts) - decided,
        "acceptance_rate": _rate(outcomes["sent_as_is"], decided),
        "edit_rate": _rate(outcomes["edited"], decided),
        "discard_rate": _rate(outcomes["discarded"], decided),
        "mean_edit_ratio": round(statistics.fmean(ratios), 4) if ratios else None,
        "rated_good": sum(1 for d in drafts if d.rating == "good"),
        "rated_bad": sum(1 for d in drafts if d.rating == "bad"),
        "reasons": {reason: reasons[reason] for reason in RATING_REASONS},
    }


def draft_figures(drafts: Sequence[DraftFeedbackRow], period: Period) -> Figures:
    """Outcomes, edit ratio and ratings of the drafts written in the period: overall, by task, by model."""
    shown = [d for d in drafts if parse_time(d.created_at) in period]
    figures = _draft_group(shown)
    figures["by_task"] = {k: _draft_group([d for d in shown if d.kind == k]) for k in sorted({d.kind for d in shown})}
    models = sorted({d.model or "unknown" for d in shown})
    figures["by_model"] = {m: _draft_group([d for d in shown if (d.model or "unknown") == m]) for m in models}
    return figures


def _bucket(when: datetime, weekly: bool) -> str:
    day = when.date()
    return (day - timedelta(days=day.weekday())).isoformat() if weekly else day.isoformat()


def csat_figures(surveys: Sequence[SurveyAnswerRow], period: Period) -> Figures:
    """Count, mean, share satisfied (4 or 5), distribution, and a per-day (or per-week) series."""
    shown = [(parse_time(s.created_at), int(s.score)) for s in surveys]
    shown = [(when, score) for when, score in shown if when in period]
    scores = [score for _, score in shown]
    start = period.since or min((when for when, _ in shown), default=period.until)
    weekly = (period.until - start).days > DAILY_SERIES_DAYS
    series: dict[str, list[int]] = {}
    for when, score in sorted(shown):
        series.setdefault(_bucket(when, weekly), []).append(score)
    return {
        "count": len(scores),
        "mean": round(statistics.fmean(scores), 2) if scores else None,
        "satisfied_rate": _rate(sum(1 for s in scores if s >= 4), len(scores)),
        "distribution": {str(n): scores.count(n) for n in range(1, 6)},
        "bucket": "week" if weekly else "day",
        "series": [
            {"start": key, "count": len(values), "mean": round(statistics.fmean(values), 2)}
            for key, values in series.items()
        ],
    }


def disclosure_figures(events: Iterable[Disclosure], period: Period) -> tuple[Figures, Figures]:
    """Reveals and copies (from the audit log) per agent in the period."""
    counts: dict[str, Counter[str]] = {"reveal": Counter(), "copy": Counter()}
    for event in events:
        if event.action in counts and parse_time(event.time) in period:
            counts[event.action][event.actor] += 1
    return tuple(  # type: ignore[return-value]
        {"total": sum(counts[a].values()), "by_agent": dict(sorted(counts[a].items()))} for a in ("reveal", "copy")
    )


def build_report(
    *,
    cases: Sequence[CaseTimesRow],
    drafts: Sequence[DraftFeedbackRow],
    surveys: Sequence[SurveyAnswerRow],
    disclosures: Iterable[Disclosure],
    since: datetime | None,
    now: datetime,
    until: datetime | None = None,
) -> Figures:
    """Every figure of the report and the dashboard for ``[since, until)`` (``until`` defaults to now)."""
    period = Period(since, until or now)
    first, resolution = response_figures(cases, period)
    reveals, copies = disclosure_figures(disclosures, period)
    return {
        "period": period.as_json(),
        "cases": case_figures(cases, period, now),
        "first_response": first,
        "resolution": resolution,
        "drafts": draft_figures(drafts, period),
        "csat": csat_figures(surveys, period),
        "reveals": reveals,
        "copies": copies,
    }


def flatten(figures: Figures, prefix: str = "") -> dict[str, object]:
    """Nested figures as dotted keys (``csat.distribution.5``); lists (the CSAT series) are left out."""
    flat: dict[str, object] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif not isinstance(value, list):
            flat[name] = value
    return flat
