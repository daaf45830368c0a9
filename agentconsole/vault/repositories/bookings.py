"""Bookable resources, their closures, bookings and each booking's history: the booking repository.

A booking row holds the case id, the resource, UTC start and end, a status,
who created it and an optional note that the service has masked. Nothing
else: no name, no address, no phone. Bookings reference their case with
``ON DELETE CASCADE``, so erasing a customer or expiring a case (compliance)
deletes its bookings and their history in the same statement, with
``secure_delete`` zeroing the cells. Capacity is checked and the row written
inside one ``BEGIN IMMEDIATE`` transaction: two agents cannot both take the
last place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentconsole.vault.errors import RecordNotFound, VaultError
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.repositories.base import Repository
from agentconsole.vault.repositories.base import now as _now

BOOKING_STATUSES = ("booked", "rescheduled", "cancelled", "done")
ACTIVE_STATUSES = ("booked", "rescheduled")

BOOKING_SUBSYSTEM = Subsystem(
    "booking",
    (
        # 1: resources, closures, bookings, history.
        """
        CREATE TABLE booking_resources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            hours TEXT NOT NULL,            -- canonical "mon-fri 09:00-17:00" form
            slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 1440),
            capacity INTEGER NOT NULL CHECK (capacity >= 1),
            tz TEXT NOT NULL,               -- IANA zone name
            created_at TEXT NOT NULL,
            retired_at TEXT                 -- set when removed while past bookings still point at it
        );
        CREATE UNIQUE INDEX booking_resources_live_name ON booking_resources(name) WHERE retired_at IS NULL;
        CREATE TABLE booking_closures (
            id INTEGER PRIMARY KEY,
            resource_id INTEGER NOT NULL REFERENCES booking_resources(id) ON DELETE CASCADE,
            first_day TEXT NOT NULL,        -- local dates, inclusive
            last_day TEXT NOT NULL CHECK (last_day >= first_day),
            label TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX booking_closures_by_resource ON booking_closures(resource_id, first_day);
        CREATE TABLE bookings (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            resource_id INTEGER NOT NULL REFERENCES booking_resources(id),
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL CHECK (end_utc > start_utc),
            status TEXT NOT NULL CHECK (status IN ('booked', 'rescheduled', 'cancelled', 'done')),
            created_by TEXT NOT NULL,
            note TEXT,                      -- masked by the service, like any text
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX bookings_by_resource_time ON bookings(resource_id, start_utc);
        CREATE INDEX bookings_by_case ON bookings(case_id);
        CREATE INDEX bookings_by_start ON bookings(start_utc);
        CREATE TABLE booking_events (
            id INTEGER PRIMARY KEY,
            booking_id INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('book', 'move', 'cancel', 'done')),
            status TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL
        );
        CREATE INDEX booking_events_by_booking ON booking_events(booking_id, id);
        """,
    ),
)


class BookingConflict(VaultError):
    """The slot has no place left, or the booking cannot change from its status."""


@dataclass(frozen=True)
class ResourceRow:
    id: int
    name: str
    hours: str
    slot_minutes: int
    capacity: int
    tz: str
    created_at: str
    retired_at: str | None


@dataclass(frozen=True)
class ClosureRow:
    id: int
    resource_id: int
    first_day: str
    last_day: str
    label: str


@dataclass(frozen=True)
class BookingRow:
    id: int
    case_id: int
    resource_id: int
    resource: str
    start_utc: str
    end_utc: str
    status: str
    created_by: str
    note: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class BookingEventRow:
    at: str
    actor: str
    action: str
    status: str
    start_utc: str
    end_utc: str


_RESOURCE_COLUMNS = "id, name, hours, slot_minutes, capacity, tz, created_at, retired_at"
_BOOKING_SELECT = (
    "SELECT b.id, b.case_id, b.resource_id, r.name, b.start_utc, b.end_utc, b.status, b.created_by, b.note, "
    "b.created_at, b.updated_at FROM bookings b JOIN booking_resources r ON r.id = b.resource_id "
)
_ACTIVE = "('booked', 'rescheduled')"
#: From a status, the actions allowed.
_ALLOWED = {"booked": {"move", "cancel", "done"}, "rescheduled": {"move", "cancel", "done"}}


class BookingRepository(Repository):
    """Resources, closures, bookings and their history (mixed into :class:`~agentconsole.vault.Vault`)."""

    # --- resources --------------------------------------------------------------------

    def add_booking_resource(self, name: str, hours: str, slot_minutes: int, capacity: int, tz: str) -> int:
        import sqlcipher3

        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO booking_resources (name, hours, slot_minutes, capacity, tz, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, hours, slot_minutes, capacity, tz, _now()),
                )
                return int(cur.lastrowid)
        except sqlcipher3.IntegrityError:
            raise VaultError(f"a resource named '{name}' exists already") from None

    def booking_resources(self) -> list[ResourceRow]:
        """The resources in use (not removed), by name."""
        rows = self.connection().execute(
            f"SELECT {_RESOURCE_COLUMNS} FROM booking_resources WHERE retired_at IS NULL ORDER BY name"
        )
        return [ResourceRow(*r) for r in rows]

    def booking_resource(self, name: str) -> ResourceRow:
        row = (
            self.connection()
            .execute(
                f"SELECT {_RESOURCE_COLUMNS} FROM booking_resources WHERE name = ? AND retired_at IS NULL", (name,)
            )
            .fetchone()
        )
        if row is None:
            raise RecordNotFound(f"no resource named '{name}' (see 'agentconsole booking resource list')")
        return ResourceRow(*row)

    def booking_resource_by_id(self, resource_id: int) -> ResourceRow:
        row = (
            self.connection()
            .execute(f"SELECT {_RESOURCE_COLUMNS} FROM booking_resources WHERE id = ?", (resource_id,))
            .fetchone()
        )
        if row is None:
            raise RecordNotFound(f"no resource with id {resource_id}")
        return ResourceRow(*row)

    def remove_booking_resource(self, name: str, now_utc: str) -> str:
        """Delete a resource with no bookings, or retire one whose bookings are all past or closed.

        Refused while it has an active booking that has not ended. Returns "deleted" or "retired".
        """
        with self.transaction() as conn:
            resource = self.booking_resource(name)
            active = conn.execute(
                f"SELECT count(*) FROM bookings WHERE resource_id = ? AND status IN {_ACTIVE} AND end_utc > ?",
                (resource.id, now_utc),
            ).fetchone()[0]
            if active:
                raise BookingConflict(
                    f"'{name}' has {active} upcoming booking(s): move or cancel them before removing it"
                )
            if conn.execute("SELECT count(*) FROM bookings WHERE resource_id = ?", (resource.id,)).fetchone()[0]:
                conn.execute("UPDATE booking_resources SET retired_at = ? WHERE id = ?", (_now(), resource.id))
                return "retired"
            conn.execute("DELETE FROM booking_resources WHERE id = ?", (resource.id,))
            return "deleted"

    # --- closures ---------------------------------------------------------------------

    def add_booking_closure(self, resource_id: int, first_day: str, last_day: str, label: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO booking_closures (resource_id, first_day, last_day, label) VALUES (?, ?, ?, ?)",
                (resource_id, first_day, last_day, label),
            )
            return int(cur.lastrowid)

    def booking_closures(self, resource_id: int) -> list[ClosureRow]:
        rows = self.connection().execute(
            "SELECT id, resource_id, first_day, last_day, label FROM booking_closures WHERE resource_id = ? "
            "ORDER BY first_day, id",
            (resource_id,),
        )
        return [ClosureRow(*r) for r in rows]

    def remove_booking_closure(self, resource_id: int, closure_id: int) -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM booking_closures WHERE id = ? AND resource_id = ?", (closure_id, resource_id)
            )
            if cur.rowcount == 0:
                raise RecordNotFound(f"no closure {closure_id} on this resource")

    # --- bookings ---------------------------------------------------------------------

    def _check_room(self, conn: Any, resource_id: int, start: str, end: str, *, ignore: int | None = None) -> None:
        capacity = conn.execute("SELECT capacity FROM booking_resources WHERE id = ?", (resource_id,)).fetchone()
        if capacity is None:
            raise RecordNotFound(f"no resource with id {resource_id}")
        used = conn.execute(
            f"SELECT count(*) FROM bookings WHERE resource_id = ? AND status IN {_ACTIVE} "
            "AND start_utc < ? AND end_utc > ? AND id != ?",
            (resource_id, end, start, ignore if ignore is not None else -1),
        ).fetchone()[0]
        if used >= capacity[0]:
            raise BookingConflict(
                f"that slot is full ({used} of {capacity[0]} place(s) taken): pick another one "
                "('agentconsole booking slots')"
            )

    def _event(self, conn: Any, booking_id: int, actor: str, action: str, status: str, start: str, end: str) -> None:
        conn.execute(
            "INSERT INTO booking_events (booking_id, at, actor, action, status, start_utc, end_utc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (booking_id, _now(), actor, action, status, start, end),
        )

    def insert_booking(
        self, case_id: int, resource_id: int, start_utc: str, end_utc: str, created_by: str, note: str | None
    ) -> int:
        """Book a place if the resource has room then (:class:`BookingConflict` otherwise); returns the id."""
        import sqlcipher3

        with self.transaction() as conn:
            self._check_room(conn, resource_id, start_utc, end_utc)
            now = _now()
            try:
                cur = conn.execute(
                    "INSERT INTO bookings (case_id, resource_id, start_utc, end_utc, status, created_by, note, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, 'booked', ?, ?, ?, ?)",
                    (case_id, resource_id, start_utc, end_utc, created_by, note, now, now),
                )
            except sqlcipher3.IntegrityError:
                raise RecordNotFound(f"no case with id {case_id}") from None
            booking_id = int(cur.lastrowid)
            self._event(conn, booking_id, created_by, "book", "booked", start_utc, end_utc)
            return booking_id

    def get_booking(self, booking_id: int) -> BookingRow:
        row = self.connection().execute(_BOOKING_SELECT + "WHERE b.id = ?", (booking_id,)).fetchone()
        if row is None:
            raise RecordNotFound(f"no booking with id {booking_id}")
        return BookingRow(*row)

    def _changeable(self, booking_id: int, action: str) -> BookingRow:
        booking = self.get_booking(booking_id)
        if action not in _ALLOWED.get(booking.status, set()):
            raise BookingConflict(f"booking {booking_id} is {booking.status}: it cannot be {_PAST[action]}")
        return booking

    def move_booking(self, booking_id: int, start_utc: str, end_utc: str, resource_id: int, actor: str) -> None:
        """Move a booking (same or another resource) if the new slot has room; status becomes rescheduled."""
        with self.transaction() as conn:
            self._changeable(booking_id, "move")
            self._check_room(conn, resource_id, start_utc, end_utc, ignore=booking_id)
            conn.execute(
                "UPDATE bookings SET start_utc = ?, end_utc = ?, resource_id = ?, status = 'rescheduled', "
                "updated_at = ? WHERE id = ?",
                (start_utc, end_utc, resource_id, _now(), booking_id),
            )
            self._event(conn, booking_id, actor, "move", "rescheduled", start_utc, end_utc)

    def set_booking_status(self, booking_id: int, action: str, actor: str) -> BookingRow:
        """``cancel`` or mark ``done`` an active booking; the history keeps its times. Returns it before."""
        status = {"cancel": "cancelled", "done": "done"}[action]
        with self.transaction() as conn:
            booking = self._changeable(booking_id, action)
            conn.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?", (status, _now(), booking_id))
            self._event(conn, booking_id, actor, action, status, booking.start_utc, booking.end_utc)
            return booking

    def list_bookings(
        self,
        *,
        case_id: int | None = None,
        resource_id: int | None = None,
        start_from: str | None = None,
        start_before: str | None = None,
        active_only: bool = False,
    ) -> list[BookingRow]:
        """Bookings in start order, filtered by case, resource, UTC start range and status."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("b.case_id = ?", case_id), ("b.resource_id = ?", resource_id)):
            if value is not None:
                clauses.append(column)
                params.append(value)
        if start_from is not None:
            clauses.append("b.start_utc >= ?")
            params.append(start_from)
        if start_before is not None:
            clauses.append("b.start_utc < ?")
            params.append(start_before)
        if active_only:
            clauses.append(f"b.status IN {_ACTIVE}")
        where = ("WHERE " + " AND ".join(clauses) + " ") if clauses else ""
        rows = self.connection().execute(_BOOKING_SELECT + where + "ORDER BY b.start_utc, b.id", params)
        return [BookingRow(*r) for r in rows]

    def booked_times(self, resource_id: int, start_utc: str, end_utc: str) -> list[tuple[str, str]]:
        """(start, end) of the active bookings of a resource overlapping ``[start_utc, end_utc)``."""
        rows = self.connection().execute(
            f"SELECT start_utc, end_utc FROM bookings WHERE resource_id = ? AND status IN {_ACTIVE} "
            "AND start_utc < ? AND end_utc > ? ORDER BY start_utc",
            (resource_id, end_utc, start_utc),
        )
        return [(str(a), str(b)) for a, b in rows]

    def booking_history(self, booking_id: int) -> list[BookingEventRow]:
        rows = self.connection().execute(
            "SELECT at, actor, action, status, start_utc, end_utc FROM booking_events WHERE booking_id = ? ORDER BY id",
            (booking_id,),
        )
        return [BookingEventRow(*r) for r in rows]

    def booking_changes(self, booking_id: int) -> int:
        """How many times a booking changed after it was made (the iCalendar SEQUENCE)."""
        row = (
            self.connection()
            .execute("SELECT count(*) - 1 FROM booking_events WHERE booking_id = ?", (booking_id,))
            .fetchone()
        )
        return max(int(row[0]), 0)


_PAST = {"move": "moved", "cancel": "cancelled", "done": "marked done"}
