"""The knowledge base (F6): search, read an article, insert a citation or a macro into the composer.

Both screens return the text to insert (or None): the main screen puts it at
the composer's cursor. Searches and article reads run in workers through the
service (the query is masked there, like a customer's message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agentconsole.service.kb import SearchOutcome
from agentconsole.terminal_text import inert
from agentconsole.ui.access import ConsoleAccess

if TYPE_CHECKING:
    from agentconsole.service.kb import KbArticle, KbMacro, KbPassage, KbVersion


def citation_mark(article_id: int) -> str:
    return f"[KB-{article_id}]"


class KbScreen(ConsoleAccess, ModalScreen[str | None]):
    """Search the KB and read articles; Ctrl+G inserts the shown article's citation, Ctrl+O a macro."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f6", "dismiss(None)", "Close"),
        Binding("ctrl+g", "insert_citation", "Insert citation", priority=True),
        Binding("ctrl+o", "macros", "Macros", priority=True),
    ]

    def __init__(self, case_id: int | None = None, query: str = "", article_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.initial_query = query
        self.initial_article = article_id
        self.outcome = SearchOutcome()
        self.shown: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="kb"):
            yield Static("Knowledge base", classes="form-title", markup=False)
            yield Input(value=self.initial_query, placeholder="what the customer asks (Enter searches)", id="kb-query")
            yield Static("", id="kb-status", classes="form-help", markup=False)
            with Horizontal(id="kb-body"):
                yield OptionList(id="kb-results")
                with VerticalScroll(id="kb-article-scroll"):
                    yield Static("", id="kb-article", markup=False)

    def on_mount(self) -> None:
        self.query_one("#kb-query", Input).focus()
        if self.initial_query.strip():
            self.run_search(self.initial_query)
        elif self.initial_article is not None:
            self.open_article(self.initial_article)
        else:
            self.console.call_service(self.service.kb_articles, done=self.show_articles, name="kb", exclusive=True)

    @on(Input.Submitted, "#kb-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    def run_search(self, text: str) -> None:
        if not text.strip():
            return
        self._status("Searching…")
        self.console.call_service(
            self.service.kb_search, text, 8, done=self.show_results, failed=self._status, name="kb", exclusive=True
        )

    def _status(self, message: str) -> None:
        self.query_one("#kb-status", Static).update(message)

    def show_articles(self, articles: list[KbArticle]) -> None:
        """Before a search: every article, by title."""
        results = self.query_one("#kb-results", OptionList)
        results.clear_options()
        results.add_options([Option(inert(f"KB-{a.id}  {a.title}"), id=f"article-{a.id}") for a in articles])
        self._status(f"{len(articles)} article(s) · type a question and press Enter")

    def show_results(self, outcome: SearchOutcome) -> None:
        self.outcome = outcome
        results = self.query_one("#kb-results", OptionList)
        results.clear_options()
        results.add_options(
            [
                Option(
                    Content.assemble(
                        (f"KB-{r.article_id} ", "bold"),
                        inert(r.title),
                        f"  {r.score:.1f}\n  ",
                        (inert(r.source), "dim"),
                    ),
                    id=f"article-{r.article_id}-{i}",
                )
                for i, r in enumerate(outcome.results)
            ]
        )
        if not outcome.results:
            self._status("No article matches")
            return
        verdict = "" if outcome.answerable else " · nothing relevant enough: a draft would decline"
        self._status(f"{len(outcome.results)} passage(s){verdict} · Enter reads · Ctrl+G inserts the citation")
        results.highlighted = 0
        results.focus()

    @on(OptionList.OptionSelected, "#kb-results")
    def _read(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        self.open_article(int(option_id.split("-")[1]))

    def open_article(self, article_id: int) -> None:
        def load() -> tuple[tuple[KbArticle, list[KbPassage], list[KbVersion]], str]:
            return self.service.kb_article(article_id), self.service.kb_article_text(article_id)

        self.console.call_service(load, done=self.show_article, failed=self._status, name="kb-article", exclusive=True)

    def show_article(self, loaded: tuple[tuple[KbArticle, list[KbPassage], list[KbVersion]], str]) -> None:
        (article, _passages, versions), text = loaded
        self.shown = article.id
        self.query_one("#kb-article", Static).update(
            Content.assemble(
                (f"{citation_mark(article.id)} {inert(article.title)}\n", "bold"),
                (f"{inert(article.source)} · version {article.version} of {len(versions)}\n\n", "dim"),
                inert(text),
            )
        )
        self._status(f"{citation_mark(article.id)} · Ctrl+G inserts the citation · Ctrl+O a macro · Esc closes")

    def action_insert_citation(self) -> None:
        if self.shown is None:
            results = self.query_one("#kb-results", OptionList)
            if results.highlighted is None or not results.option_count:
                self._status("Open an article first")
                return
            option_id = results.get_option_at_index(results.highlighted).id or ""
            self.shown = int(option_id.split("-")[1])
        self.dismiss(citation_mark(self.shown))

    def action_macros(self) -> None:
        def chosen(text: str | None) -> None:
            if text is not None:
                self.dismiss(text)

        self.app.push_screen(MacroPicker(self.case_id), chosen)


class MacroPicker(ConsoleAccess, ModalScreen[str | None]):
    """Canned replies filtered as you type; Enter returns the chosen one with its variables resolved."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.macros: list[KbMacro] = []
        self.listed: list[KbMacro] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="macros"):
            yield Static("Insert a macro", classes="form-title", markup=False)
            yield Input(placeholder="type to filter, Enter inserts", id="macro-filter")
            yield OptionList(id="macro-list")
            yield Static("", id="macro-status", classes="form-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#macro-filter", Input).focus()
        self.console.call_service(self.service.kb_macros, done=self.show_macros, name="macros", exclusive=True)

    def show_macros(self, macros: list[KbMacro]) -> None:
        self.macros = list(macros)
        self.refilter(self.query_one("#macro-filter", Input).value)
        if not macros:
            self.query_one("#macro-status", Static).update(
                "No macros: import some with 'agentconsole kb macros import'"
            )

    @on(Input.Changed, "#macro-filter")
    def _changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def refilter(self, typed: str) -> None:
        from agentconsole.kb.macros import matches

        self.listed = [m for m in self.macros if matches(m.name, m.body, typed)]
        options = self.query_one("#macro-list", OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(Content.assemble((inert(m.name), "bold"), "  ", (inert(" ".join(m.body.split())[:60]), "dim")))
                for m in self.listed
            ]
        )
        if self.listed:
            options.highlighted = 0

    @on(Input.Submitted, "#macro-filter")
    def _submitted(self) -> None:
        options = self.query_one("#macro-list", OptionList)
        if options.highlighted is not None and self.listed:
            self.pick(self.listed[options.highlighted])

    @on(OptionList.OptionSelected, "#macro-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.pick(self.listed[event.option_index])

    def pick(self, macro: KbMacro) -> None:
        self.console.call_service(
            self.service.kb_render_macro, macro.name, self.case_id, done=self.dismiss, name="macros", exclusive=True
        )
