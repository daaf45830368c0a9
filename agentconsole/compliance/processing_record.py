"""The record of processing activities, built from the live config and the vault.

:func:`build_record` takes the settings and what only the unlocked vault knows
(users per role, consent counts, erasures and exports in the period, the audit
chain's state) and returns a :class:`ProcessingRecord`, rendered as Markdown or
JSON. Nothing in it is a customer value: counts, categories, hosts and roles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from agentconsole.compliance.jurisdiction import declared_destinations, refusal
from agentconsole.compliance.notice import masked_categories

REPORT_FORMAT = "agentconsole-record-of-processing"


@dataclass(frozen=True)
class VaultFacts:
    """What the unlocked vault contributes (gathered by the service)."""

    users_per_role: dict[str, int]
    consents: dict[str, dict[str, int]]  # purpose -> {"given": n, "withdrawn": n}
    activity: dict[str, int]  # erasures, exports, training exports... in the period
    audit_chain: dict[str, Any]  # ok, entries, reason, head_seq
    forwarding: str  # the SIEM forwarding state, one line


@dataclass(frozen=True)
class ProcessingRecord:
    generated_at: str
    period_since: str
    controller: str
    purposes: list[str]
    consent_purposes: list[str]
    masked_categories: list[dict[str, Any]]
    retention: dict[str, Any]
    storage: list[dict[str, str]]
    processing: list[dict[str, str]]
    destinations: list[dict[str, str]]
    allowed_jurisdictions: list[str]
    vault: VaultFacts
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = REPORT_FORMAT
        return data


def build_record(
    settings: Any, facts: VaultFacts, *, generated_at: str, period_since: str, model_name: str
) -> ProcessingRecord:
    privacy = settings.privacy
    categories = [
        {"entity": entity, "label": label, "threshold": privacy.thresholds.get(entity, privacy.score_threshold)}
        for entity, label in masked_categories(privacy)
    ]
    retention = {
        "pii_values_days": settings.retention.pii_values_days,
        "transcripts_days": settings.retention.transcripts_days,
        "raw_text_kept": settings.compliance.keep_raw_text,
        "consent_required_for_ai": settings.consent.required,
    }
    storage = [
        {
            "what": "transcripts (masked), PII values, consents, audit log",
            "where": f"this machine: {settings.vault_path} (SQLCipher, AES-256)",
            "jurisdiction": "local",
        },
        {
            "what": "audit anchor (seq and MAC only)",
            "where": f"this machine: {settings.anchor_dir}",
            "jurisdiction": "local",
        },
    ]
    destinations = declared_destinations(settings)
    server = next((d for d in destinations if d.name == "LLM server"), None)
    if server is None:
        processing = [
            {"what": "drafting, summaries, answers", "where": f"this machine (in-process model {model_name})"}
        ]
    else:
        processing = [
            {
                "what": "drafting, summaries, answers (masked turns only)",
                "where": f"LLM server {server.host}",
                "jurisdiction": server.jurisdiction or "not declared",
            }
        ]
    places = [
        {
            "name": d.name,
            "host": d.host,
            "jurisdiction": d.jurisdiction or "not declared",
            "receives": d.receives,
            "status": "loopback"
            if d.loopback
            else ("refused" if refusal(d, settings.compliance.allowed_jurisdictions) else "allowed"),
        }
        for d in destinations
    ]
    notes = []
    if settings.siem.transport == "jsonl":
        notes.append(f"audit entries are also written as JSON lines to {settings.siem.path} (this machine)")
    return ProcessingRecord(
        generated_at=generated_at,
        period_since=period_since,
        controller=settings.transparency.controller or "(transparency.controller not set)",
        purposes=list(settings.compliance.purposes),
        consent_purposes=["ai-processing", "model-improvement"],
        masked_categories=categories,
        retention=retention,
        storage=storage,
        processing=processing,
        destinations=places,
        allowed_jurisdictions=list(settings.compliance.allowed_jurisdictions),
        vault=facts,
        notes=notes,
    )


def _table(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> list[str]:
    if not rows:
        return ["(none)"]
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        out.append("| " + " | ".join(str(row.get(c, "")).replace("|", "\\|") for c in columns) + " |")
    return out


def render_markdown(record: ProcessingRecord) -> str:
    v = record.vault
    chain = v.audit_chain
    lines = [
        "# Record of processing activities",
        "",
        f"Generated {record.generated_at} (UTC); activity since {record.period_since}.",
        f"Controller: {record.controller}",
        "",
        "## Purposes",
        *[f"- {p}" for p in record.purposes],
        f"- Consent purposes recorded per customer: {', '.join(record.consent_purposes)}",
        "",
        "## Categories of personal data masked",
        *_table(record.masked_categories, ["entity", "label", "threshold"]),
        "",
        "## Retention",
        f"- PII values: {record.retention['pii_values_days']} days",
        f"- Transcripts: {record.retention['transcripts_days']} days after the last activity",
        f"- Raw (unmasked) text kept: {'yes' if record.retention['raw_text_kept'] else 'no'}",
        f"- Consent required before AI processing: {'yes' if record.retention['consent_required_for_ai'] else 'no'}",
        "",
        "## Where data is stored",
        *_table(record.storage, ["what", "where", "jurisdiction"]),
        "",
        "## Where data is processed",
        *_table(record.processing, ["what", "where", "jurisdiction"]),
        "",
        "## Every place data can go off this process",
        *_table(record.destinations, ["name", "host", "jurisdiction", "status", "receives"]),
        f"Allowed jurisdictions: {', '.join(record.allowed_jurisdictions) or 'none (loopback only)'}",
        "",
        "## Users per role",
        *[f"- {role}: {n}" for role, n in sorted(v.users_per_role.items())],
        "",
        "## Consents (customers, latest state)",
        *[
            f"- {p}: {c.get('given', 0)} given, {c.get('withdrawn', 0)} withdrawn"
            for p, c in sorted(v.consents.items())
        ],
        "",
        f"## Activity since {record.period_since}",
        *[f"- {name}: {n}" for name, n in v.activity.items()],
        "",
        "## Audit log",
        f"- Chain: {'intact' if chain.get('ok') else 'BROKEN'} ({chain.get('entries', 0)} entries; {chain.get('reason', '')})",
        f"- SIEM forwarding: {v.forwarding}",
    ]
    if record.notes:
        lines += ["", "## Notes", *[f"- {n}" for n in record.notes]]
    return "\n".join(lines) + "\n"


def render(record: ProcessingRecord, fmt: str = "md") -> str:
    if fmt == "json":
        return json.dumps(record.as_json(), indent=2, sort_keys=True) + "\n"
    return render_markdown(record)
