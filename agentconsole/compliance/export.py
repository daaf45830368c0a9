"""Right of access (GDPR Art. 15, CCPA right to know): everything held about a customer.

:func:`gather` reads one customer's data from an unlocked vault; the texts are
restored to real values by a callable the service passes in (this core does
not import the privacy core). :func:`render` writes it as JSON (machine
readable) or Markdown (for a person), with the processing purposes from the
configuration, the retention periods and the categories of data held.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from agentconsole.compliance.consent import ConsentRecord, ConsentRegistry
from agentconsole.compliance.erasure import CustomerNotFound
from agentconsole.compliance.storage import ExportStore

FORMATS = ("json", "md")
EXPORT_FORMAT = "agentconsole-customer-export"
EXPORT_VERSION = 1

#: ``restore(case_id, masked_text) -> text with the case's real values``.
Restorer = Callable[[int, str], str]


@dataclass(frozen=True)
class ExportedValue:
    placeholder: str
    entity_type: str
    value: str | None  # None: expired under retention (only the placeholder remains)
    collected_at: str


@dataclass(frozen=True)
class ExportedMessage:
    id: int
    role: str
    created_at: str
    text: str


@dataclass(frozen=True)
class ExportedSurvey:
    """A satisfaction survey answer: all that is stored of it (the comment restored)."""

    score: int
    comment: str | None
    answered_at: str


@dataclass(frozen=True)
class ExportedCase:
    id: int
    title: str
    status: str
    created_at: str
    updated_at: str
    messages: list[ExportedMessage] = field(default_factory=list)
    personal_data: list[ExportedValue] = field(default_factory=list)
    surveys: list[ExportedSurvey] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerExport:
    """One customer's data with real values restored. Contains PII: handle as such."""

    customer_ref: str
    display_name: str | None
    customer_since: str
    exported_at: str
    exported_by: str
    purposes: list[str]
    retention: dict[str, int]
    consent_current: bool
    consents: list[ConsentRecord] = field(default_factory=list)
    cases: list[ExportedCase] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """Entity types held (or once held) about the customer."""
        return sorted({v.entity_type for c in self.cases for v in c.personal_data})

    def counts(self) -> dict[str, int]:
        """For the audit entry: sizes, never contents."""
        return {
            "cases": len(self.cases),
            "messages": sum(len(c.messages) for c in self.cases),
            "pii_values": sum(len(c.personal_data) for c in self.cases),
            "consents": len(self.consents),
            "surveys": sum(len(c.surveys) for c in self.cases),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "customer": {"ref": self.customer_ref, "display_name": self.display_name, "since": self.customer_since},
            "exported_at": self.exported_at,
            "exported_by": self.exported_by,
            "purposes": list(self.purposes),
            "retention_days": dict(self.retention),
            "categories": self.categories,
            "consent": {"current": self.consent_current, "history": [c.as_json() for c in self.consents]},
            "cases": [asdict(c) for c in self.cases],
        }


def gather(
    vault: ExportStore,
    customer_ref: str,
    *,
    restore: Restorer,
    purposes: list[str],
    retention: dict[str, int],
    exported_by: str,
    exported_at: str,
) -> CustomerExport:
    """Collect a customer's cases, messages, PII values and consents (values restored)."""
    ref = customer_ref.strip()
    customer = vault.get_customer(ref)
    if customer is None:
        raise CustomerNotFound(f"no customer '{ref}' in the vault")
    consents = ConsentRegistry(vault)
    case_ids = vault.customer_case_ids(customer.id)
    cases = []
    for case_id in case_ids:
        case = vault.get_case(case_id)
        values = [
            ExportedValue(
                placeholder=p.placeholder,
                entity_type=p.entity_type,
                value=None if p.value == p.placeholder else p.value,
                collected_at=p.created_at,
            )
            for p in vault.pii_values(case_id)
        ]
        messages = [
            ExportedMessage(id=m.id, role=m.role, created_at=m.created_at, text=restore(case_id, m.text))
            for m in vault.list_messages(case_id)
        ]
        cases.append(
            ExportedCase(
                id=case.id,
                title=restore(case_id, case.title),
                status=case.status,
                created_at=case.created_at,
                updated_at=case.updated_at,
                messages=messages,
                personal_data=values,
                surveys=[
                    ExportedSurvey(s.score, restore(case_id, s.comment) if s.comment else None, s.created_at)
                    for s in vault.surveys(case_id)
                ],
            )
        )
    history = consents.history(ref)
    return CustomerExport(
        customer_ref=customer.ref,
        display_name=customer.display_name,
        customer_since=customer.created_at,
        exported_at=exported_at,
        exported_by=exported_by,
        purposes=list(purposes),
        retention=dict(retention),
        consent_current=bool(history and history[-1].given),
        consents=history,
        cases=cases,
    )


def render(export: CustomerExport, fmt: str) -> str:
    """The export as ``json`` or ``md`` text."""
    if fmt == "json":
        return json.dumps(export.as_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return render_markdown(export)
    raise ValueError(f"unknown export format {fmt!r}")


def _fence(text: str) -> str:
    """A fenced block that customer text cannot break out of (fence longer than any backtick run)."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _inline(text: str | None) -> str:
    """One line of untrusted text, safe in Markdown prose."""
    flat = " ".join(str(text or "").split())
    return "".join("\\" + ch if ch in "\\`*_[]<>#|!" else ch for ch in flat)


def render_markdown(export: CustomerExport) -> str:
    """A readable report: who we are processing data for, why, how long, and all of it."""
    out = [
        f"# Personal data held about customer {_inline(export.customer_ref)}",
        "",
        f"- Exported at: {export.exported_at} by {_inline(export.exported_by)}",
        f"- Customer since: {export.customer_since}",
    ]
    if export.display_name:
        out.append(f"- Display name: {_inline(export.display_name)}")
    out += [
        f"- Consent to AI processing: {'given' if export.consent_current else 'not given'}",
        "",
        "## Purposes of processing",
        "",
        *[f"- {_inline(p)}" for p in export.purposes],
        "",
        "## Retention",
        "",
        f"- Personal values (names, contacts, numbers) are kept {export.retention.get('pii_values_days')} days, "
        "then replaced by their placeholder.",
        f"- Case transcripts are kept {export.retention.get('transcripts_days')} days after the last activity.",
        "",
        "## Categories of personal data",
        "",
        *([f"- {_inline(c)}" for c in export.categories] or ["- none"]),
        "",
        "## Consent history",
        "",
    ]
    out += [
        f"- {c.at}: {'given' if c.given else 'withdrawn'} (recorded by {_inline(c.agent)})" for c in export.consents
    ]
    if not export.consents:
        out.append("- no consent recorded")
    for case in export.cases:
        out += [
            "",
            f"## Case {case.id}: {_inline(case.title)}",
            "",
            f"- Status: {case.status}; opened {case.created_at}; last activity {case.updated_at}",
            "",
            "### Personal data in this case",
            "",
        ]
        for value in case.personal_data:
            shown = _inline(value.value) if value.value is not None else "(expired under the retention policy)"
            out.append(f"- {_inline(value.placeholder)} ({value.entity_type}, collected {value.collected_at}): {shown}")
        if not case.personal_data:
            out.append("- none")
        if case.surveys:
            out += ["", "### Satisfaction survey answers", ""]
            out += [
                f"- {s.answered_at}: {s.score} of 5" + (f", comment: {_inline(s.comment)}" if s.comment else "")
                for s in case.surveys
            ]
        out += ["", "### Messages", ""]
        for message in case.messages:
            out += [f"**{message.role}**, {message.created_at}:", "", _fence(message.text), ""]
        if not case.messages:
            out.append("- none")
    return "\n".join(out).rstrip() + "\n"
