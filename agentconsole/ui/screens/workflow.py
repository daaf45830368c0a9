"""The case workflow in the console: the F8 menu, its dialogs and the command palette's workflow commands.

:class:`WorkflowActions` is mixed into the main screen: status (with the
survey offer on resolving), owner, priority, tags, survey answers, draft
ratings and discards, the case list's order, and the supervisor dashboard
(F5). Every change goes through the service in a worker (audited there).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agentconsole.domain import CASE_LIST_ORDERS as ORDERS
from agentconsole.domain import CASE_PRIORITIES as PRIORITIES
from agentconsole.domain import CASE_TRANSITIONS
from agentconsole.domain import DRAFT_RATING_REASONS as REASONS

STATUS_LABELS = {"open": "Reopen", "pending": "Set pending", "resolved": "Resolve", "closed": "Close"}
EMOJI = ("😞", "🙁", "😐", "🙂", "😄")


class ChoiceDialog(ModalScreen[str | None]):
    """A title, an optional text, and a list to pick one entry from (Enter picks, Esc cancels)."""

    DEFAULT_CSS = """
    ChoiceDialog #choices { height: auto; max-height: 16; }
    ChoiceDialog #choice-text { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choice-dialog"):
            yield Static(self.title_text, classes="form-title", markup=False)
            if self.text:
                yield Static(self.text, id="choice-text", markup=False)
            yield OptionList(*[Option(label, id=key) for key, label in self.choices], id="choices")
            yield Static("Enter chooses · Esc cancels", classes="form-help", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class TextDialog(ModalScreen[str | None]):
    """One line of text (Enter submits, also empty when ``allow_empty``)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, placeholder: str, help_text: str, *, allow_empty: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.help_text = help_text
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="form-title", markup=False)
            yield Input(placeholder=self.placeholder, id="text", max_length=2000)
            yield Static(self.help_text, classes="form-help", markup=False)

    @on(Input.Submitted, "#text")
    def _submit(self, event: Input.Submitted) -> None:
        if event.value.strip() or self.allow_empty:
            self.dismiss(event.value)


def workflow_choices(case: Any, role: str, user: str) -> list[tuple[str, str]]:
    """What the F8 menu offers for a case in its current state (ids are ``verb:argument``)."""
    allowed = CASE_TRANSITIONS[case.status]
    choices = [(f"status:{s}", f"{STATUS_LABELS[s]} the case") for s in STATUS_LABELS if s in allowed]
    if case.owner != user:
        choices.append(("assign:me", "Assign to me"))
    if role == "supervisor":
        choices.append(("assign:other", "Assign to an agent…"))
    if case.owner is not None and (case.owner == user or role == "supervisor"):
        choices.append(("assign:none", "Unassign"))
    choices += [(f"priority:{p}", f"Priority: {p}") for p in PRIORITIES if p != case.priority]
    choices.append(("tags:edit", "Tags…"))
    if case.status in ("resolved", "closed"):
        choices += [("survey:offer", "Send the satisfaction survey"), ("survey:record", "Record a survey answer…")]
    choices += [("draft:rate", "Rate the draft…"), ("draft:discard", "Discard the draft")]
    choices += [(f"sort:{o}", f"Sort cases by {o}") for o in ORDERS]
    return choices


#: Palette entries: every workflow command, whatever the case's state (the service refuses what does not apply).
PALETTE: tuple[tuple[str, str], ...] = (
    *((f"status:{s}", f"Case: {STATUS_LABELS[s].lower()}") for s in STATUS_LABELS),
    ("assign:me", "Case: assign to me"),
    ("assign:other", "Case: assign to an agent (supervisors)"),
    ("assign:none", "Case: unassign"),
    *((f"priority:{p}", f"Case: priority {p}") for p in PRIORITIES),
    ("tags:edit", "Case: tags"),
    ("survey:offer", "Case: send the satisfaction survey"),
    ("survey:record", "Case: record a survey answer"),
    ("draft:rate", "Draft: rate good or bad"),
    ("draft:discard", "Draft: discard"),
    *((f"sort:{o}", f"Cases: sort by {o}") for o in ORDERS),
    ("dashboard:show", "Dashboard: figures for supervisors (F5)"),
)


class WorkflowCommands(Provider):
    """The command palette's workflow commands (on the main screen)."""

    async def discover(self) -> Hits:
        for key, title in PALETTE:
            yield DiscoveryHit(title, partial(self._run, key), help="Case workflow (F8 opens the menu)")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key, title in PALETTE:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, key), help="Case workflow")

    def _run(self, key: str) -> None:
        run = getattr(self.screen, "run_workflow", None)
        if run is not None:
            run(key)


class WorkflowActions:
    """Workflow actions of the main screen (mixed into ``MainScreen``)."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {WorkflowCommands}  # Screen's type
    #: The case list's order (``tracked_cases(order=...)``).
    case_order = "activity"
    #: The draft (message id) put into the composer with Ctrl+E: sending records what became of it.
    draft_in_composer: int | None = None

    # The main screen provides ``service``, ``app``, ``case_id``, ``reload_cases``, ``open_case``,
    # ``_require_case`` and ``_chosen_draft``; the methods below reach them through ``screen: Any``.

    @property
    def _screen(self) -> Any:
        return self

    def _call(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], Any] | None = None) -> None:
        self._screen.app.call_service(fn, *args, done=done, name="workflow")

    def list_sidebar_cases(self) -> list[Any]:
        """The case list's rows in the chosen order (runs in a worker)."""
        return list(self._screen.service.tracked_cases(order=self.case_order))

    def _changed(self, case: Any = None) -> None:
        screen = self._screen
        screen.reload_cases()
        if screen.case_id is not None:
            screen.open_case(screen.case_id)

    def action_dashboard(self) -> None:
        if self._screen.service.role != "supervisor":
            self._screen.app.notify("The dashboard is for supervisors", severity="warning", markup=False)
            return
        from agentconsole.ui.screens.dashboard import DashboardScreen

        self._screen.app.push_screen(DashboardScreen(self._screen.service))

    def action_workflow(self) -> None:
        screen = self._screen
        if not screen._require_case():
            return

        def show(case: Any) -> None:
            tags = " ".join(f"#{t}" for t in case.tags) or "no tags"
            text = f"{case.status} · {case.priority} · owner {case.owner or 'nobody'} · {tags}"
            choices = workflow_choices(case, self._screen.service.role, self._screen.service.user)
            self._screen.app.push_screen(ChoiceDialog(f"Case #{case.id}", choices, text), self._chosen)

        self._call(self._screen.service.tracked_case, screen.case_id, done=show)

    def _chosen(self, key: str | None) -> None:
        if key is not None:
            self.run_workflow(key)

    def run_workflow(self, key: str) -> None:
        """Run one workflow command (``status:resolved``, ``assign:me``, ``sort:priority``...)."""
        screen = self._screen
        verb, _, arg = key.partition(":")
        if verb == "sort":
            self.case_order = arg
            screen.reload_cases()
            self._screen.app.notify(f"Cases sorted by {arg}", markup=False, timeout=2)
            return
        if verb == "dashboard":
            self.action_dashboard()
            return
        if not screen._require_case():
            return
        case_id = screen.case_id
        handlers: dict[str, Callable[[int, str], None]] = {
            "status": self._set_status,
            "assign": self._assign,
            "priority": lambda c, p: self._call(self._screen.service.set_priority, c, p, done=self._changed),
            "tags": self._edit_tags,
            "survey": self._survey,
            "draft": self._draft_feedback,
        }
        handlers[verb](case_id, arg)

    def _set_status(self, case_id: int, status: str) -> None:
        def done(case: Any) -> None:
            self._changed()
            if status == "resolved":
                self._call(self._screen.service.survey_message, case_id, done=self._offer_survey)

        self._call(self._screen.service.change_status, case_id, status, done=done)

    def _offer_survey(self, message: str) -> None:
        screen = self._screen
        choices = [("send", "Send the survey (stored in the case, copied with real values)"), ("skip", "Not now")]

        def chosen(answer: str | None) -> None:
            if answer == "send" and screen.case_id is not None:
                self._survey(screen.case_id, "offer")

        self._screen.app.push_screen(ChoiceDialog("Offer a satisfaction survey?", choices, message), chosen)

    def _assign(self, case_id: int, who: str) -> None:
        if who == "other":

            def entered(user: str | None) -> None:
                if user and user.strip():
                    self._call(self._screen.service.assign, case_id, user.strip(), done=self._changed)

            self._screen.app.push_screen(
                TextDialog("Assign the case", "user name", "Enter assigns · Esc cancels"), entered
            )
            return
        owner = self._screen.service.user if who == "me" else None
        self._call(self._screen.service.assign, case_id, owner, done=self._changed)

    def _edit_tags(self, case_id: int, _: str) -> None:
        def entered(text: str | None) -> None:
            if not text or not text.strip():
                return
            words = text.split()
            add = [w for w in words if not w.startswith("-")]
            remove = [w[1:] for w in words if w.startswith("-") and len(w) > 1]

            def change() -> Any:
                if add:
                    self._screen.service.tag_case(case_id, add)
                if remove:
                    self._screen.service.tag_case(case_id, remove, remove=True)

            self._call(change, done=self._changed)

        help_text = "labels separated by spaces; -tag removes one · Enter saves · Esc cancels"
        self._screen.app.push_screen(TextDialog("Tags", "e.g. billing vip -urgent", help_text), entered)

    def _survey(self, case_id: int, what: str) -> None:
        if what == "offer":

            def sent(result: tuple[Any, str]) -> None:
                self._screen.app.copy_to_clipboard(result[1])
                self._screen.app.notify("Survey stored and copied to the clipboard", markup=False)
                self._changed()

            self._call(self._screen.service.offer_survey, case_id, done=sent)
            return
        scores = [(str(n), f"{n} {EMOJI[n - 1]}") for n in range(5, 0, -1)]

        def scored(score: str | None) -> None:
            if score is None:
                return

            def commented(comment: str | None) -> None:
                if comment is None:
                    return
                done = lambda _row: self._screen.app.notify("Survey answer recorded", markup=False)  # noqa: E731
                self._call(self._screen.service.record_survey, case_id, int(score), comment or None, done=done)

            help_text = "optional; masked like customer text · Enter records · Esc cancels"
            dialog = TextDialog("The customer's comment", "comment (optional)", help_text, allow_empty=True)
            self._screen.app.push_screen(dialog, commented)

        self._screen.app.push_screen(ChoiceDialog("The customer's score", scores), scored)

    def _draft_feedback(self, case_id: int, what: str) -> None:
        screen = self._screen
        view = screen._chosen_draft()
        if view is None or view.message_id is None:
            return
        message_id = view.message_id
        if what == "discard":
            done = lambda _row: self._screen.app.notify("Draft discarded", markup=False)  # noqa: E731
            self._call(self._screen.service.discard_draft, message_id, done=done)
            return
        choices = [("good:", "Good"), *((f"bad:{r}", f"Bad: {label}") for r, label in REASONS.items())]

        def rated(answer: str | None) -> None:
            if answer is None:
                return
            rating, _, reason = answer.partition(":")
            done = lambda _row: self._screen.app.notify(f"Draft rated {rating}", markup=False)  # noqa: E731
            self._call(self._screen.service.rate_draft, message_id, rating, reason or None, done=done)

        self._screen.app.push_screen(ChoiceDialog("Rate the draft", choices), rated)
