"""The open case's customer: consent to AI processing, shown, given or withdrawn (F4 or the palette).

Drafts, summaries and answers need it when ``consent.required`` is on. Every
change goes through the service (role-checked, audited), exactly as
``agentconsole consent give|withdraw|show`` does.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from agentconsole.terminal_text import inert
from agentconsole.ui.access import ConsoleAccess


def consent_summary(customer_ref: str, history: list[Any]) -> Content:
    """Current state first, then every change (newest last), all data made inert."""
    given = bool(history and history[-1].given)
    parts: list[str | tuple[str, str]] = [
        (f"Customer {inert(customer_ref)}\n", "bold"),
        "Consent to AI processing: ",
        ("given" if given else "not given", "bold" if given else "bold reverse"),
        "\n",
    ]
    if not history:
        parts.append(("No consent recorded yet.\n", "dim"))
    for record in history[-8:]:
        state = "given" if record.given else "withdrawn"
        parts.append((f"  {inert(record.at[:16].replace('T', ' '))}  {state:<9}  by {inert(record.agent)}\n", "dim"))
    if len(history) > 8:
        parts.append((f"  ({len(history) - 8} earlier changes: agentconsole consent show)\n", "dim"))
    return Content.assemble(*parts)


class ConsentDialog(ConsoleAccess, ModalScreen[None]):
    """Show a customer's consent; G gives it, W withdraws it (both audited)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "record(True)", "Give"),
        Binding("w", "record(False)", "Withdraw"),
        Binding("escape", "dismiss(None)", "Close"),
    ]

    def __init__(self, customer_ref: str) -> None:
        super().__init__()
        self.customer_ref = customer_ref
        #: The history last shown (None until loaded).
        self.history: list[Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="consent"):
            yield Static("Consent to AI processing", classes="form-title", markup=False)
            yield Static("Loading…", id="consent-state", markup=False)
            with Horizontal(id="consent-buttons"):
                yield Button("Give (G)", id="consent-give", variant="success")
                yield Button("Withdraw (W)", id="consent-withdraw", variant="error")
            yield Static(
                "G gives · W withdraws · Esc closes · every change is audited", classes="form-help", markup=False
            )

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self.console.call_service(
            self.service.consent_history,
            self.customer_ref,
            done=self._show,
            failed=self._failed,
            name="consent",
            exclusive=True,
        )

    def _show(self, history: list[Any]) -> None:
        self.history = list(history)
        self.query_one("#consent-state", Static).update(consent_summary(self.customer_ref, self.history))

    def _failed(self, message: str) -> None:
        self.query_one("#consent-state", Static).update(inert(message))

    @on(Button.Pressed, "#consent-give")
    def _give(self) -> None:
        self.action_record(True)

    @on(Button.Pressed, "#consent-withdraw")
    def _withdraw(self) -> None:
        self.action_record(False)

    def action_record(self, given: bool) -> None:
        def recorded(_: Any) -> None:
            self.app.notify(
                f"Consent {'given' if given else 'withdrawn'} for customer {inert(self.customer_ref)}", markup=False
            )
            self.load()

        self.console.call_service(
            self.service.record_consent,
            self.customer_ref,
            given,
            done=recorded,
            failed=self._failed,
            name="consent-record",
        )
