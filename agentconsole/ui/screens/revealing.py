"""Revealing in the main screen: a message's real values for a few seconds, then masked again."""

from __future__ import annotations

from agentconsole.ui.chips import placeholder_count
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import Conversation, MessageView
from agentconsole.ui.screens.case_base import CaseScreenBase

#: How often revealed messages are checked for re-masking (seconds).
REMASK_TICK_SECONDS = 0.2


class RevealingPart(CaseScreenBase):
    """Ctrl+R reveals the focused message (audited by the service); Up/Down move between messages."""

    def action_reveal(self) -> None:
        view = self._focused_view()
        if view is None:
            self.app.notify("Focus a message first (click it, or Shift+Tab from the composer)", markup=False)
            return
        self.reveal(view)

    def action_reveal_message(self, message_id: int) -> None:
        view = self.query_one(Conversation).view_for(message_id)
        if view is not None:
            view.focus()
            self.reveal(view)

    def reveal(self, view: MessageView) -> None:
        if self.case_id is None or view.message_id is None:
            self.app.notify("Nothing to reveal in this message yet", markup=False)
            return
        if not placeholder_count(view.text):
            self.app.notify("This message has no masked values", markup=False)
            return
        case_id, message_id = self.case_id, view.message_id
        seconds = self.console.settings.ui.reveal_seconds

        async def show(values: dict[str, str]) -> None:
            if not self._shown(view):
                return
            await view.show_values(values)
            self._remask[message_id] = (self.console.clock() + seconds, view)
            if self._remask_timer is None:
                self._remask_timer = self.set_interval(REMASK_TICK_SECONDS, self._remask_due)

        self.console.call_service(self.service.reveal_values, case_id, message_id, done=show, name="reveal")

    async def _remask_due(self) -> None:
        """Re-mask the revealed messages whose time is up.

        Deadlines are on the app's clock (the one auto-lock uses), so a test can
        move time instead of racing a real timer.
        """
        now = self.console.clock()
        for message_id, (due, view) in list(self._remask.items()):
            if now >= due:
                self._remask.pop(message_id, None)
                if self._shown(view):
                    await view.show_values(None)
        if not self._remask and self._remask_timer is not None:
            self._remask_timer.stop()
            self._remask_timer = None

    def action_focus_previous_message(self) -> None:
        self._step_message(-1)

    def action_focus_next_message(self) -> None:
        self._step_message(1)

    def _step_message(self, step: int) -> None:
        views = self.query_one(Conversation).views()
        current = self._focused_view()
        if not views or current not in views:
            return
        index = views.index(current) + step
        if 0 <= index < len(views):
            views[index].focus()
            views[index].scroll_visible(animate=False)
        elif index >= len(views):
            self.query_one(Composer).focus()
