"""Appointment booking: resources, slots, proposals from the conversation, bookings, calendar export.

A booking holds the case id, the resource, start and end, a status, who made
it and an optional note masked like any text (the case's masking path), and
nothing else. Proposals read the masked customer messages only, so a phone
number or birth date the customer offered never reaches them. The slot is
picked by :mod:`agentconsole.booking.proposals`, never by the model. Every
change is audited with ids and times; managing resources needs ``config``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from agentconsole.booking.ics import CalendarEntry, to_ics
from agentconsole.booking.proposals import Proposal, propose, propose_for_text
from agentconsole.booking.requests import TimeRequest
from agentconsole.booking.schedule import (
    Closure,
    OpeningHours,
    Resource,
    ScheduleError,
    Slot,
    free_slots,
    from_utc_text,
    utc_text,
    zone,
)
from agentconsole.errors import AgentConsoleError
from agentconsole.service.cases import CasesSection

if TYPE_CHECKING:
    from agentconsole.vault import Vault
    from agentconsole.vault.repositories.bookings import BookingEventRow, BookingRow, ResourceRow

MAX_NOTE_CHARS = 500
#: Proposals read at most this many of the newest customer messages.
MESSAGES_READ = 20


@dataclass(frozen=True)
class Booking:
    """A booking as the console shows it: times aware, in the resource's zone; the note masked."""

    id: int
    case_id: int
    resource: str
    start: datetime
    end: datetime
    status: str
    created_by: str
    note: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "case": self.case_id,
            "resource": self.resource,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status,
            "created_by": self.created_by,
            "note": self.note,
        }


@dataclass(frozen=True)
class BookingProposals:
    """What ``propose`` found: the message read (id), the requested times, the slots offered."""

    message_id: int | None
    requests: tuple[TimeRequest, ...]
    proposals: tuple[Proposal, ...]

    def confirmation(self) -> str:
        """A reply the agent can send (slots chosen by rule; the model may rephrase, never choose)."""
        if not self.proposals:
            return "We have no free appointment in the coming two weeks; we will get back to you."
        lines = [f"- {p.start.strftime('%A %d %B, %H:%M')}-{p.end.strftime('%H:%M')}" for p in self.proposals]
        lead = "We can offer you:" if self.proposals[0].fits else "That time is not available; we can offer you:"
        return "\n".join([lead, *lines, "Which one suits you?"])


def _resource(row: ResourceRow, closures: list[Closure]) -> Resource:
    return Resource(
        row.name, OpeningHours.parse(row.hours), row.slot_minutes, row.capacity, row.tz, tuple(closures), row.id
    )


class BookingSection(CasesSection):
    """Resources and bookings (mixed into :class:`~agentconsole.service.ConsoleService`).

    Derives from the cases section for its masking path (a booking's note is masked like any text).
    """

    # --- resources --------------------------------------------------------------------

    def _load_resource(self, vault: Vault, row: ResourceRow) -> Resource:
        closures = [
            Closure(date.fromisoformat(c.first_day), date.fromisoformat(c.last_day), c.label)
            for c in vault.booking_closures(row.id)
        ]
        return _resource(row, closures)

    def booking_resources(self) -> list[Resource]:
        """Every resource in use, with its closures."""
        vault = self.require("work_cases")
        return [self._load_resource(vault, row) for row in vault.booking_resources()]

    def booking_resource(self, name: str) -> Resource:
        vault = self.require("work_cases")
        return self._load_resource(vault, vault.booking_resource(name.strip()))

    def add_booking_resource(
        self, name: str, hours: str, slot_minutes: int, capacity: int = 1, tz: str = "UTC"
    ) -> Resource:
        """Create a resource (supervisor): hours like ``"mon-fri 09:00-17:00"``, an IANA zone."""
        vault = self.require("config")
        resource = Resource(name.strip(), OpeningHours.parse(hours), slot_minutes, capacity, tz)
        hours_text = resource.hours.describe()
        resource_id = vault.add_booking_resource(resource.name, hours_text, slot_minutes, capacity, tz)
        self._audit(
            "booking.resource.add",
            f"resource:{resource_id}",
            name=resource.name,
            hours=hours_text,
            slot_minutes=slot_minutes,
            capacity=capacity,
            tz=tz,
        )
        return self.booking_resource(resource.name)

    def remove_booking_resource(self, name: str) -> str:
        """Remove a resource (supervisor); refused while it has upcoming bookings. "deleted" or "retired"."""
        vault = self.require("config")
        row = vault.booking_resource(name.strip())
        outcome = vault.remove_booking_resource(row.name, utc_text(datetime.now(UTC)))
        self._audit("booking.resource.remove", f"resource:{row.id}", name=row.name, outcome=outcome)
        return outcome

    def add_booking_closure(self, name: str, first: date, last: date | None = None, label: str = "") -> int:
        """Close a resource on ``first``..``last`` (local dates, inclusive; supervisor)."""
        vault = self.require("config")
        row = vault.booking_resource(name.strip())
        last = last or first
        if last < first:
            raise ScheduleError("a closure ends on or after the day it starts")
        label = " ".join(label.split())[:60]
        closure_id = vault.add_booking_closure(row.id, first.isoformat(), last.isoformat(), label)
        self._audit("booking.closure.add", f"resource:{row.id}", closure=closure_id, first=str(first), last=str(last))
        return closure_id

    def remove_booking_closure(self, name: str, closure_id: int) -> None:
        vault = self.require("config")
        row = vault.booking_resource(name.strip())
        vault.remove_booking_closure(row.id, closure_id)
        self._audit("booking.closure.remove", f"resource:{row.id}", closure=closure_id)

    def booking_closures(self, name: str) -> list[tuple[int, Closure]]:
        vault = self.require("work_cases")
        row = vault.booking_resource(name.strip())
        return [
            (c.id, Closure(date.fromisoformat(c.first_day), date.fromisoformat(c.last_day), c.label))
            for c in vault.booking_closures(row.id)
        ]

    # --- slots and proposals ----------------------------------------------------------

    def _taken(self, resource: Resource, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        vault = self.require("work_cases")
        rows = vault.booked_times(resource.id, utc_text(start), utc_text(end))
        return [(from_utc_text(a), from_utc_text(b)) for a, b in rows]

    def free_booking_slots(
        self, name: str, first: date | None = None, days: int = 1, *, now: datetime | None = None
    ) -> list[tuple[Slot, int]]:
        """Free slots of a resource from local date ``first`` (today) for ``days`` days, with places left."""
        resource = self.booking_resource(name)
        moment = now or datetime.now(UTC)
        day = first or moment.astimezone(resource.zone).date()
        if not 1 <= days <= 62:
            raise AgentConsoleError("show 1 to 62 days of slots", exit_code=2)
        slots = [s for i in range(days) for s in resource.slots_on(day + timedelta(days=i))]
        if not slots:
            return []
        return free_slots(resource, slots, self._taken(resource, slots[0].start, slots[-1].end), now=moment)

    def propose_bookings(
        self, case_id: int, resource: str | None = None, *, now: datetime | None = None
    ) -> BookingProposals:
        """Three slots for the times the customer asked for in the case's latest customer message that asks.

        Only masked text is read. With no request in the conversation, the earliest free slots (marked
        as not matching). ``resource`` limits the search to one resource (default: all).
        """
        vault = self.require("work_cases")
        vault.get_case(case_id)
        resources = [self.booking_resource(resource)] if resource else self.booking_resources()
        if not resources:
            raise AgentConsoleError("no bookable resource yet: add one with 'agentconsole booking resource add'")
        moment = now or datetime.now(UTC)
        customer = [m for m in vault.list_messages(case_id) if m.role == "customer"]
        for message in reversed(customer[-MESSAGES_READ:]):
            written = _message_time(message.created_at, moment)
            requests, proposals = propose_for_text(message.text, written, resources, self._taken, now=moment)
            if requests:
                return BookingProposals(message.id, tuple(requests), tuple(proposals))
        return BookingProposals(None, (), tuple(propose(resources, [], self._taken, now=moment)))

    # --- bookings ---------------------------------------------------------------------

    def book(self, case_id: int, resource: str, start: datetime, note: str | None = None) -> Booking:
        """Book the slot of ``resource`` starting at ``start`` for a case; refused when full or not a slot."""
        vault = self.require("work_cases")
        target = self.booking_resource(resource)
        slot = target.slot_at(start)
        if slot.start <= datetime.now(UTC):
            raise ScheduleError("that slot has already started: pick a later one")
        with self.jobs.running(), vault.transaction():
            vault.get_case(case_id)
            masked = self._masked_note(vault, case_id, note)
            booking_id = vault.insert_booking(
                case_id, target.id, utc_text(slot.start), utc_text(slot.end), vault.user, masked
            )
            self._audit(
                "booking.book",
                f"booking:{booking_id}",
                case=case_id,
                resource=target.name,
                start=utc_text(slot.start),
                end=utc_text(slot.end),
            )
        return self.get_booking(booking_id)

    def _masked_note(self, vault: Vault, case_id: int, note: str | None) -> str | None:
        if note is None or not note.strip():
            return None
        if len(note) > MAX_NOTE_CHARS:
            raise AgentConsoleError(f"a booking note is at most {MAX_NOTE_CHARS} characters", exit_code=2)
        return self._mask_into_case(vault, case_id, note.strip()).masked

    def move_booking(self, booking_id: int, start: datetime, resource: str | None = None) -> Booking:
        """Move a booking to another slot (and resource); the old times stay in its history."""
        vault = self.require("work_cases")
        before = vault.get_booking(booking_id)
        target = self.booking_resource(resource or before.resource)
        slot = target.slot_at(start)
        if slot.start <= datetime.now(UTC):
            raise ScheduleError("that slot has already started: pick a later one")
        with vault.transaction():
            vault.move_booking(booking_id, utc_text(slot.start), utc_text(slot.end), target.id, vault.user)
            self._audit(
                "booking.move",
                f"booking:{booking_id}",
                case=before.case_id,
                resource=target.name,
                start=utc_text(slot.start),
                end=utc_text(slot.end),
                previous_start=before.start_utc,
            )
        return self.get_booking(booking_id)

    def cancel_booking(self, booking_id: int) -> Booking:
        return self._finish(booking_id, "cancel")

    def complete_booking(self, booking_id: int) -> Booking:
        return self._finish(booking_id, "done")

    def _finish(self, booking_id: int, action: str) -> Booking:
        vault = self.require("work_cases")
        with vault.transaction():
            before = vault.set_booking_status(booking_id, action, vault.user)
            self._audit(f"booking.{action}", f"booking:{booking_id}", case=before.case_id, start=before.start_utc)
        return self.get_booking(booking_id)

    def _view(self, vault: Vault, row: BookingRow, zones: dict[int, str]) -> Booking:
        if row.resource_id not in zones:
            zones[row.resource_id] = vault.booking_resource_by_id(row.resource_id).tz
        tz = zone(zones[row.resource_id])
        return Booking(
            row.id,
            row.case_id,
            row.resource,
            from_utc_text(row.start_utc).astimezone(tz),
            from_utc_text(row.end_utc).astimezone(tz),
            row.status,
            row.created_by,
            row.note,
        )

    def get_booking(self, booking_id: int) -> Booking:
        vault = self.require("work_cases")
        return self._view(vault, vault.get_booking(booking_id), {})

    def booking_history(self, booking_id: int) -> list[BookingEventRow]:
        """Every change of a booking, oldest first (times in UTC)."""
        vault = self.require("work_cases")
        vault.get_booking(booking_id)
        return vault.booking_history(booking_id)

    def list_bookings(
        self,
        *,
        case_id: int | None = None,
        resource: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        active_only: bool = False,
    ) -> list[Booking]:
        """Bookings starting in ``[start, end)``, for one case or resource, in start order."""
        vault = self.require("work_cases")
        resource_id = vault.booking_resource(resource.strip()).id if resource else None
        rows = vault.list_bookings(
            case_id=case_id,
            resource_id=resource_id,
            start_from=utc_text(start) if start else None,
            start_before=utc_text(end) if end else None,
            active_only=active_only,
        )
        zones: dict[int, str] = {}
        return [self._view(vault, row, zones) for row in rows]

    def agenda(
        self, first: date, days: int = 1, *, resource: str | None = None, active_only: bool = False
    ) -> list[Booking]:
        """Bookings on local dates ``first``..``first + days - 1``, each in its resource's own zone."""
        start = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        end = datetime.combine(first + timedelta(days=days + 1), datetime.min.time(), tzinfo=UTC)
        last = first + timedelta(days=days - 1)
        found = self.list_bookings(resource=resource, start=start, end=end, active_only=active_only)
        return [b for b in found if first <= b.start.date() <= last]

    def export_bookings_ics(self, bookings: list[Booking]) -> bytes:
        """The iCalendar text of ``bookings`` (SUMMARY: the case reference only); audited."""
        vault = self.require("work_cases")
        entries = [
            CalendarEntry(
                b.id,
                b.case_id,
                b.resource,
                b.start,
                b.end,
                b.status,
                vault.booking_changes(b.id),
                datetime.fromisoformat(vault.get_booking(b.id).updated_at),
            )
            for b in bookings
        ]
        data = to_ics(entries, vault_id=vault.database_id)
        self._audit("booking.export", "bookings", count=len(entries))
        return data


def _message_time(created_at: str, fallback: datetime) -> datetime:
    """A message's time (imported ones may carry any offset; a missing offset is UTC)."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
