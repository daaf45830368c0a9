"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

Fixed data and fixed times (the scripted service in ui_fakes), no clocks or
spinners in the shot, cursors not blinking. Update with ``--snapshot-update``
after checking the change by eye.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_driving import screen_name, sign_in, type_text, wait_for
from ui_fakes import FakeService, seeded

from agentconsole.config import Settings
from agentconsole.ui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
PASS = "correct horse battery"


def app_for(tmp_path: Path, service: FakeService, theme: str = "textual-dark"):
    from agentconsole.config import UiSettings

    return make_app(Settings(home=tmp_path, ui=UiSettings(theme=theme)), service)


async def still(pilot: Pilot) -> None:
    """No blinking cursors, no toasts: the same pixels every run."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause(0.1)  # let pending refreshes land even on a loaded machine
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def to_main(pilot: Pilot) -> None:
    app = pilot.app
    await sign_in(pilot, app, PASS)
    app.screen.open_case(1)
    await wait_for(pilot, lambda: app.screen.case_id == 1 and len(app.screen.query("MessageView")) == 3, "case 1")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def first_run(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: screen_name(app) == "FirstRunScreen" and app.screen.query("#user"), "form")
    await type_text(pilot, "alice")
    await pilot.press("tab")
    await type_text(pilot, "horse battery")


async def unlock_wrong_passphrase(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock")
    await type_text(pilot, "alice")
    await pilot.press("tab")
    await type_text(pilot, "nope")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.failures == 1, "failure")


async def main_revealed(pilot: Pilot) -> None:
    await to_main(pilot)
    view = pilot.app.screen.query("MessageView").first()
    view.focus()
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: view.revealed, "revealed")


async def search_results(pilot: Pilot) -> None:
    await to_main(pilot)
    await pilot.press("ctrl+f")
    await wait_for(pilot, lambda: screen_name(pilot.app) == "SearchScreen", "search")
    await type_text(pilot, "card")
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.hits, "hits")


async def help_screen(pilot: Pilot) -> None:
    await to_main(pilot)
    await pilot.press("f1")
    await wait_for(pilot, lambda: screen_name(pilot.app) == "HelpScreen", "help")


async def composer_with_draft(pilot: Pilot) -> None:
    from textual.events import Paste

    await to_main(pilot)
    await pilot.press("ctrl+e")
    composer = pilot.app.screen.query_one("#composer")
    await wait_for(pilot, lambda: "<PERSON_1>" in composer.text, "draft in the composer")
    await pilot.press("ctrl+j")
    composer.post_message(Paste("log line\n" * 300))
    await wait_for(pilot, lambda: "[pasted #1" in composer.text, "sealed paste in the editor")
    await focused_composer(pilot)  # the shot shows the composer's cursor, whatever the load did meanwhile


async def focused_composer(pilot: Pilot) -> None:
    """The main screen drawn with the composer focused (what shows behind a dialog)."""
    composer = pilot.app.screen.query_one("#composer")
    composer.cursor_blink = False
    composer.focus()
    await wait_for(pilot, lambda: composer.has_focus, "composer focused")
    # Lines rendered during a blink phase are cached; a blink toggle refreshes only the
    # cursor's line, as it was before a scroll. Re-render every line with the cursor shown.
    composer.notify_style_update()
    composer.refresh()
    await pilot.pause()


async def consent_dialog(pilot: Pilot) -> None:
    await to_main(pilot)
    await focused_composer(pilot)
    await pilot.press("f4")
    await wait_for(pilot, lambda: screen_name(pilot.app) == "ConsentDialog" and pilot.app.screen.history, "consent")


async def audit_with_hostile_text(pilot: Pilot) -> None:
    await to_main(pilot)
    await pilot.press("f3")
    await wait_for(pilot, lambda: screen_name(pilot.app) == "AuditScreen" and pilot.app.screen.entries, "audit")


#: name -> (what to do before the shot, vault exists, theme)
SCREENS: dict[str, tuple[Callable[[Pilot], Awaitable[None]], bool, str]] = {
    "first_run": (first_run, False, "textual-dark"),
    "unlock_wrong_passphrase": (unlock_wrong_passphrase, True, "textual-dark"),
    "main_case_with_chips": (to_main, True, "textual-dark"),
    "main_light_theme_revealed": (main_revealed, True, "textual-light"),
    "search_results": (search_results, True, "textual-dark"),
    "composer_with_draft_and_sealed_paste": (composer_with_draft, True, "textual-dark"),
    "help": (help_screen, True, "textual-dark"),
    "consent_dialog": (consent_dialog, True, "textual-dark"),
    "audit_with_hostile_text": (audit_with_hostile_text, True, "textual-dark"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    steps, exists, theme = SCREENS[screen]

    async def run_before(pilot: Pilot) -> None:
        await steps(pilot)
        await still(pilot)

    service = seeded(FakeService()) if exists else FakeService(exists=False)
    assert snap_compare(app_for(tmp_path, service, theme), terminal_size=size, run_before=run_before)
