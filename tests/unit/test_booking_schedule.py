"""Resources and slots: opening hours, closures, IANA zones across daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agentconsole.booking.schedule import (
    Closure,
    OpeningHours,
    Resource,
    ScheduleError,
    free_slots,
    from_utc_text,
    parse_instant,
    utc_text,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def desk(hours: str = "mon-fri 09:00-17:00", minutes: int = 30, tz: str = "Europe/Berlin", **kw) -> Resource:
    return Resource("desk", OpeningHours.parse(hours), minutes, tz=tz, **kw)


@pytest.mark.parametrize(
    ("spec", "canonical"),
    [
        ("mon-fri 09:00-17:00", "mon-fri 09:00-17:00"),
        ("MON-FRI 9:00-12:00, 13:00-17:00; sat 10:00-14:00", "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"),
        ("mon,wed,fri 08:00-12:00", "mon 08:00-12:00; wed 08:00-12:00; fri 08:00-12:00"),
        ("sat-sun 00:00-24:00", "sat-sun 00:00-24:00"),
    ],
)
def test_opening_hours_read_and_describe_canonically(spec: str, canonical: str) -> None:
    hours = OpeningHours.parse(spec)
    assert hours.describe() == canonical
    assert OpeningHours.parse(hours.describe()) == hours


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("weekdays 09:00-17:00", "cannot read opening hours"),
        ("mon-fri 9-17", "use HH:MM-HH:MM"),
        ("mon-fri 17:00-09:00", "not a time span"),
        ("fri-mon 09:00-17:00", "runs backwards"),
        ("mon 09:00-12:00,11:00-13:00", "overlap on mon"),
        ("mon 09:00-24:30", "not a time span"),
    ],
)
def test_bad_opening_hours_are_refused_with_a_reason(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        OpeningHours.parse(spec)


def test_resource_checks_zone_slot_length_and_capacity() -> None:
    with pytest.raises(ScheduleError, match="unknown time zone 'Europe/Atlantis'"):
        desk(tz="Europe/Atlantis")
    with pytest.raises(ScheduleError, match="slot length"):
        desk(minutes=2)
    with pytest.raises(ScheduleError, match="capacity"):
        desk(capacity=0)


def test_slots_follow_the_weekday_hours_and_the_zone() -> None:
    resource = desk("mon-fri 09:00-12:00,13:00-17:00", 45)
    monday = resource.slots_on(date(2026, 3, 2))
    assert [s.local_label() for s in monday] == [
        *("09:00", "09:45", "10:30", "11:15"),
        *("13:00", "13:45", "14:30", "15:15", "16:00"),
    ]
    assert monday[0].start.utcoffset() == timedelta(hours=1)
    assert monday[0].start.astimezone(UTC) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert resource.slots_on(date(2026, 3, 7)) == []  # Saturday


def test_berlin_spring_forward_day_has_no_slot_in_the_missing_hour() -> None:
    resource = desk("mon-sun 00:00-24:00", 30)
    day = resource.slots_on(date(2026, 3, 29))  # 02:00 -> 03:00
    assert len(day) == 46
    labels = [s.local_label() for s in day]
    assert "02:00" not in labels and "02:30" not in labels
    assert labels[3:5] == ["01:30", "03:00"]
    utc = [s.start.astimezone(UTC) for s in day]  # same-zone subtraction is wall-clock in Python
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(utc))
    assert day[-1].end == datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN)


def test_berlin_fall_back_day_offers_the_repeated_hour_twice() -> None:
    resource = desk("mon-sun 00:00-24:00", 30)
    day = resource.slots_on(date(2026, 10, 25))  # 03:00 -> 02:00
    assert len(day) == 50
    twice = [s for s in day if s.local_label() == "02:30"]
    assert len(twice) == 2 and [s.start.utcoffset() for s in twice] == [timedelta(hours=2), timedelta(hours=1)]
    assert twice[1].start.astimezone(UTC) - twice[0].start.astimezone(UTC) == timedelta(hours=1)


def test_business_hours_keep_their_local_time_across_the_change() -> None:
    resource = desk("mon-sun 09:00-10:00", 60)
    before, after = resource.slots_on(date(2026, 3, 28))[0], resource.slots_on(date(2026, 3, 29))[0]
    assert before.local_label() == after.local_label() == "09:00"
    assert before.start.astimezone(UTC).hour == 8 and after.start.astimezone(UTC).hour == 7


def test_new_york_changes_on_its_own_dates() -> None:
    resource = desk("mon-sun 00:00-24:00", 60, tz="America/New_York")
    assert len(resource.slots_on(date(2026, 3, 8))) == 23  # US spring forward
    assert len(resource.slots_on(date(2026, 3, 29))) == 24  # Europe's change day: nothing here
    assert len(resource.slots_on(date(2026, 11, 1))) == 25
    nine = desk("mon-fri 09:00-17:00", 30, tz="America/New_York").slots_on(date(2026, 3, 9))[0]
    assert nine.start.astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT, UTC-4


def test_a_slot_opening_in_the_missing_hour_starts_after_the_gap() -> None:
    resource = desk("sun 02:30-04:00", 30)
    assert [s.local_label() for s in resource.slots_on(date(2026, 3, 29))] == ["03:30"]


def test_closures_remove_whole_days() -> None:
    resource = desk(closures=(Closure(date(2026, 12, 24), date(2026, 12, 26), "holidays"),))
    assert resource.slots_on(date(2026, 12, 24)) == [] and resource.slots_on(date(2026, 12, 28))
    with pytest.raises(ScheduleError, match=r"closed on 2026-12-25 \(holidays\)"):
        resource.slot_at(datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN))


def test_slot_at_accepts_only_slot_starts_and_names_the_grid() -> None:
    resource = desk()
    assert resource.slot_at(datetime(2026, 3, 3, 9, 30, tzinfo=BERLIN)).end == datetime(
        2026, 3, 3, 10, 0, tzinfo=BERLIN
    )
    assert resource.slot_at(datetime(2026, 3, 3, 8, 30, tzinfo=UTC)).local_label() == "09:30"
    with pytest.raises(ScheduleError, match="09:10 is not a slot start .* from 09:00 to 17:00"):
        resource.slot_at(datetime(2026, 3, 3, 9, 10, tzinfo=BERLIN))
    with pytest.raises(ScheduleError, match="not open on Saturday"):
        resource.slot_at(datetime(2026, 3, 7, 10, 0, tzinfo=BERLIN))
    with pytest.raises(ScheduleError, match="needs a UTC offset"):
        resource.slot_at(datetime(2026, 3, 3, 10, 0))


def test_free_slots_count_places_left_and_skip_the_past() -> None:
    resource = desk(capacity=2)
    slots = resource.slots_on(date(2026, 3, 3))
    ten = slots[2]
    taken = [(ten.start, ten.end), (ten.start, ten.end), (slots[3].start, slots[3].end)]
    free = dict((s.local_label(), n) for s, n in free_slots(resource, slots, taken, now=slots[1].start))
    assert "09:00" not in free and "09:30" not in free  # started
    assert "10:00" not in free and free["10:30"] == 1 and free["11:00"] == 2


def test_times_are_stored_as_utc_text_and_read_back() -> None:
    moment = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
    assert utc_text(moment) == "2026-10-25T01:30:00Z"
    assert from_utc_text(utc_text(moment)) == moment.astimezone(UTC)
    assert parse_instant("2026-03-03T10:00", BERLIN) == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    with pytest.raises(ScheduleError, match="ISO 8601"):
        parse_instant("next tuesday", BERLIN)
