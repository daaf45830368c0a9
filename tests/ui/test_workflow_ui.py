"""The case workflow in the console against the real service: real vault file, real PII engine.

A draft put into the composer with Ctrl+E and sent edited is recorded as
edited; F8 resolves the case and offers the survey; the palette records a
survey answer (its comment masked), assigns the case and rates the draft.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList
from textual.widgets import Input, OptionList
from ui_driving import sign_in, type_text, wait_for

from agentconsole.config import Settings, UiSettings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer
from agentconsole.ui.screens.workflow import ChoiceDialog, TextDialog

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PASS = "correct horse battery staple"
DRAFT = "Hello <PERSON_1>, we refunded the double charge."


@pytest.fixture(scope="module")
def privacy() -> object:
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


@pytest.fixture
def service(tmp_path: Path, privacy: object) -> ConsoleService:
    settings = Settings(home=tmp_path / "home", ui=UiSettings(theme="textual-dark"))
    console = ConsoleService(settings, privacy=privacy)  # type: ignore[arg-type]
    console.create_vault("alice", bytearray(PASS.encode()))
    vault = console.require("work_cases")
    case = vault.create_case(vault.upsert_customer("C-77"), "Double charge")
    vault.add_message(case, "customer", "I am <PERSON_1> and I was charged twice.")
    vault.add_pii_values(case, [("<PERSON_1>", "PERSON", "John Smith")])
    vault.add_message(case, "assistant", DRAFT, kind="reply", model="test-model")
    console.lock()
    return console


async def choose(pilot: Any, key: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog) and app.screen.query("#choices"), key)
    options = app.screen.query_one("#choices", OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(key)
    await pilot.press("enter")


async def palette(pilot: Any, words: str) -> None:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: pilot.app.screen.query("CommandInput"), "palette")
    await type_text(pilot, words)

    def first_hit() -> bool:
        hits = pilot.app.screen.query(CommandList)
        return bool(hits) and hits.first().option_count > 0 and words in str(hits.first().get_option_at_index(0).prompt)

    await wait_for(pilot, first_hit, f"palette hit for {words}")
    await pilot.press("enter")


@pytest.mark.timeout(300)
async def test_draft_outcome_status_survey_and_rating_from_the_console(service: ConsoleService) -> None:
    app = make_app(service.settings, service, load_engines=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, PASS)
        await wait_for(pilot, lambda: len(app.screen.query("MessageView")) == 2, "case 1")
        await pilot.press("ctrl+e")
        composer = app.screen.query_one(Composer)
        await wait_for(pilot, lambda: composer.role == "agent" and "refunded" in composer.text, "draft in composer")
        composer.focus()
        composer.move_cursor(composer.document.end)
        await type_text(pilot, " Sorry for the trouble.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.screen.query("MessageView")) == 3, "reply sent")

        drafts = service.draft_feedback(1)
        assert drafts[0].outcome == "edited" and 0 < drafts[0].edit_ratio < 0.5
        assert app.clipboard.startswith("Hello John Smith, we refunded the double charge. Sorry")

        await pilot.press("f8")
        await choose(pilot, "status:resolved")
        await wait_for(pilot, lambda: service.tracked_case(1).status == "resolved", "resolved")
        await choose(pilot, "send")  # the survey offered on resolving
        await wait_for(pilot, lambda: len(service.messages(1)) == 4, "survey sent")
        assert "How satisfied are you" in service.messages(1)[-1].text
        assert "How satisfied are you" in app.clipboard

        await palette(pilot, "record a survey answer")
        await choose(pilot, "4")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog), "comment dialog")
        app.screen.query_one("#text", Input).focus()
        await type_text(pilot, "Quick help, thanks from John Smith")
        await pilot.press("enter")
        await wait_for(pilot, lambda: service.case_surveys(1), "survey recorded")
        survey = service.case_surveys(1)[0]
        assert survey.score == 4 and "John Smith" not in survey.comment and "<PERSON_1>" in survey.comment

        await palette(pilot, "assign to me")
        await wait_for(pilot, lambda: service.tracked_case(1).owner == "alice", "assigned")
        await pilot.press("f8")
        await choose(pilot, "draft:rate")
        await choose(pilot, "bad:too-long")
        await wait_for(pilot, lambda: service.draft_feedback(1)[0].rating == "bad", "rated")
        assert service.draft_feedback(1)[0].reason == "too-long"

        await pilot.press("f5")  # alice created the vault: a supervisor
        await wait_for(pilot, lambda: getattr(app.screen, "figures", None) is not None, "dashboard")
        figures = app.screen.figures
        assert figures["drafts"]["edited"] == 1 and figures["csat"]["count"] == 1 and figures["cases"]["resolved"] == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MainScreen", "back to the cases")

    actions = [e.action for e in service_audit(service)]
    for action in ("draft.outcome", "case.status", "survey.offer", "survey.record", "case.assign", "draft.rating"):
        assert action in actions


def service_audit(service: ConsoleService) -> list[Any]:
    service.unlock("alice", bytearray(PASS.encode()))
    try:
        return list(service.audit_entries())
    finally:
        service.lock()
