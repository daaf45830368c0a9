"""The support domain's words, one source for every layer (no imports beyond the standard library).

Roles, who writes messages, the lifecycle of a case and the placeholder
grammar are spelled here once; the vault validates rows with them, the
service enforces them, the UI and the CLI offer them.
"""

from __future__ import annotations

import re

#: Roles a key slot can carry; least privilege is enforced by the service layer.
ROLES: tuple[str, ...] = ("agent", "supervisor", "auditor")

#: Who wrote a message: the customer, the agent, the model (``assistant``: drafts,
#: summaries, answers) or an internal note.
MESSAGE_ROLES: tuple[str, ...] = ("customer", "agent", "assistant", "note")
#: The roles a person writes as (composer, import, ``message add``); only the model writes ``assistant``.
WRITABLE_MESSAGE_ROLES: tuple[str, ...] = ("customer", "agent", "note")

#: Lifecycle of a case: worked on, waiting for the customer, answered, done (see docs/workflow.md for the
#: moves between them). ``resolved`` is admitted in the vault by the workflow subsystem's migration 1.
CASE_STATUSES: tuple[str, ...] = ("open", "pending", "resolved", "closed")
#: Which status may follow which; going back to ``open`` from resolved or closed is reopening.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"pending", "resolved", "closed"}),
    "pending": frozenset({"open", "resolved", "closed"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset({"open"}),
}
CASE_PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
#: How a case list can be ordered: latest activity, most urgent, workflow order, owner, newest.
CASE_LIST_ORDERS: tuple[str, ...] = ("activity", "priority", "status", "owner", "created")
#: What became of a model draft, and why an agent rated one bad (a fixed list: countable, no free text).
DRAFT_OUTCOMES: tuple[str, ...] = ("sent_as_is", "edited", "discarded")
DRAFT_RATINGS: tuple[str, ...] = ("good", "bad")
DRAFT_RATING_REASONS: dict[str, str] = {
    "wrong-facts": "wrong facts",
    "wrong-tone": "wrong tone",
    "invented-data": "invented data",
    "too-long": "too long",
    "other": "other",
}

#: An entity type in a placeholder: upper-case words joined by underscores (``PHONE_NUMBER``).
ENTITY_TYPE_PATTERN = r"[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*"
#: A canonical placeholder, ``<PERSON_1>``: group 1 the entity type, group 2 its number in the case.
PLACEHOLDER_PATTERN = rf"<({ENTITY_TYPE_PATTERN})_([1-9][0-9]{{0,5}})>"
PLACEHOLDER_RE = re.compile(PLACEHOLDER_PATTERN)
#: Words of the integrity markers a draft may carry instead of a placeholder (see privacy.streaming).
MARKER_WORDS: tuple[str, ...] = ("INVENTED", "DAMAGED", "MODEL_INVENTED")
#: An integrity marker, ``<INVENTED PHONE_NUMBER_2>`` or ``<MODEL_INVENTED PHONE_NUMBER>``: group 1
#: the marker word, group 2 the entity type, group 3 the number if any. No placeholder grammar
#: matches it, so nothing ever restores it.
MARKER_PATTERN = rf"<({'|'.join(MARKER_WORDS)}) ({ENTITY_TYPE_PATTERN}?)(?:_([0-9]{{1,6}}))?>"
MARKER_RE = re.compile(MARKER_PATTERN)


def placeholder(entity_type: str, number: int) -> str:
    """The canonical placeholder for the *number*-th value of *entity_type* in a case."""
    return f"<{entity_type}_{number}>"
