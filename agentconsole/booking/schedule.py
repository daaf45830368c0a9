"""Resources and their slots: opening hours per weekday, slot length, closures, IANA time zone.

A resource ("repairs desk", "call-backs") opens on some weekdays for some
intervals of local wall-clock time, in its own IANA zone. Slots are cut from
each opening interval in *absolute* time (UTC), starting at the interval's
local start: on a daylight-saving day a 24-hour desk has 46 or 50 half-hour
slots, never a slot at a local time that does not exist, and the ambiguous
hour of the fall-back night is offered twice (once per offset). Times handed
out are aware datetimes; the vault stores UTC.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentconsole.errors import AgentConsoleError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SLOT_MINUTES = 24 * 60
MAX_CAPACITY = 1000

_DAYS = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_DAY_SPEC = re.compile(rf"^{_DAYS}(?:-{_DAYS})?(?:,{_DAYS}(?:-{_DAYS})?)*$")
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class ScheduleError(AgentConsoleError):
    """A resource definition that cannot be used (hours, zone, slot length, capacity)."""

    exit_code = 2


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Berlin``); :class:`ScheduleError` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone '{name}': use an IANA name such as Europe/Berlin") from None


@dataclass(frozen=True)
class OpeningHours:
    """Local opening intervals per weekday (0 = Monday), each ``(start_minute, end_minute)``, end up to 1440."""

    intervals: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def parse(cls, spec: str) -> OpeningHours:
        """Read ``"mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"`` (``24:00`` closes at midnight)."""
        days: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
        parts = [p.strip() for p in spec.lower().split(";") if p.strip()]
        if not parts:
            raise ScheduleError('opening hours are empty: use e.g. "mon-fri 09:00-17:00"')
        for part in parts:
            pieces = part.split(None, 1)
            if len(pieces) != 2 or not _DAY_SPEC.match(pieces[0]):
                raise ScheduleError(f"cannot read opening hours '{part}': use e.g. \"mon-fri 09:00-17:00\"")
            for weekday in _weekdays(pieces[0]):
                for interval in pieces[1].replace(" ", "").split(","):
                    days[weekday].append(_interval(interval, part))
        for weekday, found in enumerate(days):
            found.sort()
            for (_, end), (start, _) in itertools.pairwise(found):
                if start < end:
                    raise ScheduleError(f"opening hours overlap on {WEEKDAYS[weekday]}")
        return cls(tuple(tuple(d) for d in days))

    def describe(self) -> str:
        """The canonical text form (consecutive days with the same hours grouped), parseable again."""
        groups: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
        for weekday, found in enumerate(self.intervals):
            if not found:
                continue
            if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == found:
                groups[-1] = (groups[-1][0], weekday, found)
            else:
                groups.append((weekday, weekday, found))
        text = []
        for first, last, found in groups:
            days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
            text.append(days + " " + ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in found))
        return "; ".join(text)


def _weekdays(spec: str) -> Iterator[int]:
    for item in spec.split(","):
        first, _, last = item.partition("-")
        a = WEEKDAYS.index(first)
        b = WEEKDAYS.index(last) if last else a
        if b < a:
            raise ScheduleError(f"day range '{item}' runs backwards: write it from the earlier day")
        yield from range(a, b + 1)


def _interval(text: str, part: str) -> tuple[int, int]:
    match = _INTERVAL.match(text)
    if not match:
        raise ScheduleError(f"cannot read the interval '{text}' in '{part}': use HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440 or end <= start:
        raise ScheduleError(f"the interval '{text}' in '{part}' is not a time span within one day")
    return start, end


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Closure:
    """Days a resource is closed (holidays, works): local dates ``first``..``last`` inclusive."""

    first: date
    last: date
    label: str = ""

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Resource:
    """A bookable resource: when it opens, how long a slot is, how many bookings one slot takes."""

    name: str
    hours: OpeningHours
    slot_minutes: int
    capacity: int = 1
    tz: str = "UTC"
    closures: tuple[Closure, ...] = field(default_factory=tuple)
    id: int = 0

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 60 or not self.name.isprintable():
            raise ScheduleError("a resource name is 1 to 60 printable characters")
        if not 5 <= self.slot_minutes <= MAX_SLOT_MINUTES:
            raise ScheduleError(f"slot length must be 5 to {MAX_SLOT_MINUTES} minutes")
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise ScheduleError(f"capacity must be 1 to {MAX_CAPACITY}")
        zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def closed_on(self, day: date) -> Closure | None:
        return next((c for c in self.closures if c.covers(day)), None)

    def slots_on(self, day: date) -> list[Slot]:
        """Every slot of the local date ``day`` (none on a closure), in time order."""
        if self.closed_on(day):
            return []
        tz = self.zone
        found: list[Slot] = []
        for start_min, end_min in self.hours.intervals[day.weekday()]:
            opens = _local(day, start_min, tz, fold=0)
            closes = _local(day, end_min, tz, fold=1)
            at = opens
            while at + self.slot <= closes:
                found.append(Slot(self.name, at.astimezone(tz), (at + self.slot).astimezone(tz)))
                at += self.slot
        return found

    def slots_between(self, start: datetime, end: datetime) -> list[Slot]:
        """Slots starting at or after ``start`` and ending by ``end`` (aware datetimes)."""
        # Compared in UTC: datetimes sharing a zone compare by wall clock, blind to the fall-back fold.
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        tz = self.zone
        day = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date()
        found: list[Slot] = []
        while day <= last:
            found.extend(s for s in self.slots_on(day) if s.start >= start and s.end <= end)
            day += timedelta(days=1)
        return found

    def slot_at(self, start: datetime) -> Slot:
        """The slot starting exactly at ``start``; :class:`ScheduleError` saying why there is none."""
        if start.tzinfo is None:
            raise ScheduleError("a booking time needs a UTC offset or zone, e.g. 2026-03-03T10:00+01:00")
        start = start.astimezone(UTC)
        local = start.astimezone(self.zone)
        closure = self.closed_on(local.date())
        if closure:
            why = f" ({closure.label})" if closure.label else ""
            raise ScheduleError(f"'{self.name}' is closed on {local.date().isoformat()}{why}")
        for slot in self.slots_between(start - self.slot, start + 2 * self.slot):
            if slot.start == start:
                return slot
        day = self.slots_on(local.date())
        if not day:
            raise ScheduleError(f"'{self.name}' is not open on {local.strftime('%A %Y-%m-%d')}")
        raise ScheduleError(
            f"{local.strftime('%H:%M')} is not a slot start of '{self.name}' on {local.date().isoformat()} "
            f"(slots of {self.slot_minutes} min from {day[0].local_label()} to {day[-1].end.strftime('%H:%M')})"
        )


def _local(day: date, minutes: int, tz: ZoneInfo, *, fold: int) -> datetime:
    """Local wall-clock ``minutes`` after midnight of ``day`` as UTC (1440 is the next midnight).

    A local time that does not exist (spring forward) resolves like zoneinfo does for fold=0:
    to the instant with the offset before the change, i.e. the first existing time after the gap.
    """
    base = datetime.combine(day, time(0), tzinfo=tz)
    if minutes >= 1440:
        wall = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    else:
        wall = base.replace(hour=minutes // 60, minute=minutes % 60, fold=fold)
    return wall.astimezone(UTC)


@dataclass(frozen=True)
class Slot:
    """One slot of a resource: aware start and end in the resource's zone."""

    resource: str
    start: datetime
    end: datetime

    def local_label(self) -> str:
        return self.start.strftime("%H:%M")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def free_slots(
    resource: Resource, slots: Iterable[Slot], taken: Sequence[tuple[datetime, datetime]], *, now: datetime
) -> list[tuple[Slot, int]]:
    """Slots starting after ``now`` with room left, each with how many places are still free.

    ``taken`` are the active bookings' ``(start, end)`` of this resource; a slot is full
    when as many of them overlap it as the resource's capacity.
    """
    result = []
    for slot in slots:
        if slot.start <= now:
            continue
        used = sum(1 for start, end in taken if slot.overlaps(start, end))
        if used < resource.capacity:
            result.append((slot, resource.capacity - used))
    return result


def parse_day(text: str, tz: ZoneInfo, *, today: date | None = None) -> date:
    """A local date from ``YYYY-MM-DD``, ``today`` or ``tomorrow``."""
    now = today or datetime.now(tz).date()
    word = text.strip().lower()
    if word == "today":
        return now
    if word == "tomorrow":
        return now + timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ScheduleError(f"cannot read the date '{text}': use YYYY-MM-DD, today or tomorrow") from None


def parse_instant(text: str, tz: ZoneInfo) -> datetime:
    """An ISO-8601 time; without an offset it is read as local time in ``tz``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"cannot read the time '{text}': use ISO 8601, e.g. 2026-03-03T10:00+01:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def utc_text(moment: datetime) -> str:
    """How the vault stores a booking time: UTC, second precision, ``Z`` (string order is time order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_utc_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
