"""The booking commands end to end: real vault file, roles through the service, ICS parsed back."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_users import home_with_users, run
from icalendar import Calendar

from agentconsole.vault import Vault

BERLIN = ZoneInfo("Europe/Berlin")


def _next_monday() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday())


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _next_spring_forward() -> date:
    today = datetime.now(BERLIN).date()
    found = _last_sunday(today.year, 3)
    return found if found > today + timedelta(days=1) else _last_sunday(today.year + 1, 3)


@pytest.fixture
def home(agentconsole_home: Path, tmp_path: Path) -> tuple[Path, int]:
    """A vault with an agent and an auditor, and one case whose customer asked for Tuesday afternoon."""
    cases: list[int] = []

    def seed(vault: Vault) -> None:
        case = vault.create_case(vault.upsert_customer("C-1"), "Washing machine")
        written = datetime.combine(_next_monday(), datetime.min.time(), tzinfo=BERLIN).replace(hour=11, minute=17)
        vault.add_message(
            case,
            "customer",
            "It leaks again. Any chance of Tuesday afternoon? I'm <PERSON_1>, call <PHONE_NUMBER_1>.",
            created_at=written.isoformat(),
        )
        cases.append(case)

    return home_with_users(agentconsole_home, tmp_path, seed), cases[0]


def test_resources_slots_proposals_bookings_and_ics(
    home: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, case = home

    def ok(user: str, *args: str) -> str:
        code = run(root, tmp_path, user, *args)
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out

    def fails(user: str, *args: str) -> str:
        code = run(root, tmp_path, user, *args)
        out = capsys.readouterr()
        assert code != 0 and out.err.count("\n") == 1 and "Traceback" not in out.err
        return out.err

    assert "not allowed to config" in fails(
        "ann", "booking", "resource", "add", "desk", "--hours", "mon-fri 09:00-17:00", "--slot-minutes", "30"
    )
    assert "unknown time zone 'Mars/Base'" in fails(
        "sue", "booking", "resource", "add", "desk", "--hours", "mon-fri 09:00-17:00", "--slot-minutes", "30",
        "--tz", "Mars/Base",
    )  # fmt: skip
    out = ok(
        "sue", "booking", "resource", "add", "repairs desk", "--hours", "mon-sat 08:00-12:00,13:00-18:00",
        "--slot-minutes", "30", "--capacity", "1", "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert "resource 'repairs desk': mon-sat 08:00-12:00,13:00-18:00, 30 min slots, capacity 1" in out
    spring = _next_spring_forward()
    ok("sue", "booking", "resource", "add", "hotline", "--hours", "mon-sun 00:00-24:00", "--slot-minutes", "60",
       "--tz", "Europe/Berlin")  # fmt: skip
    ok("sue", "booking", "resource", "close", "hotline", "--from", (spring + timedelta(days=1)).isoformat())
    listed = json.loads(ok("ann", "booking", "resource", "list", "--json"))
    assert [r["name"] for r in listed] == ["hotline", "repairs desk"] and listed[0]["closures"][0]["label"] == ""

    # The spring-forward Sunday has 23 hourly slots, and the closed Monday none.
    day = json.loads(ok("ann", "booking", "slots", "hotline", "--from", spring.isoformat(), "--days", "2", "--json"))
    assert len(day) == 23 and all(s["start"].startswith(spring.isoformat()) for s in day)
    assert not any("T02:" in s["start"] for s in day)

    proposed = json.loads(ok("ann", "booking", "propose", "--case", str(case), "--resource", "repairs desk", "--json"))
    tuesday = _next_monday() + timedelta(days=1)
    starts = [p["start"] for p in proposed["proposals"]]
    assert starts[0].startswith(f"{tuesday.isoformat()}T13:00:00+0")  # 12:00-13:00 is the lunch break
    assert len(starts) == 3 and all(p["matches_request"] for p in proposed["proposals"])
    assert "PERSON" not in json.dumps(proposed) and "PHONE" not in json.dumps(proposed)
    first = proposed["proposals"][0]
    assert datetime.fromisoformat(first["end"]) - datetime.fromisoformat(first["start"]) == timedelta(minutes=30)

    out = ok("ann", "booking", "add", "--case", str(case), "--resource", "repairs desk", "--at", first["start"])
    booking = int(out.split()[1])
    assert "slot is full (1 of 1" in fails(
        "sue", "booking", "add", "--case", str(case), "--resource", "repairs desk", "--at", first["start"]
    )
    assert "not a slot start" in fails(
        "ann", "booking", "add", "--case", str(case), "--resource", "repairs desk", "--at", f"{tuesday}T13:10"
    )
    again = json.loads(ok("ann", "booking", "propose", "--case", str(case), "--json"))  # over both resources
    assert (first["start"], "repairs desk") not in [(p["start"], p["resource"]) for p in again["proposals"]]
    assert {p["resource"] for p in again["proposals"]} == {"repairs desk", "hotline"}

    ok("ann", "booking", "move", str(booking), "--at", f"{tuesday}T15:00")
    listed_day = json.loads(ok("ann", "booking", "list", "--day", tuesday.isoformat(), "--format", "json"))
    assert [(b["id"], b["status"], b["start"][11:16]) for b in listed_day] == [(booking, "rescheduled", "15:00")]
    history = ok("ann", "booking", "history", str(booking)).splitlines()
    assert [line.split()[2] for line in history] == ["book", "move"]
    second = int(ok("ann", "booking", "add", "--case", str(case), "--resource", "repairs desk", "--at",
                    f"{tuesday}T16:00").split()[1])  # fmt: skip
    ok("ann", "booking", "cancel", str(second))
    assert "is cancelled: it cannot be marked done" in fails("ann", "booking", "done", str(second))
    week = json.loads(ok("ann", "booking", "list", "--week", tuesday.isoformat(), "--all", "--format", "json"))
    assert sorted(b["status"] for b in week) == ["cancelled", "rescheduled"]
    assert "has 1 upcoming booking" in fails("sue", "booking", "resource", "remove", "repairs desk")

    ics = tmp_path / "bookings.ics"
    assert "2 booking(s) written" in ok("ann", "booking", "export", "--ics", str(ics))
    calendar = Calendar.from_ical(ics.read_bytes())
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [f"Case {case}", f"Case {case}"]
    assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]
    assert events[0].decoded("DTSTART").astimezone(BERLIN).strftime("%H:%M") == "15:00"

    assert "not allowed to work cases" in fails("aud", "booking", "list")
    entries = [json.loads(line) for line in ok("aud", "audit", "show", "--action", "booking", "--json").splitlines()]
    actions = [e["action"] for e in entries]
    assert "PERSON" not in json.dumps(entries) and "PHONE" not in json.dumps(entries)
    for action in ("booking.resource.add", "booking.closure.add", "booking.book", "booking.move", "booking.cancel",
                   "booking.export"):  # fmt: skip
        assert action in actions
