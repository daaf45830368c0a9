"""The workflow's rules: statuses and their transitions, priorities, tags, draft outcomes and ratings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from agentconsole.domain import (
    CASE_PRIORITIES,
    CASE_STATUSES,
    CASE_TRANSITIONS,
    DRAFT_RATING_REASONS,
    DRAFT_RATINGS,
)
from agentconsole.errors import AgentConsoleError

#: The domain's words under the names this core uses (agentconsole.domain spells them once).
STATUSES = CASE_STATUSES
TRANSITIONS = CASE_TRANSITIONS
PRIORITIES = CASE_PRIORITIES
RATINGS = DRAFT_RATINGS
RATING_REASONS = tuple(DRAFT_RATING_REASONS)
REASON_LABELS = DRAFT_RATING_REASONS
#: Draft kinds whose unused drafts count as discarded once a reply is sent or the case is resolved.
REPLY_KINDS = frozenset({"reply"})

MAX_TAGS = 20
_TAG = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,31}")
#: Texts longer than this are compared on their first this-many characters (difflib is quadratic).
MAX_COMPARED_CHARS = 20_000


class WorkflowError(AgentConsoleError):
    """A workflow change that is not allowed (a transition, a tag, a rating...)."""

    exit_code = 2


def check_transition(current: str, new: str) -> None:
    """Raise :class:`WorkflowError` unless a case in ``current`` may move to ``new``."""
    if new not in STATUSES:
        raise WorkflowError(f"unknown case status '{new}' (use {', '.join(STATUSES)})")
    if new == current:
        raise WorkflowError(f"the case is already {new}")
    if new not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(s for s in STATUSES if s in TRANSITIONS.get(current, frozenset()))
        raise WorkflowError(f"a {current} case cannot become {new} (it can become: {allowed})")


def check_priority(priority: str) -> str:
    value = priority.strip().lower()
    if value not in PRIORITIES:
        raise WorkflowError(f"unknown priority '{priority}' (use {', '.join(PRIORITIES)})")
    return value


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Lowercase, de-duplicated tags in the order given; refuses anything but short plain labels.

    Tags are labels (``billing``, ``vip``, ``refund:partial``): 1-32 of a-z, 0-9, ``_.:-``, no spaces.
    They are shown in the case list and written in audit entries, so they cannot hold free text.
    """
    out: list[str] = []
    for raw in tags:
        for part in raw.replace(",", " ").split():
            tag = part.strip().lower().lstrip("#")
            if not _TAG.fullmatch(tag):
                raise WorkflowError(
                    f"a tag is 1-32 letters, digits or '_.:-' starting with a letter or digit: {part[:40]!r}"
                )
            if tag not in out:
                out.append(tag)
    if not out:
        raise WorkflowError("name at least one tag")
    if len(out) > MAX_TAGS:
        raise WorkflowError(f"at most {MAX_TAGS} tags at a time")
    return out


def check_rating(rating: str, reason: str | None) -> tuple[str, str | None]:
    """``(rating, reason)`` validated: a bad rating needs a reason from :data:`RATING_REASONS`."""
    rating = rating.strip().lower()
    if rating not in RATINGS:
        raise WorkflowError(f"rate a draft good or bad, not '{rating}'")
    if reason is not None:
        reason = reason.strip().lower().replace(" ", "-").replace("_", "-")
        if reason not in RATING_REASONS:
            raise WorkflowError(f"unknown reason '{reason}' (use {', '.join(RATING_REASONS)})")
    if rating == "bad" and reason is None:
        raise WorkflowError(f"say why the draft is bad: --reason {'|'.join(RATING_REASONS)}")
    return rating, reason


def edit_ratio(draft: str, sent: str) -> float:
    """How much of the draft was changed: 0.0 (identical) to 1.0 (nothing in common).

    ``1 - difflib.SequenceMatcher.ratio()`` over the masked texts (placeholders on
    both sides, so a real value typed where the draft had its placeholder counts
    as unchanged once masked). Whitespace at either end is ignored.
    """
    a, b = draft.strip()[:MAX_COMPARED_CHARS], sent.strip()[:MAX_COMPARED_CHARS]
    if a == b:
        return 0.0
    return round(1.0 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def classify_sent_draft(draft: str, sent: str) -> tuple[str, float]:
    """``("sent_as_is", 0.0)`` when the sent text is the draft, else ``("edited", ratio)``."""
    ratio = edit_ratio(draft, sent)
    return ("sent_as_is", 0.0) if ratio == 0.0 else ("edited", max(ratio, 0.0001))
