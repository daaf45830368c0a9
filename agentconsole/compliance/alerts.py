"""Security alerts over the audit log: reveal/copy bursts, repeated failed unlocks, off-hours exports.

An :class:`AlertMonitor` listens to audit appends (see
:func:`agentconsole.compliance.audit.add_append_listener`) and, when a
threshold of ``[alerts]`` is crossed, appends an ``alert.*`` entry itself, so
alerts are chained like every other entry, forwarded to the SIEM with them
and listed in the supervisor's audit screen. Each burst alerts once: when the
count in the window reaches the threshold, not again while it stays above.

* ``alert.reveal_burst``: one user revealed or copied real values
  ``reveal_burst_count`` times within ``reveal_burst_minutes``;
* ``alert.failed_unlocks``: ``failed_unlock_count`` failed or throttled unlocks
  (any name; timed when they happened, they are audited at the next unlock)
  within ``failed_unlock_minutes``;
* ``alert.off_hours``: an export, erasure or training export outside
  ``working_hours`` / ``working_days`` in ``timezone``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from agentconsole.compliance.audit import AuditLog, add_append_listener, remove_append_listener, utc_timestamp
from agentconsole.compliance.forwarding import entry_of

log = logging.getLogger("agentconsole.compliance.alerts")

ALERT_ACTOR = "system"
REVEAL_ACTIONS = frozenset({"reveal", "copy"})
FAILED_UNLOCK_ACTIONS = frozenset({"unlock.failed", "unlock.throttled"})
SENSITIVE_ACTIONS = frozenset({"export", "erase", "training.export"})


def _parse(time_text: str) -> datetime:
    return datetime.fromisoformat(time_text)


def _zone(name: str) -> tzinfo:
    return UTC if name.upper() == "UTC" else ZoneInfo(name)  # UTC needs no time-zone database


def outside_working_hours(moment: datetime, settings: Any) -> bool:
    """Whether ``moment`` falls outside ``settings.working_hours`` on ``settings.working_days`` (local time)."""
    local = moment.astimezone(_zone(settings.timezone))
    start_text, end_text = settings.working_hours.split("-")
    start = int(start_text[:2]) * 60 + int(start_text[3:])
    end = int(end_text[:2]) * 60 + int(end_text[3:])
    minute = local.hour * 60 + local.minute
    if local.isoweekday() not in settings.working_days:
        return True
    if start <= end:
        return not (start <= minute < end)
    return end <= minute < start  # a night shift: "22:00-06:00"


class AlertMonitor:
    """Watches one vault's audit appends and writes ``alert.*`` entries (``settings``: ``[alerts]``)."""

    def __init__(self, store: Any, settings: Any) -> None:
        self._store = store
        self._settings = settings

    def start(self) -> None:
        if self._settings.enabled:
            add_append_listener(self._on_append)

    def stop(self) -> None:
        remove_append_listener(self._on_append)

    def _on_append(self, store: Any, seq: int, action: str) -> None:
        if store is not self._store or action.startswith("alert."):
            return
        if action not in REVEAL_ACTIONS | FAILED_UNLOCK_ACTIONS | SENSITIVE_ACTIONS:
            return
        try:
            self.evaluate(seq, action)
        except Exception as exc:  # an alert must never undo or block the action it watches
            log.warning("alert evaluation failed: %s", type(exc).__name__)

    def evaluate(self, seq: int, action: str) -> str | None:
        """Check the entry ``seq`` (of ``action``); append and return the alert's action if one fires."""
        audit = AuditLog(self._store)
        row = self._store.audit_row_at(seq)
        if row is None:
            return None
        entry = entry_of(row)
        s = self._settings
        if action in REVEAL_ACTIONS:
            since = _parse(entry.time) - timedelta(minutes=s.reveal_burst_minutes)
            recent = [
                e
                for e in audit.entries(since=since.isoformat(), actor=entry.actor)
                if e.action in REVEAL_ACTIONS and e.seq <= seq
            ]
            if len(recent) == s.reveal_burst_count:
                audit.append(
                    ALERT_ACTOR,
                    "alert.reveal_burst",
                    f"user:{entry.actor}",
                    {
                        "count": len(recent),
                        "minutes": s.reveal_burst_minutes,
                        "first_seq": recent[0].seq,
                        "last_seq": seq,
                    },
                )
                return "alert.reveal_burst"
        elif action in FAILED_UNLOCK_ACTIONS:
            at = _parse(str(entry.details.get("at") or entry.time))
            window_start = at - timedelta(minutes=s.failed_unlock_minutes)
            recent = []
            for e in audit.entries(since=window_start.isoformat()):
                if e.action in FAILED_UNLOCK_ACTIONS and e.seq <= seq:
                    when = _parse(str(e.details.get("at") or e.time))
                    if window_start <= when <= at:
                        recent.append(e)
            if len(recent) == s.failed_unlock_count:
                audit.append(
                    ALERT_ACTOR,
                    "alert.failed_unlocks",
                    "vault",
                    {
                        "count": len(recent),
                        "minutes": s.failed_unlock_minutes,
                        "users": len({e.actor for e in recent}),
                        "last_at": utc_timestamp(at),
                    },
                )
                return "alert.failed_unlocks"
        elif action in SENSITIVE_ACTIONS and outside_working_hours(_parse(entry.time), s):
            local = _parse(entry.time).astimezone(_zone(s.timezone))
            audit.append(
                ALERT_ACTOR,
                "alert.off_hours",
                entry.subject,
                {"action": action, "by": entry.actor, "seq": seq, "local_time": local.strftime("%a %H:%M")},
            )
            return "alert.off_hours"
        return None
