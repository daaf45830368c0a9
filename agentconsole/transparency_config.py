"""Settings of the transparency features: SIEM forwarding, the privacy notice, AI disclosure, alerts.

Sections ``[siem]``, ``[transparency]`` and ``[alerts]`` of ``config.toml``, declared here
so :mod:`agentconsole.config` stays short; validated by :func:`agentconsole.config.parse_settings`.
See docs/transparency.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SiemSettings:
    """Forwarding audit entries to a collector as they are written (docs/transparency.md)."""

    transport: str = "off"  # "off", "syslog-tls" (RFC 5424 over TLS, RFC 6587 octet counting) or "jsonl"
    host: str = ""  # syslog-tls: the collector (must be in network.allowed_hosts unless loopback)
    port: int = 6514
    ca_file: str = ""  # syslog-tls: PEM of the CA that signed the collector's certificate (required)
    client_cert: str = ""  # optional client certificate (PEM, key included or in client_key)
    client_key: str = ""
    path: str = ""  # jsonl: a file (appended) or a FIFO
    jurisdiction: str = ""  # where the collector is, for the cross-border guard
    app_name: str = "agentconsole"
    flush_seconds: float = 5.0  # how long lock/exit waits for pending entries to go out
    retry_max_seconds: float = 30.0  # back-off ceiling while the collector is down


@dataclass(frozen=True)
class TransparencySettings:
    """What customers are told: the privacy notice and the AI disclosure line."""

    controller: str = ""  # the organisation responsible for the data, named in the notice
    contact: str = ""  # how customers exercise their rights (an address, a web form)
    notice_template: str = ""  # a Markdown file with {placeholders}; "" = the built-in notice
    ai_disclosure: bool = True  # append the disclosure to sent replies that used a draft
    ai_disclosure_text: str = (
        "This reply was prepared with the help of an AI assistant and checked by a member of our support team."
    )


@dataclass(frozen=True)
class AlertSettings:
    """Security alerts, written to the audit log (and so forwarded) and shown to supervisors."""

    enabled: bool = True
    reveal_burst_count: int = 20  # reveals + copies by one user within reveal_burst_minutes
    reveal_burst_minutes: int = 5
    failed_unlock_count: int = 5  # failed unlocks (any name) within failed_unlock_minutes
    failed_unlock_minutes: int = 15
    working_hours: str = "08:00-18:00"  # exports and erasures outside these hours alert
    working_days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])  # ISO weekdays, 1 = Monday
    timezone: str = "UTC"  # IANA name for working hours, e.g. "Europe/Berlin"


def check_transparency_ranges(sections: dict[str, Any], need: Callable[[bool, str, str], None]) -> None:
    """Range checks of these sections (``need(cond, key, what)`` raises the config error)."""
    siem = sections.get("siem")
    if siem is not None:
        need(1 <= siem.port <= 65535, "siem.port", "a TCP port (1-65535)")
        need(siem.flush_seconds >= 0, "siem.flush_seconds", "0 or more")
        need(siem.retry_max_seconds >= 0.1, "siem.retry_max_seconds", "at least 0.1")
        if siem.transport == "syslog-tls":
            need(bool(siem.host), "siem.host", "set for transport syslog-tls")
            need(bool(siem.ca_file), "siem.ca_file", "set for transport syslog-tls (the collector's CA)")
        if siem.transport == "jsonl":
            need(bool(siem.path), "siem.path", "set for transport jsonl")
    alerts = sections.get("alerts")
    if alerts is not None:
        for key in ("reveal_burst_count", "reveal_burst_minutes", "failed_unlock_count", "failed_unlock_minutes"):
            need(getattr(alerts, key) >= 1, f"alerts.{key}", "at least 1")
        need(
            re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d", alerts.working_hours) is not None,
            "alerts.working_hours",
            'like "08:00-18:00"',
        )
        need(all(1 <= d <= 7 for d in alerts.working_days), "alerts.working_days", "ISO weekdays 1-7")
        need(_is_zone(alerts.timezone), "alerts.timezone", 'an IANA time zone name such as "Europe/Berlin"')


def _is_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name.upper() == "UTC":
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
