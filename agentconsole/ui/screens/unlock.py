"""Unlock: user name and passphrase; a wrong one shows an inline error and slows down retries."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static

from agentconsole.ui.access import ConsoleAccess
from agentconsole.ui.status import StatusBar

MAX_DELAY_SECONDS = 30


def retry_delay(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passphrases in a row: 0, 1, 2, 4 … 30."""
    if failures < 2:
        return 0
    return min(2 ** (failures - 2), MAX_DELAY_SECONDS)


class UnlockScreen(ConsoleAccess, Screen):
    """The vault exists: sign in. Also where auto-lock and Ctrl+L return to."""

    def __init__(self, user: str = "", notice: str = "") -> None:
        super().__init__()
        self.user = user
        self.notice = notice
        self.wait_left = 0
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="form", classes="form"):
            yield Static("Unlock the vault", classes="form-title", markup=False)
            yield Static(self.notice, classes="form-help", markup=False)
            yield Input(value=self.user, placeholder="user name", id="user", max_length=64)
            yield Input(placeholder="passphrase", id="passphrase", password=True)
            yield Static("", id="error", classes="error", markup=False)
            yield Button("Unlock", id="unlock", variant="primary")
        yield StatusBar()

    def on_mount(self) -> None:
        self.query_one("#passphrase" if self.user else "#user", Input).focus()

    @on(Input.Submitted, "#user")
    def _next_field(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def submit(self) -> None:
        if self.wait_left:
            return
        user = self.query_one("#user", Input).value.strip()
        passphrase = self.query_one("#passphrase", Input)
        if not user or not passphrase.value:
            self.query_one("#error", Static).update("enter your user name and passphrase")
            return
        secret = bytearray(passphrase.value.encode("utf-8"))
        passphrase.value = ""
        self.set_busy(True, "Unlocking…")
        self.console.unlock(user, secret)

    def set_busy(self, busy: bool, message: str = "") -> None:
        for widget in self.query("Input, Button"):
            widget.disabled = busy
        self.query_one("#error", Static).update(message)
        if not busy:
            self.query_one("#passphrase", Input).focus()

    @property
    def failures(self) -> int:
        """Wrong passphrases in a row in this session (kept across locks)."""
        return getattr(self.app, "unlock_failures", 0)

    @failures.setter
    def failures(self, value: int) -> None:
        self.console.unlock_failures = value

    def wrong_passphrase(self, message: str) -> None:
        """Called by the app after a failed unlock: inline error, then a growing pause."""
        self.failures += 1
        self.wait_left = retry_delay(self.failures)
        if not self.wait_left:
            self.set_busy(False, message)
            return
        self.set_busy(True, f"{message}; try again in {self.wait_left} s")
        self._countdown = self.set_interval(1.0, lambda: self._tick(message))

    def _tick(self, message: str) -> None:
        self.wait_left -= 1
        if self.wait_left > 0:
            self.query_one("#error", Static).update(f"{message}; try again in {self.wait_left} s")
            return
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self.set_busy(False, message)
