"""Bookings through the service with the real PII engine: no personal data in booking rows, notes masked,
bookings leave with the customer (erasure) and the case (retention), roles enforced."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agentconsole.config import Settings
from agentconsole.errors import AgentConsoleError
from agentconsole.service import ConsoleService, PermissionDenied

PASS = "booking service passphrase"
NAME, PHONE, BIRTH = "Jonas Weidemann", "+49 30 901820", "12.03.1985"


@pytest.fixture(scope="module")
def privacy():
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


@pytest.fixture
def service(tmp_path: Path, privacy) -> ConsoleService:  # type: ignore[no-untyped-def]
    service = ConsoleService(Settings(home=tmp_path), privacy=privacy)
    service.create_vault("sue", bytearray(PASS.encode()))
    service.add_booking_resource("repairs desk", "mon-sun 08:00-20:00", 30, 1, "Europe/Berlin")
    yield service
    if service.is_unlocked:
        service.lock()


def _all_booking_text(service: ConsoleService) -> str:
    conn = service.require("work_cases").connection()
    rows = []
    for table in ("bookings", "booking_events", "booking_resources", "booking_closures"):
        rows += [repr(r) for r in conn.execute(f"SELECT * FROM {table}")]
    return "\n".join(rows)


def test_personal_data_offered_never_enters_the_booking(service: ConsoleService) -> None:
    case = service.new_case("C-7001", "Dishwasher repair")
    service.add_message(
        case,
        "customer",
        f"Hello, {NAME} here, born {BIRTH}, call me on {PHONE}. Could someone come the day after tomorrow at 11?",
    )
    found = service.propose_bookings(case)
    assert found.proposals and found.proposals[0].fits
    assert found.proposals[0].start.strftime("%H:%M") == "11:00"
    text = " ".join(r.phrase for r in found.requests) + found.confirmation()
    assert NAME.split()[1] not in text and PHONE[-6:] not in text and BIRTH not in text

    booking = service.book(
        case, "repairs desk", found.proposals[0].start, note=f"Customer {NAME} asks to ring {PHONE} first"
    )
    assert booking.note is not None and "<PERSON_1>" in booking.note and "<PHONE_NUMBER_" in booking.note
    stored = _all_booking_text(service)
    for value in (NAME.split()[0], NAME.split()[1], PHONE, PHONE.replace(" ", ""), BIRTH):
        assert value not in stored
    # The case's mapping still reveals the note's values to an agent, audited like any reveal.
    assert service.mapping(case).placeholders()


def test_bookings_leave_with_the_customer_and_with_the_case(service: ConsoleService) -> None:
    kept = service.new_case("C-7002", "Kept")
    erased = service.new_case("C-7003", "Erased")
    start = (datetime.now(UTC) + timedelta(days=2)).astimezone(service.booking_resource("repairs desk").zone)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    service.book(kept, "repairs desk", start)
    moved = service.book(erased, "repairs desk", start + timedelta(hours=1), note="bring the spare part")
    service.move_booking(moved.id, start + timedelta(hours=2))
    service.erase_customer("C-7003")
    assert [b.case_id for b in service.list_bookings()] == [kept]
    assert "spare part" not in _all_booking_text(service)

    retention = dataclasses.replace(service.settings.retention, transcripts_days=1)
    service.settings = dataclasses.replace(service.settings, retention=retention)
    vault = service.require("work_cases")
    with vault.transaction() as conn:  # the kept case went quiet long ago
        conn.execute("UPDATE cases SET updated_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", (kept,))
    # an appointment still ahead keeps its case (and the booking) out of retention
    service.run_retention()
    assert [b.case_id for b in service.list_bookings()] == [kept]
    (upcoming,) = service.list_bookings()
    service.cancel_booking(upcoming.id)
    with vault.transaction() as conn:  # cancelling touched the case: make it quiet again
        conn.execute("UPDATE cases SET updated_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", (kept,))
    service.run_retention()
    assert service.list_bookings() == []


def test_agents_book_but_do_not_manage_resources_and_auditors_see_no_bookings(
    service: ConsoleService, tmp_path: Path
) -> None:
    vault = service.require("manage_users")
    vault.add_user("ann", "agent", bytearray(b"agent passphrase 1"))
    vault.add_user("aud", "auditor", bytearray(b"auditor passphrase 1"))
    service.lock()
    service.unlock("ann", bytearray(b"agent passphrase 1"))
    with pytest.raises(PermissionDenied):
        service.add_booking_resource("other", "mon 09:00-10:00", 30)
    with pytest.raises(PermissionDenied):
        service.add_booking_closure("repairs desk", datetime.now(UTC).date())
    case = service.new_case("C-7004", "x")
    tomorrow = datetime.now(UTC).astimezone(service.booking_resource("repairs desk").zone) + timedelta(days=1)
    booking = service.book(case, "repairs desk", tomorrow.replace(hour=9, minute=30, second=0, microsecond=0))
    with pytest.raises(AgentConsoleError, match="already started"):
        service.book(case, "repairs desk", tomorrow.replace(year=2020, hour=9, minute=0, second=0, microsecond=0))
    service.lock()
    service.unlock("aud", bytearray(b"auditor passphrase 1"))
    with pytest.raises(PermissionDenied):
        service.get_booking(booking.id)
    actions = [e.action for e in service.audit_entries()]
    assert "booking.book" in actions and "booking.resource.add" in actions
