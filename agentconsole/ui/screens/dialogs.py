"""Small modal dialogs: a new case, a free question to the model."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NewCaseDialog(ModalScreen[tuple[str, str] | None]):
    """Customer reference and a title (the title is masked like any text)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New case", classes="form-title", markup=False)
            yield Input(placeholder="customer reference, e.g. CUST-1042", id="customer", max_length=80)
            yield Input(placeholder="title (optional; masked)", id="title", max_length=200)
            yield Static("Enter creates the case · Esc cancels", classes="form-help", markup=False)
            yield Static("", id="error", classes="error", markup=False)

    @on(Input.Submitted, "#customer")
    @on(Input.Submitted, "#title")
    def _create(self) -> None:
        """Enter in either field creates the case, as the dialog says (the title is optional)."""
        customer = self.query_one("#customer", Input).value.strip()
        if not customer:
            self.query_one("#error", Static).update("a case needs a customer reference")
            self.query_one("#customer", Input).focus()
            return
        self.dismiss((customer, self.query_one("#title", Input).value))


class QuestionDialog(ModalScreen[str | None]):
    """A free question about the open case (masked before the model sees it)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Ask the model about this case", classes="form-title", markup=False)
            yield Input(placeholder="e.g. What has the customer already tried?", id="question")
            yield Static("Enter asks · Esc cancels", classes="form-help", markup=False)

    @on(Input.Submitted, "#question")
    def _ask(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value)
