"""The KB screen (F6) and the macro picker (Ctrl+O) in Pilot, on a real vault and the real PII engine.

A supervisor imports a few sample articles and the sample macros; in the
console the agent searches, reads an article, inserts its citation, then a
macro whose {customer.first_name} arrives as the case's placeholder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scripted_engine import ScriptedEngine
from ui_driving import screen_name, screen_text, sign_in, type_text, wait_for

from agentconsole.config import Settings
from agentconsole.service import ConsoleService
from agentconsole.ui.app import make_app
from agentconsole.ui.chips import chip_content
from agentconsole.ui.composer import Composer

pytestmark = pytest.mark.anyio

DATA = Path(__file__).resolve().parent.parent / "data" / "kb"
PASS = "kb console passphrase"
NAME = "Grace Hopper"


@pytest.fixture(scope="module")
def privacy():
    from agentconsole.privacy import PrivacyEngine

    return PrivacyEngine.from_settings(Settings().privacy)


def seeded(home: Path, privacy) -> tuple[ConsoleService, int]:  # type: ignore[no-untyped-def]
    settings = Settings(home=home)
    service = ConsoleService(settings, privacy=privacy, engine=ScriptedEngine(settings, "unused"))
    service.create_vault("alice", bytearray(PASS.encode()))
    articles = DATA / "articles"
    service.kb_import([articles / "returns.md", articles / "account-password.md", articles / "opening-hours.txt"])
    service.kb_macros_import(DATA / "macros.md")
    case_id = service.new_case("C-1042", "Return")
    service.add_message(case_id, "customer", f"Hello, I am {NAME}. How do I send the kettle back?")
    service.lock()
    return service, case_id


@pytest.mark.timeout(180)
async def test_search_read_cite_and_insert_a_macro(tmp_path: Path, privacy) -> None:  # type: ignore[no-untyped-def]
    service, case_id = seeded(tmp_path, privacy)
    app = make_app(service.settings, service, load_engines=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app, PASS)
        returns_id = next(a.id for a in service.kb_articles() if a.source == "returns.md")

        await pilot.press("f6")
        await wait_for(pilot, lambda: screen_name(app) == "KbScreen", "the KB screen")
        await type_text(pilot, "how do i send an item back")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "returns.md" in screen_text(app), "search results naming the source file")
        await pilot.press("enter")  # read the highlighted article
        await wait_for(pilot, lambda: "within 30 days of delivery" in screen_text(app), "the article's text")
        assert f"[KB-{returns_id}] Returns" in screen_text(app)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "back on the main screen")
        composer = app.screen.query_one(Composer)
        assert f"[KB-{returns_id}]" in composer.text

        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen_name(app) == "MacroPicker", "the macro picker")
        await wait_for(pilot, lambda: "Greeting" in screen_text(app), "the macros")
        await type_text(pilot, "label")
        await wait_for(pilot, lambda: "Greeting" not in screen_text(app), "filtered as typed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Hello <PERSON_" in composer.text, "the macro in the composer")
        assert NAME.split()[0] not in composer.text and f"[KB-{returns_id}]" in composer.text
        assert screen_name(app) == "MainScreen"

        # a citation in the conversation is a link; its action opens the article on the KB screen
        spans = chip_content(f"see [KB-{returns_id}]", message_id=1).spans
        [link] = [s for s in spans if s.start == 4 and not isinstance(s.style, str)]
        await app.screen.run_action(link.style.meta["@click"].removeprefix("screen."))  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "within 30 days of delivery" in screen_text(app), "the cited article")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "closed")
    assert case_id
