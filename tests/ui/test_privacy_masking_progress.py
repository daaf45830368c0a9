"""A long paste: the composer shows the masking progress, Esc cancels it and nothing is stored."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from ui_driving import screen_text, sign_in, wait_for
from ui_fakes import FakeService, seeded

from agentconsole.config import Settings, UiSettings
from agentconsole.privacy import MaskingCancelled
from agentconsole.ui.app import make_app
from agentconsole.ui.composer import Composer
from agentconsole.ui.screens.main import MASKING_PROGRESS_CHARS

pytestmark = pytest.mark.anyio


class SlowMaskingService(FakeService):
    """Masks a long text in steps: reports half the work, then waits to be cancelled (or released)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls: list[dict[str, Any]] = []

    def add_message(self, case_id: int, role: str, text: str, **job: Any) -> Any:
        self.calls.append(job)
        progress, should_cancel = job.get("progress"), job.get("should_cancel")
        if progress is not None and should_cancel is not None:
            progress(len(text) // 2, len(text))
            while not self.release.is_set():
                if should_cancel():
                    raise MaskingCancelled("masking cancelled; nothing was stored")
                self.release.wait(0.01)
            progress(len(text), len(text))
        return super().add_message(case_id, role, text)


@contextlib.asynccontextmanager
async def console(tmp_path: Path) -> AsyncIterator[tuple[Any, Any, SlowMaskingService, int]]:
    """The console on the slow-masking fake, signed in; the open case's message count before."""
    service = seeded(SlowMaskingService())
    app = make_app(Settings(home=tmp_path, ui=dataclasses.replace(UiSettings())), service)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, app, "correct horse battery")
        service.calls.clear()  # seeding added messages too
        yield app, pilot, service, len(service.msgs.get(app.screen.case_id, []))


@pytest.mark.timeout(60)
async def test_long_paste_shows_progress_and_esc_cancels(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot, service, before):
        composer = app.screen.query_one(Composer)
        case_id = app.screen.case_id
        big = "my order never came. " * (MASKING_PROGRESS_CHARS // 20)
        composer.post_message(Paste(big))
        await wait_for(pilot, lambda: composer.sealed_count() == 1, "large paste sealed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "masking… 50%" in screen_text(app), "progress shown")
        assert "Esc cancels" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen._busy_sending, "masking stopped")
        assert composer.message_text().endswith(big)  # the text stays in the composer
        assert len(service.msgs.get(case_id, [])) == before  # nothing stored
        assert set(service.calls[0]) == {"progress", "should_cancel"}
        # sent again and left to finish, it is stored
        service.release.set()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(service.msgs.get(case_id, [])) == before + 1, "stored")


@pytest.mark.timeout(60)
async def test_short_messages_need_no_progress(tmp_path: Path) -> None:
    async with console(tmp_path) as (app, pilot, service, before):
        case_id = app.screen.case_id
        app.screen.query_one(Composer).post_message(Paste("hello there"))
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(service.msgs.get(case_id, [])) == before + 1, "stored")
        assert service.calls == [{"progress": None, "should_cancel": None}]  # neither progress nor cancel
