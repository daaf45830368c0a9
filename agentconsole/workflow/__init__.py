"""Case workflow, feedback on AI drafts, satisfaction surveys and the figures a supervisor reads.

Headless core: the rules (which status may follow which, what a tag is, how a
sent draft is classified, what a survey says and accepts) and the arithmetic
of the report and dashboard. It never imports textual, the vault or another
core: the service reads rows through the vault's workflow repository and
hands them in. See ``docs/workflow.md``.
"""

from agentconsole.domain import DRAFT_OUTCOMES
from agentconsole.workflow.rules import (
    PRIORITIES,
    RATING_REASONS,
    RATINGS,
    STATUSES,
    WorkflowError,
    check_transition,
    classify_sent_draft,
    normalize_tags,
)

__all__ = [
    "DRAFT_OUTCOMES",
    "PRIORITIES",
    "RATINGS",
    "RATING_REASONS",
    "STATUSES",
    "WorkflowError",
    "check_transition",
    "classify_sent_draft",
    "normalize_tags",
]
