"""The workflow core's rules: transitions, tags, ratings, edit ratio, survey template and scores; report shapes."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from agentconsole.workflow import metrics, report, rules, survey
from agentconsole.workflow.rules import WorkflowError


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("open", "pending"),
        ("open", "resolved"),
        ("pending", "open"),
        ("resolved", "open"),
        ("resolved", "closed"),
        ("closed", "open"),
        ("open", "closed"),
        ("pending", "resolved"),
    ],
)
def test_allowed_transitions(current: str, new: str) -> None:
    rules.check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("open", "open", "already open"),
        ("closed", "resolved", "a closed case cannot become resolved (it can become: open)"),
        ("resolved", "pending", "a resolved case cannot become pending"),
        ("open", "done", "unknown case status 'done'"),
    ],
)
def test_refused_transitions(current: str, new: str, message: str) -> None:
    with pytest.raises(WorkflowError, match=re.escape(message)):
        rules.check_transition(current, new)


def test_tags_are_short_plain_labels() -> None:
    assert rules.normalize_tags(["Billing", "#vip,refund:partial", "billing"]) == ["billing", "vip", "refund:partial"]
    for bad in (["john smith@example.com"], ["a" * 33], ["-x"], [""]):
        with pytest.raises(WorkflowError):
            rules.normalize_tags(bad)


def test_ratings_need_a_listed_reason_when_bad() -> None:
    assert rules.check_rating("good", None) == ("good", None)
    assert rules.check_rating("BAD", "invented data") == ("bad", "invented-data")
    with pytest.raises(WorkflowError, match="say why"):
        rules.check_rating("bad", None)
    with pytest.raises(WorkflowError, match="unknown reason"):
        rules.check_rating("bad", "the customer is John")
    with pytest.raises(WorkflowError, match="good or bad"):
        rules.check_rating("meh", None)


def test_sent_drafts_are_classified_by_edit_ratio() -> None:
    draft = "Hello <PERSON_1>, your refund is on its way."
    assert rules.classify_sent_draft(draft, draft + "\n") == ("sent_as_is", 0.0)
    outcome, ratio = rules.classify_sent_draft(draft, draft.replace("on its way", "sent today"))
    assert outcome == "edited" and 0.1 < ratio < 0.3
    assert rules.classify_sent_draft(draft, "Completely different words!")[1] > 0.7
    assert rules.classify_sent_draft("abc", "abd")[0] == "edited"


def test_survey_message_and_scores() -> None:
    template = survey.SurveyTemplate("emoji", "Case {case}: rate us with {scale}.\n{usage}", "Used to improve support.")
    text = survey.survey_message(template, 42)
    assert text.startswith("Case 42: rate us with one of 😞 🙁 😐 🙂 😄") and text.endswith("Used to improve support.")
    with pytest.raises(WorkflowError, match=r"unknown field\(s\) \{name\}"):
        survey.survey_message(survey.SurveyTemplate("numeric", "Dear {name} {usage}", "x"), 1)
    with pytest.raises(WorkflowError, match="must contain \\{usage\\}"):
        survey.survey_message(survey.SurveyTemplate("numeric", "Rate {scale}", "x"), 1)
    assert [survey.parse_score(s) for s in ("1", " 5 ", "😞", "😄")] == [1, 5, 1, 5]
    for bad in ("0", "6", "4.5", "great"):
        with pytest.raises(WorkflowError):
            survey.parse_score(bad)
    assert survey.check_comment("  ") is None and survey.check_comment(" ok ") == "ok"


@dataclass(frozen=True)
class Case:
    status: str
    created_at: str
    first_response_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None


@dataclass(frozen=True)
class Draft:
    kind: str
    model: str | None
    created_at: str
    outcome: str | None = None
    edit_ratio: float | None = None
    rating: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Answer:
    score: int
    created_at: str


NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def t(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def test_figures_by_hand() -> None:
    cases = [
        Case("open", t(0.25)),
        Case("resolved", t(3), first_response_at=t(2.9), resolved_at=t(2)),
        Case("closed", t(60), first_response_at=t(59), closed_at=t(1)),  # closed without resolving
        Case("pending", "2026-06-20T10:00:00+02:00"),  # an imported time with an offset
    ]
    drafts = [
        Draft("reply", "m1", t(1), "sent_as_is", 0.0, "good"),
        Draft("reply", "m1", t(1), "edited", 0.5, "bad", "too-long"),
        Draft("reply", None, t(1), "discarded"),
        Draft("answer", "m2", t(40), "edited", 0.1),  # before the period
    ]
    answers = [Answer(5, t(1)), Answer(3, t(2)), Answer(1, t(45))]
    events = [metrics.Disclosure("ann", "reveal", t(1)), metrics.Disclosure("ann", "copy", t(90))]
    figures = metrics.build_report(
        cases=cases, drafts=drafts, surveys=answers, disclosures=events, since=NOW - timedelta(days=30), now=NOW
    )
    assert figures["cases"] == {
        "total": 4,
        "open": 1,
        "pending": 1,
        "resolved": 1,
        "closed": 1,
        "created": 3,
        "age": {"lt_1d": 1, "1_3d": 0, "3_7d": 0, "gt_7d": 1},
    }
    assert figures["first_response"] == {"count": 1, "mean_minutes": 144.0, "median_minutes": 144.0}
    assert figures["resolution"] == {"count": 2, "mean_hours": 720.0, "median_hours": 720.0}
    drafts_fig = figures["drafts"]
    assert (drafts_fig["total"], drafts_fig["acceptance_rate"], drafts_fig["mean_edit_ratio"]) == (3, 0.3333, 0.5)
    assert list(drafts_fig["by_model"]) == ["m1", "unknown"] and list(drafts_fig["by_task"]) == ["reply"]
    assert figures["csat"]["mean"] == 4.0 and figures["csat"]["distribution"]["5"] == 1
    assert figures["reveals"] == {"total": 1, "by_agent": {"ann": 1}} and figures["copies"]["total"] == 0

    flat = json.loads(report.render_json(figures))
    assert flat["csat.mean"] == 4.0 and flat["csat"]["count"] == 2 and flat["drafts.reasons.too-long"] == 1
    rows = dict(csv.reader(io.StringIO(report.render_csv(figures))))
    assert rows["cases.age.gt_7d"] == "1" and rows["first_response.median_minutes"] == "144.0"
    assert "2 answers, mean 4 / 5" in report.render_table(figures)
    empty = metrics.build_report(cases=[], drafts=[], surveys=[], disclosures=[], since=None, now=NOW)
    assert empty["csat"]["mean"] is None and empty["drafts"]["acceptance_rate"] is None
    assert "0 answers, mean - / 5" in report.render_table(empty)
