"""UI logic with a scripted service: forms, composer, streaming, reveal timer, auto-lock, palette.

The same features run against the real service in test_flows_real.py; the fake
makes the UI-only behaviour (gated streams, a fake clock) exact and fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from ui_driving import screen_name, screen_text, sign_in, type_text, wait_for
from ui_fakes import FakeService, seeded

from agentconsole.config import Settings, UiSettings
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import MessageView
from agentconsole.ui.screens.first_run import MIN_PASSPHRASE

pytestmark = pytest.mark.anyio

PASS = "correct horse battery"


def settings_for(home: Path, **ui: object) -> Settings:
    return Settings(home=home, ui=dataclasses.replace(UiSettings(), **ui))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def unlock(pilot, app) -> None:
    await sign_in(pilot, app, PASS)


@contextlib.asynccontextmanager
async def signed_in(
    tmp_path: Path,
    size: tuple[int, int] = (100, 30),
    service: FakeService | None = None,
    clock: Any = None,
    **ui: object,
) -> AsyncIterator[tuple[Any, Any, FakeService]]:
    """The console on the seeded fake service, unlocked, the newest case open (``clock``: the app's clock)."""
    service = service or seeded(FakeService())
    app = make_app(settings_for(tmp_path, **ui), service, **({"clock": clock} if clock is not None else {}))
    async with app.run_test(size=size) as pilot:
        await unlock(pilot, app)
        yield app, pilot, service


@pytest.mark.timeout(60)
async def test_first_run_form_tab_enter_and_errors(tmp_path: Path) -> None:
    service = FakeService(exists=False)
    app = make_app(settings_for(tmp_path), service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "FirstRunScreen", "first-run screen")
        await type_text(pilot, "alice")
        await pilot.press("enter")  # Enter on a field that is not the last moves on
        await type_text(pilot, "short")
        assert "weak" in screen_text(app)
        await pilot.press("tab")
        await type_text(pilot, "short")
        await pilot.press("enter")
        assert f"at least {MIN_PASSPHRASE} characters" in screen_text(app)
        assert not service.unlocked
        app.screen.query_one("#passphrase").value = PASS
        app.screen.query_one("#confirm").value = PASS + "x"
        app.screen.query_one("#confirm").focus()
        await pilot.press("enter")
        assert "passphrases differ" in screen_text(app)
        app.screen.query_one("#confirm").value = PASS
        app.screen.query_one("#confirm").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen after creation")
        assert service.user_name == "alice" and service.passphrase == PASS
        assert "🔓 alice (supervisor)" in screen_text(app)


@pytest.mark.timeout(60)
async def test_unlock_wrong_then_right_and_growing_delay(tmp_path: Path) -> None:
    service = seeded(FakeService())
    app = make_app(settings_for(tmp_path), service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen", "unlock screen")
        screen = app.screen
        await type_text(pilot, "alice")
        await pilot.press("tab")
        for attempt in (1, 2):
            await type_text(pilot, "wrong passphrase")
            await pilot.press("enter")
            await wait_for(pilot, lambda attempt=attempt: screen.failures == attempt, f"failure {attempt}")
        assert "wrong passphrase" in screen_text(app)
        assert screen.wait_left == 1 and screen.query_one("#passphrase").disabled  # the second failure waits
        assert "try again in 1 s" in screen_text(app)
        await wait_for(pilot, lambda: not screen.query_one("#passphrase").disabled, "retry allowed again")
        await type_text(pilot, PASS)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen")


@pytest.mark.timeout(60)
async def test_customer_paste_is_sealed_then_shown_masked(tmp_path: Path) -> None:
    raw = "I am Mary Major, mary@example.com, card 4111-1111-1111-1111.\n\x1b]0;owned\x07bye"
    async with signed_in(tmp_path) as (app, pilot, _service):
        composer = app.screen.query_one(Composer)
        assert composer.role == "customer"
        composer.post_message(Paste(raw))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "sealed paste")
        text = screen_text(app)
        assert "[pasted #1: 2 lines" in text
        for value in ("Mary Major", "mary@example.com", "4111"):
            assert value not in text
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(
                "<PERSON_" in v.text and v.role == "customer" and "Mary" not in v.text
                for v in app.screen.query(MessageView)
            ),
            "masked customer message shown",
        )
        await pilot.pause()
        text = screen_text(app)
        assert "PERSON 1" in text and "EMAIL ADDRESS 1" in text and "CREDIT CARD 1" in text
        for value in ("Mary Major", "mary@example.com", "4111"):
            assert value not in text
        assert "␛]0;owned␇" in text  # the escape sequence is shown inert
        assert composer.text == "" and composer.sealed_count() == 0


@pytest.mark.timeout(60)
async def test_composer_newline_role_switch_and_large_paste(tmp_path: Path) -> None:
    async with signed_in(tmp_path, (80, 24)) as (app, pilot, _service):
        composer = app.screen.query_one(Composer)
        await pilot.press("f2")
        assert composer.role == "agent"
        assert "AGENT" in screen_text(app)
        await type_text(pilot, "line one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "line two")
        assert composer.text == "line one\nline two"
        big = "x" * 200_000
        composer.post_message(Paste(big))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "large paste sealed")
        assert len(composer.text) < 100  # the editor holds a token, not 200 000 characters
        assert composer.message_text().endswith(big)
        await pilot.press("f2")
        assert composer.role == "note"
        await pilot.press("f2")
        assert composer.role == "customer"


@pytest.mark.timeout(60)
async def test_draft_streams_esc_stops_and_accept_into_composer(tmp_path: Path) -> None:
    service = seeded(FakeService())
    service.gate = threading.Event()
    async with signed_in(tmp_path, service=service) as (app, pilot, service):
        screen = app.screen
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: screen.drafting and "writing" in screen_text(app), "draft streaming")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.drafting, "draft stopped")
        stopped = [v for v in screen.query(MessageView) if v.role == "assistant"][-1]
        assert "stopped" in stopped.detail and stopped.text == "Hello"
        service.gate.set()
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: not screen.drafting and service._current is None, "second draft done")
        await pilot.pause()
        done = [v for v in screen.query(MessageView) if v.role == "assistant"][-1]
        assert done.text == service.draft_text and done.message_id is not None
        assert "42.0 tok/s" in screen_text(app)
        await pilot.press("ctrl+e")
        composer = screen.query_one(Composer)
        assert composer.text == service.draft_text and composer.role == "agent"


@pytest.mark.timeout(60)
async def test_send_copies_outgoing_text_with_real_values(tmp_path: Path) -> None:
    async with signed_in(tmp_path, (100, 30)) as (app, pilot, _service):
        screen = app.screen
        screen.open_case(1)
        await wait_for(pilot, lambda: screen.case_id == 1, "case 1")
        composer = screen.query_one(Composer)
        composer.load_draft("Dear <PERSON_1>, done.")
        composer.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app._clipboard == "Dear John Smith, done.", "clipboard set")
        await wait_for(pilot, lambda: composer.text == "", "composer cleared")
        assert "John Smith" not in screen_text(app)
        draft = next(v for v in screen.query(MessageView) if v.role == "assistant")
        draft.focus()
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: app._clipboard.startswith("Hello John Smith,"), "draft copied with values")
        assert "4111 1111 1111 1111" in app._clipboard and "John Smith" not in screen_text(app)


@pytest.mark.timeout(60)
async def test_reveal_then_automatic_remask(tmp_path: Path) -> None:
    now = [0.0]  # the app's clock: the reveal lasts until the test moves it
    async with signed_in(tmp_path, (100, 30), clock=lambda: now[0], reveal_seconds=1) as (app, pilot, service):
        screen = app.screen
        screen.open_case(1)
        await wait_for(pilot, lambda: screen.case_id == 1 and len(list(screen.query(MessageView))) == 3, "case 1")
        view = screen.query(MessageView).first()
        await pilot.press("ctrl+r")  # composer focused: nothing is revealed
        assert service.reveals == []
        view.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: view.revealed, "revealed")
        await pilot.pause()
        assert "John Smith" in screen_text(app) and "REVEALED" in screen_text(app)
        assert service.reveals == [(1, view.message_id)]
        now[0] += 0.5  # before the deadline: still revealed after a few re-mask checks
        await pilot.pause(0.5)
        assert view.revealed
        now[0] += 0.6
        await wait_for(pilot, lambda: not view.revealed, "re-masked")
        await pilot.pause()
        assert "John Smith" not in screen_text(app) and "PERSON 1" in screen_text(app)


@pytest.mark.timeout(60)
async def test_click_on_chip_reveals_message(tmp_path: Path) -> None:
    async with signed_in(tmp_path, (100, 30)) as (app, pilot, service):
        screen = app.screen
        screen.open_case(1)
        await wait_for(pilot, lambda: screen.case_id == 1 and len(list(screen.query(MessageView))) == 3, "case 1")
        for view in screen.query(MessageView):  # a plain-text message, then a Markdown draft
            view.scroll_visible(animate=False, immediate=True)
            await pilot.pause()
            block = view.query_one(".message-body") if view.role != "assistant" else view.query("MarkdownBlock").first()
            plain = block.render().plain if view.role != "assistant" else block.content.plain
            if "PERSON" not in plain:
                continue
            await pilot.click(block, offset=(plain.index("PERSON") + 1, 0))
            await wait_for(pilot, lambda view=view: view.revealed, "revealed by a click on a chip")
        assert [m for _, m in service.reveals] == [1, 3]


@pytest.mark.timeout(60)
async def test_lock_and_autolock(tmp_path: Path) -> None:
    service = seeded(FakeService())
    clock = FakeClock()
    app = make_app(settings_for(tmp_path, autolock_minutes=5), service, clock=clock, idle_check_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and service.locks == 1, "locked by Ctrl+L")
        await wait_for(pilot, lambda: "Unlock the vault" in screen_text(app), "unlock form drawn")
        assert "PERSON" not in screen_text(app) and not app.screen.query(MessageView)
        await unlock(pilot, app)
        clock.now += 4 * 60
        await pilot.pause(0.2)
        assert screen_name(app) == "MainScreen"  # not idle long enough
        clock.now += 61
        await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen", "auto-locked")
        await wait_for(pilot, lambda: service.locks == 2, "service locked")
        await wait_for(pilot, lambda: "without activity" in screen_text(app), "auto-lock notice")


@pytest.mark.timeout(60)
async def test_search_opens_case_at_hit(tmp_path: Path) -> None:
    async with signed_in(tmp_path, (100, 30)) as (app, pilot, service):
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: screen_name(app) == "SearchScreen", "search screen")
        await type_text(pilot, "fraud")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.hits, "hits")
        assert "1 hit" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "MainScreen" and app.screen.case_id == 1, "case at hit")
        note = service.msgs[1][1]
        await wait_for(
            pilot,
            lambda: isinstance(app.focused, MessageView) and app.focused.message_id == note.id,
            "hit message focused",
        )


@pytest.mark.timeout(60)
async def test_title_never_shows_case_content_and_palette_has_every_action(tmp_path: Path) -> None:
    from agentconsole.ui import keys
    from agentconsole.ui.screens.main import MainScreen

    async with signed_in(tmp_path, (80, 24)) as (app, _pilot, _service):
        assert (app.title, app.sub_title) == ("agentconsole", "")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for key in keys.KEYS:
            if key.palette:
                assert key.label in titles, key
            target = (
                app.screen.query_one(Composer)
                if key.where == "composer"
                else (app if key.where == "app" else app.screen)
            )
            assert callable(getattr(target, f"action_{key.action}", None)), key
        assert "Screenshot" not in titles
        assert isinstance(app.screen, MainScreen)


@pytest.mark.timeout(60)
async def test_help_lists_every_binding(tmp_path: Path) -> None:
    from agentconsole.ui import keys

    async with signed_in(tmp_path, (100, 50)) as (app, pilot, _service):
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "HelpScreen", "help")
        text = screen_text(app)
        for key in keys.KEYS:
            assert keys.display_key(key.key) in text, key


@pytest.mark.timeout(60)
async def test_opening_another_case_stops_the_running_draft(tmp_path: Path) -> None:
    service = seeded(FakeService())
    service.gate = threading.Event()
    async with signed_in(tmp_path, service=service) as (app, pilot, service):
        screen = app.screen
        first = screen.case_id
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: screen.drafting and service._current is not None, "draft streaming")
        other = 1 if first != 1 else 2
        screen.open_case(other)
        await wait_for(pilot, lambda: screen.case_id == other and not screen.drafting, "switched and stopped")
        await wait_for(pilot, lambda: service._current is None, "generation ended")
        await pilot.pause()
        assert not any(v.streaming for v in screen.query(MessageView))
        assert [m.text for m in service.msgs[first] if m.role == "assistant"] == ["Hello"]  # stored as stopped
