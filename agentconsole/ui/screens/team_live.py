"""The main screen on a team store: who is replying to the open case, and live updates.

Only with a team store (``service.is_team``); on the file vault nothing here runs.

* **Soft lock**: typing in the composer or starting a draft claims the open case
  (again at most every :data:`RECLAIM_SECONDS`, the claim lasting 120 s on the
  server); opening another case or leaving the screen releases it. Another
  member's claim shows in the status bar as "alice is replying".
* **Live updates**: the service's ``watch_changes`` listener calls back on its own
  thread; the callback only posts a :class:`TeamChanged` message. On the UI thread
  the case list reloads, the open case gets the new messages and its holder is
  read again, each in a thread worker (exclusive: a newer change supersedes an
  older load). After a reconnect (``resync``) the open case is reloaded whole.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual import on
from textual.message import Message
from textual.widgets import TextArea

from agentconsole.ui.caselist import CaseList
from agentconsole.ui.screens.drafting import DraftingPart

if TYPE_CHECKING:
    from agentconsole.vault.postgres import Change, ChangeListener

log = logging.getLogger("agentconsole.ui")

#: Claim the open case again after this long while the agent keeps typing (the claim lasts 120 s).
RECLAIM_SECONDS = 60.0


class TeamChanged(Message):
    """A change on the team store (posted from the listener thread)."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class TeamLivePart(DraftingPart):
    """Soft lock and live updates of the main screen (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._listener: ChangeListener | None = None
        #: The case this console claimed and when (on the app's clock), or None.
        self._claimed: tuple[int, float] | None = None
        #: "alice is replying" of the open case, or "" (tests read it).
        self.holder_line = ""

    @property
    def _team(self) -> bool:
        return self.service.is_unlocked and self.service.is_team

    def team_start(self) -> None:
        """Start live updates (on mount); a no-op on the file vault."""
        if not self._team:
            return

        def started(listener: ChangeListener) -> None:
            if self.is_attached:
                self._listener = listener
            else:  # the screen went while the listener connected
                self.console.call_service(listener.stop, name="team-stop", quiet=True)

        self.console.call_service(self.service.watch_changes, self._deliver_change, done=started, name="team-watch")

    def _deliver_change(self, change: Change) -> None:
        """The listener's callback (its thread): hand the change to the UI thread."""
        self.post_message(TeamChanged(change))

    def on_unmount(self) -> None:
        listener, self._listener = self._listener, None
        claimed, self._claimed = self._claimed, None
        self._show_holder(None)

        def stop() -> None:
            if listener is not None:
                listener.stop()
            if claimed is not None and self.service.is_unlocked:
                self.service.release_case(claimed[0])

        if listener is not None or claimed is not None:
            # the worker's group is not a session group the lock cancels: stopping must happen
            self.console.call_service(stop, name="team-stop", quiet=True)

    # --- soft lock ------------------------------------------------------------------------

    def team_case_shown(self, case_id: int) -> None:
        """The screen shows ``case_id`` now: release a claim on the case left, read who holds this one."""
        if not self._team:
            return
        if self._claimed is not None and self._claimed[0] != case_id:
            left = self._claimed[0]
            self._claimed = None
            self.console.call_service(self.service.release_case, left, name="team-release", quiet=True)
        self._read_holder(case_id)

    def team_claim(self) -> None:
        """The agent works on the open case (typing, drafting): claim it, at most every RECLAIM_SECONDS."""
        if not self._team or self.case_id is None:
            return
        case_id, now = self.case_id, self.console.clock()
        if self._claimed is not None and self._claimed[0] == case_id and now - self._claimed[1] < RECLAIM_SECONDS:
            return
        self._claimed = (case_id, now)

        def claimed(holder: str | None) -> None:
            if case_id != self.case_id:
                return
            if holder is not None:  # someone else holds it: try again on the next keystroke
                self._claimed = None
            self._show_holder(holder)

        self.console.call_service(self.service.claim_case, case_id, done=claimed, name="team-claim", quiet=True)

    @on(TextArea.Changed, "#composer")
    def _composer_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text.strip():
            self.team_claim()

    async def start_draft(self, kind: str, question: str | None = None) -> None:
        self.team_claim()
        await super().start_draft(kind, question)

    def _read_holder(self, case_id: int) -> None:
        def read(holder: str | None) -> None:
            if case_id == self.case_id:
                self._show_holder(holder)

        self.console.call_service(
            self.service.case_holder, case_id, done=read, name="team-holder", quiet=True, exclusive=True
        )

    def _show_holder(self, holder: str | None) -> None:
        mine = holder is None or (self.service.is_unlocked and holder == self.service.user)
        self.holder_line = "" if mine else f"{holder} is replying"
        self.console.set_status(holder=self.holder_line)

    # --- live updates ---------------------------------------------------------------------

    @on(TeamChanged)
    def _team_changed(self, event: TeamChanged) -> None:
        if not self._team:
            return
        change = event.change
        self.console.call_service(self.list_sidebar_cases, done=self._cases_loaded, name="team-list", exclusive=True)
        case_id = self.case_id
        if case_id is None:
            return
        if change.kind == "resync":
            self.open_case(case_id)
            self._read_holder(case_id)
        elif change.case_id == case_id and change.kind == "message":
            self.console.call_service(
                self.service.messages,
                case_id,
                done=lambda messages: self._append_new(messages, case_id),
                name="team-messages",
                exclusive=True,
            )
        elif change.case_id == case_id:
            self._read_holder(case_id)

    def _cases_loaded(self, cases: list[Any]) -> None:
        self.query_one(CaseList).set_cases(cases, select=self.case_id)

    def list_sidebar_cases(self) -> list[Any]:
        """The case list's rows (a worker). The workflow's fields (owner, priority, tags) are not on the
        team store yet: there the list is the store's cases, newest activity first."""
        if self._team:
            return list(self.service.list_cases())
        rows: list[Any] = super().list_sidebar_cases()  # type: ignore[misc]  # WorkflowActions, after this part
        return rows

    # provided by the main screen
    def open_case(self, case_id: int, focus_message: int | None = None) -> None:
        raise NotImplementedError

    def _append_new(self, messages: list[Any], case_id: int) -> None:
        raise NotImplementedError
