"""Proposals: the requested times intersected with the free slots, nearest three first.

The slot is chosen here, by rule, never by the model: slots inside a requested
window, ranked by distance to the time asked for ("at 10": 10:00, then 09:30
or 10:30) or, for a span ("Tuesday afternoon"), earliest first. When nothing
free fits, the nearest free slots after the request are offered instead and
marked as not matching, so the agent can say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agentconsole.booking.requests import TimeRequest, read_requests
from agentconsole.booking.schedule import Resource, Slot, free_slots

#: How far ahead "any morning" and the fallback look.
HORIZON_DAYS = 14
PROPOSALS = 3

#: ``taken(resource, start, end)``: the active bookings' (start, end) of a resource in that range.
Taken = Callable[[Resource, datetime, datetime], Sequence[tuple[datetime, datetime]]]


@dataclass(frozen=True)
class Proposal:
    """A free slot offered to the customer; ``fits`` is False for a fallback outside what was asked."""

    resource: str
    start: datetime
    end: datetime
    free: int
    fits: bool
    phrase: str

    def as_json(self) -> dict[str, object]:
        return {
            "resource": self.resource,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "free_places": self.free,
            "matches_request": self.fits,
            "requested": self.phrase,
        }


def _window_slots(resource: Resource, request: TimeRequest, day: date) -> list[Slot]:
    return [
        slot
        for slot in resource.slots_on(day)
        if request.start <= _minute_of(slot.start, day) and _minute_of(slot.end, day) <= request.end
    ]


def _minute_of(moment: datetime, day: date) -> int:
    """Local minutes after the local midnight of ``day`` (1440 for the next midnight)."""
    return (moment.date() - day).days * 1440 + moment.hour * 60 + moment.minute


def propose(
    resources: Sequence[Resource],
    requests: Sequence[TimeRequest],
    taken: Taken,
    *,
    now: datetime,
    count: int = PROPOSALS,
    horizon_days: int = HORIZON_DAYS,
) -> list[Proposal]:
    """The ``count`` best free slots for ``requests`` over ``resources`` (fallbacks if none fits)."""
    ranked: dict[tuple[str, datetime], tuple[tuple[timedelta, datetime], Proposal]] = {}
    for resource in resources:
        tz = resource.zone
        today = now.astimezone(tz).date()
        for request in requests:
            days = request.days or tuple(
                d for d in (today + timedelta(days=i) for i in range(horizon_days)) if d not in request.excluded
            )
            for day in days:
                slots = _window_slots(resource, request, day)
                if not slots:
                    continue
                busy = taken(resource, slots[0].start, slots[-1].end)
                for slot, free in free_slots(resource, slots, busy, now=now):
                    anchor = None
                    if request.anchor is not None:
                        anchor = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
                            minutes=request.anchor
                        )
                        anchor = anchor.astimezone(tz)
                    distance = abs(slot.start - anchor) if anchor is not None else timedelta(0)
                    key = (distance, slot.start)
                    proposal = Proposal(resource.name, slot.start, slot.end, free, True, request.phrase)
                    # Keyed in UTC: the two 02:30 slots of a fall-back night are equal in their own zone.
                    where = (resource.name, slot.start.astimezone(UTC))
                    seen = ranked.get(where)
                    if seen is None or key < seen[0]:
                        ranked[where] = (key, proposal)
    best = [p for _, p in sorted(ranked.values(), key=lambda item: (item[0], item[1].resource))][:count]
    if best:
        return best
    return _fallback(resources, requests, taken, now=now, count=count, horizon_days=horizon_days)


def _fallback(
    resources: Sequence[Resource],
    requests: Sequence[TimeRequest],
    taken: Taken,
    *,
    now: datetime,
    count: int,
    horizon_days: int,
) -> list[Proposal]:
    """The earliest free slots from the first requested day (or from now), marked as not matching."""
    phrase = "; ".join(r.phrase for r in requests if r.phrase) or ""
    found: list[Proposal] = []
    for resource in resources:
        tz = resource.zone
        first = now.astimezone(tz).date()
        asked = [d for r in requests for d in (r.days or ())]
        if asked:
            first = max(first, min(asked))
        end = datetime.combine(first + timedelta(days=horizon_days), datetime.min.time(), tzinfo=tz)
        start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
        slots = resource.slots_between(max(start, now), end)
        busy = taken(resource, start, end) if slots else []
        for slot, free in free_slots(resource, slots, busy, now=now)[:count]:
            found.append(Proposal(resource.name, slot.start, slot.end, free, False, phrase))
    found.sort(key=lambda p: (p.start, p.resource))
    return found[:count]


def propose_for_text(
    text: str,
    written_at: datetime,
    resources: Sequence[Resource],
    taken: Taken,
    *,
    now: datetime,
    count: int = PROPOSALS,
) -> tuple[list[TimeRequest], list[Proposal]]:
    """Read the requested times of one (masked) message written at ``written_at`` and propose slots.

    The message is read in the first resource's zone (the desk's local time).
    """
    tz = resources[0].zone if resources else None
    local = written_at.astimezone(tz).replace(tzinfo=None)
    requests = read_requests(text, local)
    return requests, propose(resources, requests, taken, now=now, count=count)
