"""What the parts of the main screen share: the open case, the running draft, revealed messages."""

from __future__ import annotations

import threading

from textual.screen import Screen
from textual.timer import Timer
from textual.widgets.markdown import MarkdownStream

from agentconsole.ui.access import ConsoleAccess
from agentconsole.ui.messages import Conversation, MessageView


class CaseScreenBase(ConsoleAccess, Screen[None]):
    """State of the main screen and the helpers its parts (drafting, revealing) use."""

    def __init__(self) -> None:
        super().__init__()
        self.case_id: int | None = None
        self._draft: tuple[MessageView, MarkdownStream] | None = None
        #: Revealed messages: message id -> (when to re-mask on the app's clock, view).
        self._remask: dict[int, tuple[float, MessageView]] = {}
        self._remask_timer: Timer | None = None
        self._busy_sending = False
        self._masking_cancel: threading.Event | None = None  # set by Esc while a message is masked
        self._open_request = 0
        self.customer_ref: str | None = None
        #: The message a search hit opened the case at, once it is scrolled into view (tests).
        self.hit_shown: int | None = None

    def _require_case(self) -> bool:
        if self.case_id is None:
            self.app.notify("Open a case first (Ctrl+N creates one)", severity="warning", markup=False)
            return False
        return True

    def _focused_view(self) -> MessageView | None:
        focused = self.focused
        if focused is None:
            return None
        return next((n for n in focused.ancestors_with_self if isinstance(n, MessageView)), None)

    def _shown(self, view: MessageView) -> bool:
        """Still part of the open conversation (not removed, or being removed, with a case that was left)."""
        return view.display and view in self.query_one(Conversation).views()  # display: False while pruned
