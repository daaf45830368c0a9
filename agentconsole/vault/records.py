"""Rows of the vault as frozen dataclasses (what the service layer receives)."""

from __future__ import annotations

from dataclasses import dataclass

#: Roles a key slot can carry; least privilege is enforced by the service layer.
ROLES = ("agent", "supervisor", "auditor")
#: Who wrote a message.
MESSAGE_ROLES = ("customer", "agent", "assistant", "note")
#: Lifecycle of a case.
CASE_STATUSES = ("open", "pending", "closed")

#: Search snippets wrap each matched term in these control characters
#: (STX ... ETX): they cannot be typed, so they never collide with message text.
SNIPPET_START = "\x02"
SNIPPET_END = "\x03"


@dataclass(frozen=True)
class Customer:
    id: int
    ref: str
    display_name: str | None
    created_at: str


@dataclass(frozen=True)
class Case:
    id: int
    customer_id: int
    customer_ref: str
    title: str
    status: str
    created_at: str
    updated_at: str
    message_count: int


@dataclass(frozen=True)
class Message:
    id: int
    case_id: int
    role: str
    text: str
    created_at: str
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    ttft_ms: float | None = None
    decode_tokens_per_s: float | None = None
    raw_text: str | None = None
    kind: str | None = None  # model messages: "reply" | "summary" | "answer"
    question: str | None = None  # the agent's question an answer replies to (masked)


@dataclass(frozen=True)
class PiiValue:
    case_id: int
    placeholder: str
    entity_type: str
    value: str
    created_at: str

    def __repr__(self) -> str:  # keep PII out of logs and tracebacks
        return f"PiiValue(case_id={self.case_id}, placeholder={self.placeholder!r}, entity_type={self.entity_type!r})"


@dataclass(frozen=True)
class SearchHit:
    """One matching message. ``rank`` is the bm25 score: lower (more negative) is better."""

    case_id: int
    message_id: int
    case_title: str
    snippet: str
    rank: float
