"""Customer satisfaction (CSAT) surveys: the message offered on resolving a case, and reading the answer.

The survey asks for one score (1-5, as digits or as five emoji) and an
optional comment, and says in one line how the answer is used. Only the score,
the masked comment, the case and the time are stored (see the vault's
workflow repository); nothing identifies the respondent beyond the case.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from agentconsole.workflow.rules import WorkflowError

SCALES = ("numeric", "emoji")
#: The emoji scale, worst to best: the n-th emoji is score n.
EMOJI = ("😞", "🙁", "😐", "🙂", "😄")
SCORE_WORDS = {1: "very dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied", 5: "very satisfied"}
TEMPLATE_FIELDS = frozenset({"case", "scale", "usage"})
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class SurveyTemplate:
    """What ``[survey]`` in the configuration says (defaults in ``config.SurveySettings``)."""

    scale: str
    template: str
    usage: str


def check_template(template: str) -> None:
    """Refuse a template with fields other than ``{case}``, ``{scale}``, ``{usage}`` (or broken braces)."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise WorkflowError(f"survey.template is not a valid template: {exc}") from None
    unknown = sorted(fields - TEMPLATE_FIELDS)
    if unknown:
        raise WorkflowError(
            f"survey.template has unknown field(s) {', '.join('{' + f + '}' for f in unknown)} "
            f"(use {', '.join('{' + f + '}' for f in sorted(TEMPLATE_FIELDS))})"
        )
    if "{usage}" not in template:
        raise WorkflowError("survey.template must contain {usage}: say how the answer will be used")


def scale_text(scale: str) -> str:
    if scale == "emoji":
        return "one of " + " ".join(EMOJI) + " (worst to best)"
    if scale == "numeric":
        return "a number from 1 (very dissatisfied) to 5 (very satisfied)"
    raise WorkflowError(f"unknown survey scale '{scale}' (use {' or '.join(SCALES)})")


def survey_message(survey: SurveyTemplate, case_id: int) -> str:
    """The survey message for a resolved case, from the configured template."""
    check_template(survey.template)
    return survey.template.format(case=case_id, scale=scale_text(survey.scale), usage=survey.usage.strip()).strip()


def parse_score(text: str) -> int:
    """A score 1-5 from digits or from one of the scale's emoji."""
    value = text.strip()
    if value in EMOJI:
        return EMOJI.index(value) + 1
    if value.isdigit() and 1 <= int(value) <= 5:
        return int(value)
    raise WorkflowError(f"a survey score is 1 to 5 or one of {' '.join(EMOJI)}, not '{value[:20]}'")


def check_comment(comment: str | None) -> str | None:
    """The comment stripped (None when empty); refused past :data:`MAX_COMMENT_CHARS`."""
    if comment is None or not comment.strip():
        return None
    if len(comment) > MAX_COMMENT_CHARS:
        raise WorkflowError(f"a survey comment is at most {MAX_COMMENT_CHARS} characters")
    return comment.strip()
