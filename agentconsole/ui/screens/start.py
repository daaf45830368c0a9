"""The first screen painted: a name and a line of progress while the vault is looked up."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from agentconsole.ui.status import StatusBar


class StartScreen(Screen):
    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static("agentconsole", id="logo", markup=False)
            with Center():
                yield Static("Opening the vault…", id="start-progress", markup=False)
        yield StatusBar()
