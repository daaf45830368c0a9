"""The iCalendar export, parsed back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from agentconsole.booking.ics import CalendarEntry, to_ics

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _entry(
    booking: int, case: int, start: datetime, status: str = "booked", resource: str = "repairs desk"
) -> CalendarEntry:
    end = start.replace(minute=start.minute + 30)
    return CalendarEntry(booking, case, resource, start, end, status, 0, datetime(2026, 3, 1, tzinfo=UTC))


def test_one_vevent_per_booking_with_the_case_reference_only() -> None:
    entries = [
        _entry(1, 42, datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN)),  # the first CEST morning
        _entry(2, 43, datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN), status="cancelled"),
        _entry(3, 44, datetime(2026, 3, 9, 9, 0, tzinfo=NEW_YORK), resource="call-backs"),
    ]
    data = to_ics(entries, vault_id="0123456789abcdef0123")
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert [str(e["SUMMARY"]) for e in events] == ["Case 42", "Case 43", "Case 44"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert str(events[0]["UID"]) == "booking-1-0123456789abcdef@agentconsole"
    starts = [e.decoded("DTSTART") for e in events]
    assert starts[0].astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert starts[2].astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    for event in events:
        assert set(event.keys()) <= {
            "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "STATUS", "SEQUENCE", "LAST-MODIFIED"
        }  # fmt: skip


def test_an_empty_export_is_still_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(to_ics([], vault_id="x"))
    assert calendar.walk("VEVENT") == []
