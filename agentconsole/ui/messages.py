"""The conversation: one focusable :class:`MessageView` per message, chips for placeholders.

Customer, agent and note messages are plain text (never interpreted as
Markdown or markup); model output (role ``assistant``) is Markdown and is
streamed into a :class:`~agentconsole.ui.chips.ChipMarkdown` block by block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agentconsole.ui.chips import (
    CHIP_CLASSES,
    ChipMarkdown,
    chip_content,
    chip_markdown,
    inert,
    placeholder_count,
    warning_count,
)

ROLE_TITLES = {"customer": "Customer", "agent": "Agent", "note": "Note", "assistant": "Draft"}
#: Model messages by kind (stored with the message; "question" is the old name of "answer").
KIND_TITLES = {"reply": "Draft reply", "summary": "Case summary", "answer": "Answer", "question": "Answer"}


def short_time(iso: str | None) -> str:
    """``2026-11-24T10:30:00+00:00`` -> ``11-24 10:30`` (from the data; no clock involved)."""
    if not iso or len(iso) < 16:
        return ""
    return f"{iso[5:10]} {iso[11:16]}"


class MessageView(Vertical, can_focus=True):
    """One message. Focus it (click, Tab, ↑/↓) and press Ctrl+R to reveal its values."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(CHIP_CLASSES)
    BINDINGS: ClassVar[list[BindingType]] = [
        ("up", "screen.focus_previous_message", "Previous"),
        ("down", "screen.focus_next_message", "Next"),
    ]

    def __init__(
        self,
        role: str,
        text: str,
        *,
        message_id: int | None = None,
        created_at: str | None = None,
        kind: str | None = None,
        question: str | None = None,
        detail: str = "",
        streaming: bool = False,
    ) -> None:
        super().__init__(classes=f"message -{role}")
        self.role = role
        self.text = text
        self.message_id = message_id
        self.created_at = created_at
        self.kind = kind
        self.question = question  # masked: the agent's question an answer replies to
        self.detail = detail
        self.streaming = streaming
        self.revealed = False

    @property
    def is_markdown(self) -> bool:
        return self.role == "assistant"

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="message-header", markup=False)
        if self.role == "assistant" and self.kind in ("answer", "question"):
            yield Static(self._question_line(), classes="message-question")
        if self.is_markdown:
            yield ChipMarkdown(None if self.streaming else chip_markdown(self.text), message_id=self.message_id)
        else:
            yield Static(chip_content(self.text, message_id=self.message_id), classes="message-body")

    def _header(self) -> Content:
        title = KIND_TITLES.get(self.kind or "", ROLE_TITLES.get(self.role, self.role.title()))
        if self.role == "assistant" and not self.kind:
            title = "Model"
        parts = [(title, "bold"), (f"  {short_time(self.created_at)}", "dim")]
        if self.detail:
            parts.append((f"  {inert(self.detail)}", "dim"))  # holds the model's name
        if self.streaming:
            parts.append(("  writing… (Esc stops)", "italic"))
        if self.revealed:
            parts.append(("  REVEALED", "bold reverse"))
        elif placeholder_count(self.text):
            parts.append(("  masked", "dim"))
        if warnings := warning_count(self.text):
            parts.append((f"  ⚠ {warnings} invented/damaged: edit before sending", "bold"))
        return Content.assemble(*parts)

    def _question_line(self) -> Content:
        # Only ever the masked question (stored, or from the service once masked).
        shown = chip_content(self.question) if self.question else Content("…")
        return Content.assemble(("Q: ", "bold"), shown)

    def set_question(self, question: str) -> None:
        """Show the (masked) question this answer replies to."""
        self.question = question
        for line in self.query(".message-question").results(Static):
            line.update(self._question_line())

    def refresh_header(self) -> None:
        # tolerant: a draft can end while its view is being removed with the case it belonged to
        for header in self.query(".message-header").results(Static):
            header.update(self._header())

    @property
    def markdown(self) -> ChipMarkdown:
        return self.query_one(ChipMarkdown)

    def finish(self, text: str, message_id: int | None, detail: str) -> None:
        """The stream ended: remember what was stored."""
        self.streaming = False
        self.text = text
        self.message_id = message_id
        self.detail = detail
        if self.is_markdown:
            for markdown in self.query(ChipMarkdown):
                markdown.message_id = message_id
        self.refresh_header()

    async def show_values(self, values: Mapping[str, str] | None) -> None:
        """Show real values (``values``) in place of the chips, or re-mask (``None``)."""
        self.revealed = values is not None
        if self.is_markdown:
            await self.markdown.update(chip_markdown(self.text, values))
        else:
            body = self.query_one(".message-body", Static)
            body.update(chip_content(self.text, values, message_id=self.message_id))
        self.set_class(self.revealed, "-revealed")
        self.refresh_header()


class Conversation(VerticalScroll, can_focus=False):
    """The open case's messages, newest at the bottom."""

    def views(self) -> list[MessageView]:
        return list(self.query(MessageView))

    def view_for(self, message_id: int) -> MessageView | None:
        return next((v for v in self.views() if v.message_id == message_id), None)
