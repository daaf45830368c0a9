"""The booking repository on a real SQLCipher vault: capacity, conflicts, history, cascade with the case."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agentconsole.vault import RecordNotFound, Vault, VaultError
from agentconsole.vault.repositories.bookings import BOOKING_SUBSYSTEM, BookingConflict
from agentconsole.vault.schema import subsystem_version

PASS = b"booking-vault-test-passphrase"
NINE, NINE_30, TEN = "2026-03-03T08:00:00Z", "2026-03-03T08:30:00Z", "2026-03-03T09:00:00Z"


@pytest.fixture
def vault(tmp_path: Path):
    v = Vault.create(tmp_path / "vault.db", "alice", bytearray(PASS))
    yield v
    v.lock()


def _case(vault: Vault, ref: str = "C-1") -> int:
    return vault.create_case(vault.upsert_customer(ref), "repair")


def test_the_booking_subsystem_is_migrated_with_the_vault(vault: Vault) -> None:
    assert subsystem_version(vault.connection(), "booking") == len(BOOKING_SUBSYSTEM.migrations)


def test_booking_rows_have_no_room_for_personal_data(vault: Vault) -> None:
    columns = [r[1] for r in vault.connection().execute("PRAGMA table_info(bookings)")]
    assert columns == [
        "id", "case_id", "resource_id", "start_utc", "end_utc", "status", "created_by", "note", "created_at", "updated_at"
    ]  # fmt: skip


def test_capacity_is_enforced_and_counts_only_active_bookings(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 2, "Europe/Berlin")
    case = _case(vault)
    first = vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)
    vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)
    with pytest.raises(BookingConflict, match=r"slot is full \(2 of 2"):
        vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)
    vault.set_booking_status(first, "cancel", "alice")
    vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)  # the cancelled place is free again
    vault.insert_booking(case, desk, NINE_30, TEN, "alice", None)  # the next slot does not overlap
    assert len(vault.list_bookings(active_only=True)) == 3


def test_two_threads_racing_for_the_last_place_get_one_booking(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "Europe/Berlin")
    case = _case(vault)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def book() -> None:
        barrier.wait()
        try:
            vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)
            outcomes.append("booked")
        except BookingConflict:
            outcomes.append("full")

    threads = [threading.Thread(target=book) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "full", "full", "full"]
    assert len(vault.list_bookings()) == 1


def test_move_and_cancel_keep_the_history(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "UTC")
    case = _case(vault)
    taken = vault.insert_booking(case, desk, NINE_30, TEN, "bob", None)
    booking = vault.insert_booking(case, desk, NINE, NINE_30, "alice", None)
    with pytest.raises(BookingConflict, match="full"):
        vault.move_booking(booking, NINE_30, TEN, desk, "alice")
    vault.move_booking(booking, NINE, NINE_30, desk, "alice")  # onto its own slot: it does not count itself
    vault.set_booking_status(taken, "cancel", "bob")
    vault.move_booking(booking, NINE_30, TEN, desk, "alice")
    assert vault.get_booking(booking).status == "rescheduled"
    vault.set_booking_status(booking, "cancel", "alice")
    history = [(e.action, e.status, e.start_utc) for e in vault.booking_history(booking)]
    assert history == [
        ("book", "booked", NINE),
        ("move", "rescheduled", NINE),
        ("move", "rescheduled", NINE_30),
        ("cancel", "cancelled", NINE_30),
    ]
    assert vault.booking_changes(booking) == 3
    for action in ("move", "cancel", "done"):
        with pytest.raises(BookingConflict, match="is cancelled"):
            if action == "move":
                vault.move_booking(booking, NINE, NINE_30, desk, "alice")
            else:
                vault.set_booking_status(booking, action, "alice")


def test_a_booking_needs_an_existing_case_and_resource(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "UTC")
    with pytest.raises(RecordNotFound, match="no case with id 99"):
        vault.insert_booking(99, desk, NINE, NINE_30, "alice", None)
    with pytest.raises(RecordNotFound, match="no resource"):
        vault.insert_booking(_case(vault), 42, NINE, NINE_30, "alice", None)
    with pytest.raises(VaultError, match="exists already"):
        vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "UTC")


def test_bookings_follow_their_case_out_of_the_vault(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 3, "UTC")
    kept, expired = _case(vault, "C-1"), _case(vault, "C-2")
    erased_customer = vault.upsert_customer("C-3")
    erased = vault.create_case(erased_customer, "x")
    for case in (kept, expired, erased):
        vault.move_booking(vault.insert_booking(case, desk, NINE, NINE_30, "alice", None), NINE_30, TEN, desk, "a")
    vault.delete_case(expired)  # what retention does
    vault.delete_customer(erased_customer)  # what erasure does
    assert [b.case_id for b in vault.list_bookings()] == [kept]
    conn = vault.connection()
    assert conn.execute("SELECT count(*) FROM booking_events").fetchone()[0] == 2


def test_resources_with_upcoming_bookings_cannot_be_removed(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "UTC")
    vault.add_booking_resource("spare", "mon-fri 09:00-17:00", 30, 1, "UTC")
    booking = vault.insert_booking(_case(vault), desk, NINE, NINE_30, "alice", None)
    with pytest.raises(BookingConflict, match="1 upcoming booking"):
        vault.remove_booking_resource("desk", "2026-03-01T00:00:00Z")
    assert vault.remove_booking_resource("desk", "2026-03-04T00:00:00Z") == "retired"  # its booking is past
    assert vault.get_booking(booking).resource == "desk"
    assert [r.name for r in vault.booking_resources()] == ["spare"]
    assert vault.remove_booking_resource("spare", "2026-03-04T00:00:00Z") == "deleted"
    vault.add_booking_resource("desk", "sat 10:00-12:00", 60, 1, "UTC")  # the name is free again


def test_closures_are_kept_per_resource(vault: Vault) -> None:
    desk = vault.add_booking_resource("desk", "mon-fri 09:00-17:00", 30, 1, "UTC")
    closure = vault.add_booking_closure(desk, "2026-12-24", "2026-12-26", "holidays")
    assert [(c.first_day, c.last_day, c.label) for c in vault.booking_closures(desk)] == [
        ("2026-12-24", "2026-12-26", "holidays")
    ]
    vault.remove_booking_closure(desk, closure)
    with pytest.raises(RecordNotFound):
        vault.remove_booking_closure(desk, closure)
