"""The privacy notice customers are given, and the AI disclosure line, from the live config.

The notice is a template (built in, or ``transparency.notice_template``: a
Markdown file) filled with values taken from the settings at the moment it is
printed or inserted: purposes, the categories the console masks, retention
periods, where the model runs and every destination data can go to. So the
notice cannot drift from what the console does.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentconsole.compliance.jurisdiction import declared_destinations
from agentconsole.errors import ConfigError

#: Plain words for the entity types of the masking policy (unknown types are spelled out from their code).
CATEGORY_LABELS: dict[str, str] = {
    "PERSON": "names",
    "EMAIL_ADDRESS": "e-mail addresses",
    "PHONE_NUMBER": "phone numbers",
    "CREDIT_CARD": "payment card numbers",
    "IBAN_CODE": "bank account numbers (IBAN)",
    "SWIFT_CODE": "bank codes (SWIFT/BIC)",
    "US_SSN": "US social security numbers",
    "US_BANK_NUMBER": "US bank account numbers",
    "US_PASSPORT": "US passport numbers",
    "US_DRIVER_LICENSE": "US driver's licence numbers",
    "US_ITIN": "US taxpayer numbers",
    "PASSPORT": "passport numbers",
    "DRIVER_LICENSE": "driver's licence numbers",
    "STREET_ADDRESS": "postal addresses",
    "DATE_OF_BIRTH": "dates of birth",
    "ACCOUNT_NUMBER": "customer and account numbers",
    "IP_ADDRESS": "IP addresses",
    "CRYPTO": "crypto-currency wallet addresses",
    "URL": "web addresses",
    "MEDICAL_LICENSE": "medical licence numbers",
    "NATIONAL_ID": "national identity numbers",
    "PASSWORD": "passwords",
    "USERNAME": "user names",
}

BUILTIN_TEMPLATE = """\
# How we handle your data in this support conversation

**Who is responsible:** {controller}

## What we collect
The messages you exchange with our support team, and what they contain. Personal details in them
({categories}) are replaced by placeholders wherever our agents and our AI assistant see the conversation.

## Why
{purposes}

## AI assistance
{ai_processing}
Replies prepared with the help of the AI assistant are checked by a member of our team before they are sent.

## How long we keep it
- Personal details found in the conversation: {retention_pii_days} days, then they are erased.
- The conversation itself: {retention_transcripts_days} days after the last activity, then it is deleted.

## Where your data is
{where}

## Your rights
You can ask for a copy of everything we hold about you, ask us to correct or erase it, and withdraw
any consent you gave (for example to the use of your conversation to improve our AI assistant).
To exercise these rights: {contact}.
"""


def _label(entity: str) -> str:
    return CATEGORY_LABELS.get(entity, entity.replace("_", " ").lower())


def masked_categories(privacy_settings: Any) -> list[tuple[str, str]]:
    """(entity type, plain label) of every category the masking policy covers, in policy order,
    custom recognizers included."""
    seen: dict[str, str] = {}
    for entity in [*privacy_settings.entities, *(r.entity_type for r in privacy_settings.custom_recognizers)]:
        seen.setdefault(entity, _label(entity))
    return list(seen.items())


def notice_values(settings: Any) -> dict[str, str]:
    """The values a notice template can use, from the live settings."""
    transparency = settings.transparency
    destinations = [d for d in declared_destinations(settings) if not d.loopback]
    server = next((d for d in declared_destinations(settings) if d.name == "LLM server"), None)
    if server is None:
        ai = "The AI assistant runs on this support site's own computer: your conversation is not sent anywhere."
    else:
        place = f"in {server.jurisdiction}" if server.jurisdiction and not server.loopback else "on our own premises"
        ai = (
            f"The AI assistant runs on our own model server {place}; it only ever receives the conversation "
            "with your personal details replaced by placeholders."
        )
    where = ["- Stored encrypted on our support systems."]
    where += [f"- {d.name} ({d.jurisdiction or 'jurisdiction not declared'}): {d.receives}." for d in destinations]
    return {
        "controller": transparency.controller or "the organisation you are contacting",
        "contact": transparency.contact or "reply to this message",
        "categories": ", ".join(label for _, label in masked_categories(settings.privacy)),
        "purposes": "\n".join(f"- {p}" for p in settings.compliance.purposes),
        "ai_processing": ai,
        "retention_pii_days": str(settings.retention.pii_values_days),
        "retention_transcripts_days": str(settings.retention.transcripts_days),
        "where": "\n".join(where),
        "consent_required": "yes" if settings.consent.required else "no",
    }


def _template(settings: Any) -> tuple[str, str]:
    configured = settings.transparency.notice_template
    if not configured:
        return BUILTIN_TEMPLATE, "the built-in notice"
    path = Path(configured).expanduser()
    if not path.is_absolute():
        path = Path(settings.home) / path
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(f"cannot read transparency.notice_template {path}: {reason}") from None


def _fill(template: str, values: Mapping[str, str], where: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"the notice template {where} is not a valid template: {exc}") from None
    unknown = sorted(n for n in names if n not in values)
    if unknown:
        raise ConfigError(
            f"the notice template {where} uses unknown field {{{unknown[0]}}} (known: {', '.join(sorted(values))})"
        )
    try:
        return template.format_map(dict(values))
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"the notice template {where} is not a valid template: {exc}") from None


def render_notice(settings: Any, fmt: str = "md") -> str:
    """The privacy notice as Markdown (``md``) or plain text (``txt``)."""
    template, where = _template(settings)
    text = _fill(template, notice_values(settings), where)
    return markdown_to_text(text) if fmt == "txt" else text


def markdown_to_text(text: str) -> str:
    """Plain text for a reply: headings in capitals, emphasis marks dropped."""
    lines = []
    for line in text.splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            line = heading.group(1).upper()
        lines.append(re.sub(r"(\*\*|__|`)", "", line))
    return "\n".join(lines).strip() + "\n"


def disclosure_line(settings: Any) -> str:
    """The AI disclosure appended to replies that used a draft ("" when switched off)."""
    transparency = settings.transparency
    return transparency.ai_disclosure_text.strip() if transparency.ai_disclosure else ""
