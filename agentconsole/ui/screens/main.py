"""The main screen: cases beside the conversation, the composer, the status bar.

Every use case goes through the service, in thread workers (see
``AgentConsoleApp.call_service``). Drafting (:mod:`.drafting`), revealing
(:mod:`.revealing`) and, on a team store, soft locks and live updates
(:mod:`.team_live`) are parts of this screen in their own modules, over the
shared state of :mod:`.case_base`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, Static

from agentconsole.terminal_text import inert
from agentconsole.ui import keys
from agentconsole.ui.caselist import CaseList
from agentconsole.ui.chips import CHIP_CLASSES, chip_content
from agentconsole.ui.composer import Composer
from agentconsole.ui.messages import Conversation, MessageView
from agentconsole.ui.screens.dialogs import NewCaseDialog
from agentconsole.ui.screens.revealing import RevealingPart
from agentconsole.ui.screens.search import SearchScreen
from agentconsole.ui.screens.team_live import TeamLivePart
from agentconsole.ui.screens.workflow import WorkflowActions
from agentconsole.ui.status import StatusBar

log = logging.getLogger("agentconsole.ui")

ROLE_HINTS = {
    "customer": "what the customer wrote; masked before it shows",
    "agent": "your reply; Enter stores it, copies real values",
    "note": "internal note, never sent",
}


class CaseHeader(Static):
    COMPONENT_CLASSES: ClassVar[set[str]] = set(CHIP_CLASSES)


#: Pastes at least this long show the masking progress in the composer (Esc cancels).
MASKING_PROGRESS_CHARS = 20_000


class MainScreen(TeamLivePart, WorkflowActions, RevealingPart):
    BINDINGS = keys.bindings("main")

    @property
    def active_bindings(self) -> dict[str, Any]:
        """The footer's keys in :data:`keys.FOOTER_ORDER`, so the essential ones fit at 80 columns."""
        active = super().active_bindings
        return dict(sorted(active.items(), key=lambda item: keys.footer_rank(item[1].binding.action)))

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="filter · Enter searches", id="case-filter")
                yield CaseList(id="cases")
            with Vertical(id="work"):
                yield CaseHeader("No case open · Ctrl+N opens a new case", id="case-header", markup=False)
                yield Conversation(id="conversation")
                yield Static(id="composer-role", markup=False)
                yield Composer(id="composer")
        yield StatusBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_role("customer")
        self.query_one(Composer).focus()
        if not self.service.can("work_cases"):  # e.g. an auditor: the audit log is a CLI command
            self.query_one(CaseHeader).update(
                f"The {self.service.role} role has no access to cases (the audit log: agentconsole audit)"
            )
            return
        self.reload_cases(open_first=True)
        self.team_start()

    # --- cases ---------------------------------------------------------------------------

    def reload_cases(self, *, select: int | None = None, open_first: bool = False) -> None:
        def loaded(cases: list[Any]) -> None:
            self.query_one(CaseList).set_cases(cases, select=select if select is not None else self.case_id)
            if open_first and cases and self.case_id is None:
                self.open_case(cases[0].id)

        self.console.call_service(self.list_sidebar_cases, done=loaded, name="list-cases")

    def open_case(self, case_id: int, focus_message: int | None = None) -> None:
        """Load a case in a worker and show it (at ``focus_message``, scrolled to and focused).

        Only the latest request wins: the worker group is exclusive (a newer
        request cancels an older one, whose result is then dropped) and the
        showing itself, which awaits, stops as soon as a newer request exists.
        """
        self._open_request += 1
        request = self._open_request
        self.hit_shown = None

        def load() -> tuple[Any, list[Any], int]:
            return (
                self.service.get_case(case_id),
                self.service.messages(case_id),
                self.service.masked_entity_count(case_id),
            )

        self.console.call_service(
            load,
            done=lambda result: self._show_case(*result, focus_message=focus_message, request=request),
            name="open-case",
            exclusive=True,
        )

    def _superseded(self, request: int | None) -> bool:
        return request is not None and request != self._open_request

    async def _show_case(
        self, case: Any, messages: list[Any], masked: int, *, focus_message: int | None, request: int | None = None
    ) -> None:
        if self._superseded(request):
            return
        if self._draft is not None and self.case_id != case.id:
            # the draft belongs to the case being left: stop it and let its view go with the case
            self.service.cancel_generation()
            await self._draft[1].stop()
            self._draft = None
        if self.case_id != case.id:
            self.draft_in_composer = None
        self.case_id = case.id
        self.customer_ref = case.customer_ref
        self.team_case_shown(case.id)
        self.query_one(CaseHeader).update(  # number, customer and status first: a long title is what wraps
            Content.assemble(
                (f"#{case.id} ", "bold"),
                (f"{inert(case.customer_ref)} · {inert(case.status)} · ", "dim"),
                chip_content(case.title or "(untitled)"),
            )
        )
        conversation = self.query_one(Conversation)
        await conversation.remove_children()
        self._remask.clear()
        if self._superseded(request):
            return
        await conversation.mount_all([self._view_for(m) for m in messages])
        if self._superseded(request):
            return
        self.console.set_status(masked=masked)
        self.query_one(CaseList).set_cases(self.query_one(CaseList).cases, select=case.id)
        target = conversation.view_for(focus_message) if focus_message is not None else None
        if target is not None:
            conversation.anchor(False)
            target.focus(scroll_visible=False)
            # after the new messages are laid out: before that their heights are unknown
            self.call_after_refresh(self._scroll_to_hit, target)
        else:
            conversation.anchor()

    def _scroll_to_hit(self, target: MessageView) -> None:
        if self._shown(target):
            self.query_one(Conversation).scroll_to_widget(target, animate=False, top=True, immediate=True)
            self.hit_shown = target.message_id

    @staticmethod
    def _view_for(message: Any) -> MessageView:
        detail = ""
        if message.role == "assistant" and message.decode_tokens_per_s:
            detail = f"{message.model or 'model'} · {message.decode_tokens_per_s:.1f} tok/s"
        return MessageView(
            message.role,
            message.text,
            message_id=message.id,
            created_at=message.created_at,
            kind=getattr(message, "kind", None),
            question=getattr(message, "question", None),
            detail=detail,
        )

    @on(OptionList.OptionSelected, "#cases")
    def _case_selected(self, event: OptionList.OptionSelected) -> None:
        case_id = self.query_one(CaseList).highlighted_case_id()
        if case_id is not None:
            self.open_case(case_id)
            self.query_one(Composer).focus()

    @on(Input.Changed, "#case-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one(CaseList).set_filter(event.value)

    @on(Input.Submitted, "#case-filter")
    def _search_from_filter(self, event: Input.Submitted) -> None:
        self.action_search(event.value)

    def action_new_case(self) -> None:
        def created(case_id: int) -> None:
            self.reload_cases(select=case_id)
            self.open_case(case_id)
            composer = self.query_one(Composer)
            composer.set_role("customer")
            composer.focus()

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.console.call_service(self.service.new_case, *result, done=created, name="new-case")

        self.app.push_screen(NewCaseDialog(), chosen)

    def action_consent(self) -> None:
        if not self._require_case() or self.customer_ref is None:
            return
        from agentconsole.ui.screens.consent import ConsentDialog

        self.app.push_screen(ConsentDialog(self.customer_ref))

    def action_booking(self) -> None:
        if not self._require_case() or self.case_id is None:
            return
        from agentconsole.ui.screens.booking import BookingDialog

        self.app.push_screen(BookingDialog(self.case_id))

    def action_agenda(self) -> None:
        from agentconsole.ui.screens.booking import AgendaScreen

        self.app.push_screen(AgendaScreen())

    def action_search(self, query: str = "") -> None:
        def chosen(hit: tuple[int, int] | None) -> None:
            if hit is not None:
                self.open_case(hit[0], focus_message=hit[1])

        self.app.push_screen(SearchScreen(query), chosen)

    def action_kb(self, query: str = "", article_id: int | None = None) -> None:
        from agentconsole.ui.screens.kb import KbScreen

        self.app.push_screen(KbScreen(self.case_id, query, article_id), self.insert_into_composer)

    def action_macro(self) -> None:
        from agentconsole.ui.screens.kb import MacroPicker

        self.app.push_screen(MacroPicker(self.case_id), self.insert_into_composer)

    def insert_into_composer(self, text: str | None) -> None:
        """Put a citation or a macro (placeholders, never values) at the composer's cursor."""
        if text:
            composer = self.query_one(Composer)
            composer.insert(text)
            composer.focus()

    # --- composer --------------------------------------------------------------------------

    def _show_role(self, role: str) -> None:
        self.query_one("#composer-role", Static).update(
            Content.assemble((f" {role.upper()} ", "reverse bold"), (f" {ROLE_HINTS[role]} · F2 switches", "dim"))
        )

    @on(Composer.RoleChanged)
    def _role_changed(self, event: Composer.RoleChanged) -> None:
        self._show_role(event.role)

    def action_cycle_role(self) -> None:
        self.query_one(Composer).cycle_role()

    @on(Composer.Submitted)
    def _send(self, event: Composer.Submitted) -> None:
        if not self._require_case() or self._busy_sending or self.case_id is None:
            return
        assert self.case_id is not None  # checked by _require_case
        case_id, role, text = self.case_id, event.role, event.text
        self._busy_sending = True
        composer = event.composer
        composer.read_only = True
        self.query_one("#composer-role", Static).update(Content.assemble((" masking… ", "reverse")))
        cancel = self._masking_cancel = threading.Event()
        shown = [-1]

        def progress(done: int, total: int) -> None:  # masking thread: a long paste shows its percentage
            percent = done * 100 // max(1, total)
            if percent != shown[0]:
                shown[0] = percent
                self.app.call_from_thread(self._show_masking_progress, percent)

        def store() -> tuple[Any, str | None, list[Any], int]:
            outgoing = None
            # a long paste reports progress and can be cancelled (short ones take milliseconds)
            long_paste = len(text) >= MASKING_PROGRESS_CHARS
            on_progress = progress if long_paste else None
            should_cancel = cancel.is_set if long_paste else None
            if role == "agent":
                added, outgoing = self.service.send_reply(
                    case_id, text, self.draft_in_composer, progress=on_progress, should_cancel=should_cancel
                )
            else:
                added = self.service.add_message(case_id, role, text, progress=on_progress, should_cancel=should_cancel)
            return added, outgoing, self.service.messages(case_id), self.service.masked_entity_count(case_id)

        def stored(result: tuple[Any, str | None, list[Any], int]) -> None:
            _added, outgoing, messages, masked = result
            self._sending_done()
            composer.clear_all()
            if outgoing is not None:
                self.draft_in_composer = None
            if outgoing is not None:
                self.app.copy_to_clipboard(outgoing)
                self.app.notify("Reply stored and copied to the clipboard with real values", markup=False)
            self.console.set_status(masked=masked)
            self._append_new(messages, case_id)
            self.reload_cases()

        self.console.call_service(store, done=stored, failed=lambda _m: self._sending_done(), name="send")

    def _show_masking_progress(self, percent: int) -> None:
        if self._busy_sending:
            self.query_one("#composer-role", Static).update(
                Content.assemble((f" masking… {percent}% ", "reverse"), (" Esc cancels", "dim"))
            )

    def _sending_done(self) -> None:
        self._busy_sending = False
        self._masking_cancel = None
        composer = self.query_one(Composer)
        composer.read_only = False
        self._show_role(composer.role)

    def _append_new(self, messages: list[Any], case_id: int) -> None:
        if case_id != self.case_id:
            return
        conversation = self.query_one(Conversation)
        known = {v.message_id for v in conversation.views()}
        new = [self._view_for(m) for m in messages if m.id not in known]
        if new:
            conversation.mount_all(new)
            conversation.anchor()

    def _chosen_draft(self, any_role: bool = False) -> MessageView | None:
        """The focused message (a draft unless ``any_role``), else the latest finished draft."""
        focused = self._focused_view()
        if focused is not None and (any_role or focused.role == "assistant") and focused.text.strip():
            return focused
        drafts = [v for v in self.query_one(Conversation).views() if v.role == "assistant" and not v.streaming]
        if not drafts or not drafts[-1].text.strip():
            self.app.notify("No draft yet: Ctrl+D drafts a reply", severity="warning", markup=False)
            return None
        return drafts[-1]

    def action_copy_out(self) -> None:
        if not self._require_case() or (view := self._chosen_draft(any_role=True)) is None:
            return

        def copied(outgoing: str) -> None:
            self.app.copy_to_clipboard(outgoing)
            self.app.notify("Copied to the clipboard with real values", markup=False)

        if view.role == "assistant" and view.message_id is not None:  # a draft copied counts as used as-is
            self.console.call_service(self.service.copy_draft, self.case_id, view.message_id, done=copied, name="copy")
        else:
            self.console.call_service(self.service.copy_out, self.case_id, view.text, done=copied, name="copy")

    def action_insert_notice(self) -> None:
        """F9: the privacy notice (values from the live config) at the cursor, as an agent reply."""
        if not self._require_case():
            return
        composer = self.query_one(Composer)
        composer.set_role("agent")
        composer.insert(inert(self.service.privacy_notice("txt")))
        composer.focus()

    def action_accept_draft(self) -> None:
        if not self._require_case() or (view := self._chosen_draft()) is None:
            return
        composer = self.query_one(Composer)
        composer.load_draft(view.text)
        self.draft_in_composer = view.message_id
        composer.focus()
