"""Driving the console in Pilot: bounded waits on predicates, the text on screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def wait_for(pilot: Pilot, predicate: Callable[[], Any], what: str, tries: int = 1500) -> None:
    """Pause until ``predicate()`` is true (bounded; no sleeps, no timing assertions)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for: {what} ({diagnosis(pilot.app)})")


def diagnosis(app: Any) -> str:
    """What a timed-out wait needs to be understood: the screen stack and the error lines shown.

    Notifications are the console's one-line error reports (inert, never a PII
    value); the screen text itself is not included, it may hold revealed values.
    """
    stack = " > ".join(type(screen).__name__ for screen in app.screen_stack)
    shown = [notification.message for notification in app._notifications]
    status = [
        f"#{widget.id}: {widget.render()}"
        for widget in app.screen.query("Static")
        if widget.id and widget.id.endswith("status")
    ]
    dropped = getattr(app, "dropped_results", None)
    return f"screens: {stack}; notifications: {shown or 'none'}; status lines: {status or 'none'}; dropped: {dropped}"


def screen_text(app: Any) -> str:
    """Everything the terminal would show right now, as plain text.

    Textual 8.2 has no public plain-text view of the composed screen (its own
    ``App.export_screenshot`` reads the same private compositor, as SVG).
    """
    text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    return text.replace("\u2800", " ")  # chips join their words with a blank braille cell


def screen_name(app: Any) -> str:
    return type(app.screen).__name__


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


async def sign_in(pilot: Pilot, app: Any, passphrase: str, *, user: str = "alice", wait_case: bool = True) -> None:
    """Unlock through the form (the user name is filled in after a lock) and wait for the main screen."""
    await wait_for(pilot, lambda: screen_name(app) == "UnlockScreen" and app.screen.query("#user"), "unlock screen")
    await pilot.pause()
    if not app.screen.query_one("#user").value:
        await type_text(pilot, user)
        await pilot.press("tab")
    await type_text(pilot, passphrase)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "MainScreen", "main screen")
    if wait_case:
        await wait_for(pilot, lambda: app.screen.case_id is not None, "a case opened")
    await app.workers.wait_for_complete()
    await pilot.pause()
