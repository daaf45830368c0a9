"""Rows of the vault as frozen dataclasses (what the service layer receives)."""

from __future__ import annotations

from dataclasses import dataclass

from agentconsole.domain import CASE_STATUSES, MESSAGE_ROLES, ROLES

__all__ = ["CASE_STATUSES", "MESSAGE_ROLES", "ROLES"]  # re-exported: the vault validates rows with them

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


@dataclass(frozen=True)
class AuditRow:
    """One stored audit entry as the table holds it (``details`` is its canonical JSON text).

    The chain's MAC and its checks belong to the compliance core; this is storage only.
    """

    seq: int
    time: str
    actor: str
    action: str
    subject: str | None
    details: str | None
    mac: bytes


@dataclass(frozen=True)
class ConsentRow:
    """One change of a customer's consent to AI processing."""

    given: bool
    at: str
    agent: str


@dataclass(frozen=True)
class CustomerHoldings:
    """What the vault holds about one customer: counts and case ids, never values."""

    case_ids: tuple[int, ...]
    messages: int
    raw_texts: int
    pii_values: int
    consents: int


@dataclass(frozen=True)
class RetentionCandidates:
    """What a retention run would remove: PII values and raw texts before one cutoff,
    cases idle since another (with their messages)."""

    pii_values: int
    raw_texts: int
    case_ids: tuple[int, ...]
    messages: int
