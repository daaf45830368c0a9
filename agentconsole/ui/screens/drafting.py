"""Drafting in the main screen: replies, summaries and answers streamed into a message as Markdown.

Drafts stream from a thread worker into a ``MarkdownStream`` through messages,
so the Markdown grows block by block and the whole message is never
re-rendered per token.
"""

from __future__ import annotations

import logging
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Markdown

from agentconsole.errors import AgentConsoleError
from agentconsole.ui.chips import chip_markdown
from agentconsole.ui.messages import Conversation, MessageView
from agentconsole.ui.screens.case_base import CaseScreenBase
from agentconsole.ui.screens.dialogs import QuestionDialog

log = logging.getLogger("agentconsole.ui")


class DraftDelta(Message):
    """A display-safe piece of a streaming draft (placeholders whole)."""

    def __init__(self, view: MessageView, delta: str) -> None:
        super().__init__()
        self.view = view
        self.delta = delta


class DraftEnded(Message):
    """The draft finished, was stopped, or failed (``error``)."""

    def __init__(self, view: MessageView, stream: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.view = view
        self.stream = stream
        self.error = error


class DraftingPart(CaseScreenBase):
    """Ctrl+D, Ctrl+S and Ctrl+K: start a draft, stream it, stop it with Esc."""

    async def action_draft(self) -> None:
        await self.start_draft("reply")

    async def action_summarize(self) -> None:
        await self.start_draft("summary")

    def action_ask(self) -> None:
        if not self._require_case():
            return

        def asked(question: str | None) -> None:
            if question:
                self.call_later(self.start_draft, "answer", question)

        self.app.push_screen(QuestionDialog(), asked)

    async def start_draft(self, kind: str, question: str | None = None) -> None:
        if not self._require_case():
            return
        if self._draft is not None:
            self.app.notify("A draft is being written: Esc stops it", severity="warning", markup=False)
            return
        # the question shows once the service has masked it (never the raw text typed)
        view = MessageView("assistant", "", kind=kind, streaming=True)
        conversation = self.query_one(Conversation)
        await conversation.mount(view)
        conversation.anchor()
        self._draft = (view, Markdown.get_stream(view.markdown))
        self._generate(self.case_id, kind, question, view)

    @work(thread=True, group="draft")
    def _generate(self, case_id: int, kind: str, question: str | None, view: MessageView) -> None:
        try:
            stream = self.service.draft(case_id, kind, question)
            if question := getattr(stream, "question", None):  # masked by the service
                self.app.call_from_thread(view.set_question, question)
            for delta in stream:
                self.post_message(DraftDelta(view, delta))
        except AgentConsoleError as exc:
            self.post_message(DraftEnded(view, error=exc.message))
            return
        except Exception:
            log.exception("draft failed")
            self.post_message(DraftEnded(view, error="the draft failed unexpectedly; details are in the log"))
            return
        self.post_message(DraftEnded(view, stream))

    async def on_draft_delta(self, message: DraftDelta) -> None:
        if self._draft is not None and self._draft[0] is message.view:
            message.view.text += message.delta
            await self._draft[1].write(chip_markdown(message.delta))

    async def on_draft_ended(self, message: DraftEnded) -> None:
        view = message.view
        if self._draft is not None and self._draft[0] is view:
            await self._draft[1].stop()
            self._draft = None
        stream = message.stream
        if not self._shown(view):  # its case was closed meanwhile; the service stored what there was
            return
        if message.error is not None or stream is None or not stream.text.strip():
            await view.remove()
            note = message.error or (
                "Stopped before any text" if stream and stream.cancelled else "The model wrote nothing"
            )
            self.app.notify(note, severity="error" if message.error else "warning", markup=False)
            return
        stats = stream.stats
        tps = getattr(stats, "decode_tokens_per_s", None)
        detail = " · ".join(
            part
            for part in (
                f"{tps:.1f} tok/s" if tps else "",
                "stopped" if stream.cancelled else "",
                "Ctrl+E uses it" if stream.kind == "reply" else "",
            )
            if part
        )
        if question := getattr(stream, "question", None):  # the question as stored: masked
            view.set_question(question)
        view.finish(stream.text, stream.message_id, detail)
        if getattr(stream, "problems", None):
            self.app.notify(
                "The model invented or broke placeholders (⚠ chips): edit them before sending",
                severity="warning",
                markup=False,
                timeout=6,
            )
        if tps:
            self.console.set_status(tokens_per_s=tps)
        case_id = stream.case_id
        self.console.call_service(
            self.service.masked_entity_count,
            case_id,
            done=lambda n: self.console.set_status(masked=n) if case_id == self.case_id else None,
            name="count",
        )

    def action_stop(self) -> None:
        if self._masking_cancel is not None and not self._masking_cancel.is_set():
            self._masking_cancel.set()  # the composer keeps the text; nothing is stored
            self.app.notify("Cancelling the masking…", markup=False, timeout=2)
            return
        if self._draft is not None:
            self.service.cancel_generation()
            self.app.notify("Stopping the draft…", markup=False, timeout=2)

    @property
    def drafting(self) -> bool:
        return self._draft is not None

    @property
    def draft_view(self) -> MessageView | None:
        """The message the running draft streams into (None when no draft runs)."""
        return self._draft[0] if self._draft is not None else None
