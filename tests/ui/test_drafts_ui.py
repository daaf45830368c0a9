"""Drafts in the console (Pilot): warning chips, Send/Copy refused, kinds and questions after reopening.

Real vault file and real PII engine; the model is a scripted engine (the real
engine interface with a fixed answer) that invents a phone number, invents a
placeholder and breaks one: what a small model does now and then, on cue.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine
from ui_driving import screen_text, sign_in, type_text, wait_for

from agentconsole.config import ModelSettings, Settings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.chips import WARNING_CLASS, WARNING_RE, chip_content
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import MessageView

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PASS = "correct horse battery staple"
NAME, EMAIL, PHONE = "Wiebke Sandoval", "wiebke.sandoval@example.org", "+1 415 555 0171"
CUSTOMER_TEXT = f"Hello, I am {NAME}, write to {EMAIL} or call {PHONE}. My parcel is late."
ANSWER = "Dear <PERSON_1>, write to <EMAIL_ADDRESS_1 or call 980-346-7530 or <PHONE_NUMBER_2>. Thanks."


@pytest.fixture(scope="module")
def privacy():
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def make_service(home: Path, privacy, answer: str = ANSWER) -> ConsoleService:  # type: ignore[no-untyped-def]
    settings = Settings(home=home, model=dataclasses.replace(ModelSettings(), temperature=0.0))
    return ConsoleService(settings, engine=ScriptedEngine(settings, answer, step=4), privacy=privacy)


def finished_drafts(screen) -> list[MessageView]:  # type: ignore[no-untyped-def]
    """Model messages that finished streaming and were stored (the scripted model is instant:
    waiting for ``drafting`` to turn on could miss it)."""
    return [v for v in screen.query(MessageView) if v.role == "assistant" and not v.streaming and v.message_id]


def seed(service: ConsoleService) -> int:
    service.create_vault("alice", bytearray(PASS.encode()))
    case_id = service.new_case("CUST-2001", "Late parcel")
    service.add_message(case_id, "customer", CUSTOMER_TEXT)
    service.lock()
    return case_id


def test_chip_rendering_of_markers_is_a_warning_never_a_value() -> None:
    content = chip_content("call <INVENTED PHONE_NUMBER_2> or <PHONE_NUMBER_1>", {"<PHONE_NUMBER_1>": "555"})
    styles = {content.plain[s.start : s.end].strip(): s.style for s in content.spans}
    assert styles["⚠\u2800INVENTED\u2800PHONE\u2800NUMBER\u28002"] == "." + WARNING_CLASS
    assert styles["555"] == ".revealed"
    # the UI's marker grammar is the privacy core's
    from agentconsole.privacy.streaming import MARKER_RE

    assert WARNING_RE.pattern == MARKER_RE.pattern


@pytest.mark.timeout(180)
async def test_invented_placeholders_show_as_warnings_and_send_and_copy_are_refused(tmp_path: Path, privacy) -> None:
    service = make_service(tmp_path, privacy)
    case_id = seed(service)
    app = make_app(service.settings, service)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app, PASS)
        screen = app.screen
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: finished_drafts(screen) and not screen.drafting, "draft finished")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        for label in ("⚠ INVENTED PHONE NUMBER 2", "⚠ DAMAGED EMAIL ADDRESS 1", "⚠ MADE-UP PHONE NUMBER"):
            assert label in text
        assert "⚠ 3 invented/damaged: edit before sending" in finished_drafts(screen)[-1]._header().plain
        assert "980-346-7530" not in text and NAME not in text
        assert service.masked_entity_count(case_id) == 3  # name, e-mail, phone: nothing the model wrote

        # Ctrl+E, Enter: refused with the placeholders named; nothing stored, nothing in the clipboard
        await pilot.press("ctrl+e")
        composer = screen.query_one(Composer)
        await wait_for(pilot, lambda: composer.role == "agent" and "INVENTED" in composer.text, "draft in composer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("not sent" in n.message for n in app._notifications), "refusal shown")
        refusal = next(n.message for n in app._notifications if "not sent" in n.message)
        assert "<PHONE_NUMBER_2> (invented)" in refusal and "<EMAIL_ADDRESS_1> (damaged)" in refusal
        await wait_for(pilot, lambda: not composer.read_only, "composer usable again")
        assert "INVENTED" in composer.text  # the agent's text is kept for editing
        assert app._clipboard == ""
        assert not [m for m in service.messages(case_id) if m.role == "agent"]

        draft = [v for v in screen.query(MessageView) if v.role == "assistant"][-1]
        draft.focus()
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: any("not copied" in n.message for n in app._notifications), "copy refused")
        assert app._clipboard == ""

        # the agent edits the text: it goes, with the customer's own values only
        composer.load_draft("Dear <PERSON_1>, we will write to <EMAIL_ADDRESS_1>.")
        composer.focus()
        await pilot.press("enter")
        # the reply used the model's draft: it ends with the AI disclosure (transparency.ai_disclosure, on by default)
        disclosure = service.settings.transparency.ai_disclosure_text
        expected = f"Dear {NAME}, we will write to {EMAIL}.\n\n{disclosure}"
        await wait_for(pilot, lambda: app._clipboard == expected, "sent")
        actions = [e.action for e in service.audit_entries()]
        assert actions.count("send.refused") == 1 and actions.count("copy.refused") == 1 and "send" in actions


@pytest.mark.timeout(180)
async def test_summary_and_answer_keep_their_kind_and_question_after_reopening(tmp_path: Path, privacy) -> None:
    service = make_service(tmp_path, privacy, answer="The parcel of <PERSON_1> is late.")
    seed(service)
    app = make_app(service.settings, service)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app, PASS)
        screen = app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(finished_drafts(screen)) == 1 and not screen.drafting, "summary finished")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: app.screen.query("#question"), "question dialog")
        await type_text(pilot, f"Is {NAME} waiting long?")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.screen is screen and len(finished_drafts(screen)) == 2 and not screen.drafting,
            "answer finished",
        )
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: "Q: Is  PERSON 1  waiting long?" in screen_text(app), "question shown masked")
        assert NAME not in screen_text(app)
    service.lock()

    again = make_app(service.settings, service)
    async with again.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, again, PASS)
        views = [v for v in again.screen.query(MessageView) if v.role == "assistant"]
        assert [v.kind for v in views] == ["summary", "answer"]
        text = screen_text(again)
        assert "Case summary" in text and "Answer" in text and "Model" not in text
        assert "Q: Is  PERSON 1  waiting long?" in text
