"""First run: create the vault and its first user (user name, passphrase, confirmation)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from agentconsole.ui.access import ConsoleAccess
from agentconsole.ui.status import StatusBar

MIN_PASSPHRASE = 8  # same minimum as the CLI's new passphrases


def strength(passphrase: str) -> tuple[str, str]:
    """A rough strength hint ``(word, style)``: length counts most, then variety."""
    if not passphrase:
        return "", ""
    classes = sum(
        any(test(ch) for ch in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    score = len(passphrase) + 3 * classes + (6 if passphrase.count(" ") >= 3 else 0)
    if len(passphrase) < MIN_PASSPHRASE or score < 18:
        return "weak", "bold red"
    if score < 24:
        return "fair", "bold yellow"
    if score < 32:
        return "good", "bold green"
    return "strong", "bold green"


class FirstRunScreen(ConsoleAccess, Screen):
    """No vault yet: a form that creates one. Tab moves between fields, Enter on the last submits."""

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="form", classes="form"):
            yield Static("Create the vault", classes="form-title", markup=False)
            yield Static(
                "Transcripts are stored encrypted. Choose the first user (a supervisor) and a passphrase: "
                "it cannot be recovered.",
                classes="form-help",
                markup=False,
            )
            yield Input(placeholder="user name", id="user", max_length=64)
            yield Input(placeholder="passphrase", id="passphrase", password=True)
            yield Static("", id="strength", markup=False)
            yield Input(placeholder="confirm passphrase", id="confirm", password=True)
            yield Static("", id="error", classes="error", markup=False)
            yield Button("Create vault", id="create", variant="primary")
        yield StatusBar()

    def on_mount(self) -> None:
        self.query_one("#user", Input).focus()

    @on(Input.Changed, "#passphrase")
    def _strength(self, event: Input.Changed) -> None:
        word, style = strength(event.value)
        hint = self.query_one("#strength", Static)
        if not word:
            hint.update("")
            return
        hint.update(
            Content.assemble("strength: ", (word, style), f" · {MIN_PASSPHRASE}+ characters; a few words are best")
        )

    @on(Input.Submitted, "#user")
    @on(Input.Submitted, "#passphrase")
    def _next_field(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#confirm")
    @on(Button.Pressed, "#create")
    def submit(self) -> None:
        user = self.query_one("#user", Input).value.strip()
        passphrase = self.query_one("#passphrase", Input)
        confirm = self.query_one("#confirm", Input)
        problem = None
        if not user:
            problem = "enter a user name"
        elif len(passphrase.value) < MIN_PASSPHRASE:
            problem = f"the passphrase needs at least {MIN_PASSPHRASE} characters"
        elif passphrase.value != confirm.value:
            problem = "the two passphrases differ"
        if problem:
            self.show_error(problem)
            return
        secret = bytearray(passphrase.value.encode("utf-8"))
        passphrase.value = confirm.value = ""
        self.set_busy(True)
        self.console.create_vault(user, secret)

    def set_busy(self, busy: bool) -> None:
        for widget in self.query("Input, Button"):
            widget.disabled = busy
        self.query_one("#error", Static).update("Creating the vault…" if busy else "")

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.query_one("#error", Static).update(message)
        self.query_one("#passphrase", Input).focus()
