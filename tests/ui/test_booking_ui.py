"""Booking from the case (F7) and the agenda (Shift+F7), in Pilot against the real service.

Real vault file and real PII engine; the model is scripted (booking never asks it).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine
from ui_driving import screen_name, screen_text, sign_in, wait_for

from agentconsole.config import ModelSettings, Settings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PASS = "correct horse battery staple"
CUSTOMER_TEXT = "Hi, Marta Kowalczyk here, phone +48 601 234 567. Could the technician come tomorrow at 10?"


@pytest.fixture(scope="module")
def privacy():
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def make_service(home: Path, privacy) -> ConsoleService:  # type: ignore[no-untyped-def]
    settings = Settings(home=home, model=dataclasses.replace(ModelSettings(), temperature=0.0))
    return ConsoleService(settings, engine=ScriptedEngine(settings, "Thanks.", step=4), privacy=privacy)


@pytest.mark.timeout(180)
async def test_f7_proposes_the_asked_time_books_it_and_the_agenda_shows_it(tmp_path: Path, privacy) -> None:
    service = make_service(tmp_path, privacy)
    service.create_vault("alice", bytearray(PASS.encode()))
    resource = service.add_booking_resource("repairs desk", "mon-sun 08:00-20:00", 30, 1, "Europe/Berlin")
    case_id = service.new_case("CUST-3001", "Technician visit")
    service.add_message(case_id, "customer", CUSTOMER_TEXT)
    service.lock()
    tomorrow = datetime.now(resource.zone).date() + timedelta(days=1)

    app = make_app(service.settings, service)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, PASS)
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen_name(app) == "BookingDialog", "booking dialog")
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.view is not None, "proposals loaded")
        text = screen_text(app)
        assert "Asked for: tomorrow at 10" in text
        assert f"Proposal 1: {tomorrow.strftime('%a %d %b')} 10:00-10:30" in text
        assert "Kowalczyk" not in text and "601" not in text
        assert f"Free on {tomorrow.strftime('%a %d %b')} (repairs desk)" in text
        await pilot.press("enter")  # the first proposal is highlighted
        await wait_for(pilot, lambda: dialog.view is not None and len(dialog.view.bookings) == 1, "booked")
        assert dialog.view.bookings[0].start.strftime("%H:%M") == "10:00"
        assert dialog.view.bookings[0].start.date() == tomorrow
        assert dialog.view.proposals[0].start.strftime("%H:%M") != "10:00"  # taken now
        assert "booked" in screen_text(app)
        await pilot.press("tab")  # to the case's bookings
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "booking-case", "bookings focused")
        if app.focused.highlighted is None:
            await pilot.press("down")
        await pilot.press("c")
        await wait_for(pilot, lambda: dialog.view.bookings[0].status == "cancelled", "cancelled")
        # reloaded: the slots have the focus again, the first proposal highlighted
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "booking-slots", "slots focused")
        assert dialog.view.proposals[0].start.strftime("%H:%M") == "10:00"  # free again
        await pilot.press("enter")  # book the (again free) first proposal
        await wait_for(pilot, lambda: len(dialog.view.bookings) == 2, "booked again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "back on the case")
        await pilot.press("shift+f7")
        await wait_for(pilot, lambda: screen_name(app) == "AgendaScreen", "agenda")
        agenda = app.screen
        await wait_for(pilot, lambda: agenda.bookings is not None, "agenda loaded")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: agenda.day == tomorrow and agenda.bookings, "tomorrow's agenda")
        assert f"10:00-10:30  repairs desk  case {case_id}  booked" in screen_text(app)
