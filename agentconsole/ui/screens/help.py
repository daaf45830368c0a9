"""Help: every key binding, from the same table the footer and the palette use."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from agentconsole.ui.keys import KEYS, display_key

PLACES = {"main": "Cases and conversation", "composer": "Composer", "app": "Everywhere"}


def help_text() -> Content:
    parts: list[str | tuple[str, str]] = []
    for where, title in PLACES.items():
        parts.append((f"{title}\n", "bold underline"))
        for key in KEYS:
            if key.where == where:
                parts.append((f"  {display_key(key.key):<9}", "bold"))
                parts.append(f" {key.help}\n")
        parts.append("\n")
    parts.append(("Mouse", "bold underline"))
    parts.append("\n  click a chip to reveal that message · click a case to open it\n")
    parts.append("  ↑/↓ on a focused message moves between messages\n")
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss(None)", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Static("Keys", classes="form-title", markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(), id="help-text")
            yield Static("Esc closes · Ctrl+P opens the command palette", classes="form-help", markup=False)
