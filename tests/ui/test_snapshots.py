"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

Fixed data and fixed times (the scripted service in ui_fakes), no clocks or
spinners in the shot, cursors not blinking. Update with ``--snapshot-update``
after checking the change by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_driving import screen_name, type_text, wait_for
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
    await pilot.pause()


async def to_main(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock")
    await type_text(pilot, "alice")
    await pilot.press("tab")
    await type_text(pilot, PASS)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and app.screen.case_id is not None, "main")
    await app.workers.wait_for_complete()
    app.screen.open_case(1)
    await wait_for(pilot, lambda: app.screen.case_id == 1 and len(app.screen.query("MessageView")) == 3, "case 1")
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_first_run(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: screen_name(app) == "FirstRunScreen" and app.screen.query("#user"), "form")
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, "horse battery")
        await still(pilot)

    assert snap_compare(app_for(tmp_path, FakeService(exists=False)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_unlock_wrong_passphrase(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock")
        await type_text(pilot, "alice")
        await pilot.press("tab")
        await type_text(pilot, "nope")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.failures == 1, "failure")
        await still(pilot)

    assert snap_compare(app_for(tmp_path, seeded(FakeService())), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_main_case_with_chips(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await to_main(pilot)
        await still(pilot)

    assert snap_compare(app_for(tmp_path, seeded(FakeService())), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_main_light_theme_revealed(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await to_main(pilot)
        view = pilot.app.screen.query("MessageView").first()
        view.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: view.revealed, "revealed")
        await still(pilot)

    service = seeded(FakeService())
    assert snap_compare(app_for(tmp_path, service, theme="textual-light"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_search_results(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await to_main(pilot)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: screen_name(pilot.app) == "SearchScreen", "search")
        await type_text(pilot, "card")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.hits, "hits")
        await still(pilot)

    assert snap_compare(app_for(tmp_path, seeded(FakeService())), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await to_main(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot.app) == "HelpScreen", "help")
        await still(pilot)

    assert snap_compare(app_for(tmp_path, seeded(FakeService())), terminal_size=size, run_before=run_before)
