"""Bookings as an iCalendar file (RFC 5545), written with the icalendar library.

One VEVENT per booking. What leaves the vault is what the booking holds and
no more: the SUMMARY is the case reference ("Case 42"), LOCATION the resource
name, times in the resource's zone (with its VTIMEZONE), STATUS from the
booking's status. The note is never exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from agentconsole import __version__

_STATUS = {"booked": "CONFIRMED", "rescheduled": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class CalendarEntry:
    """What one VEVENT carries."""

    booking_id: int
    case_id: int
    resource: str
    start: datetime  # aware, in the resource's zone
    end: datetime
    status: str
    sequence: int  # how many times it was changed (moves, cancel), for calendar clients
    updated: datetime


def case_summary(case_id: int) -> str:
    return f"Case {case_id}"


def to_ics(entries: Iterable[CalendarEntry], *, vault_id: str, now: datetime | None = None) -> bytes:
    """The iCalendar text of ``entries``; UIDs are stable per vault and booking, so re-imports update."""
    from icalendar import Calendar, Event

    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//agentconsole//bookings {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for entry in entries:
        event = Event()
        event.add("uid", f"booking-{entry.booking_id}-{vault_id[:16]}@agentconsole")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
        event.add("summary", case_summary(entry.case_id))
        event.add("location", entry.resource)
        event.add("status", _STATUS.get(entry.status, "CONFIRMED"))
        event.add("sequence", entry.sequence)
        event.add("last-modified", entry.updated.astimezone(UTC))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
