"""Full-text search across cases: highlighted snippets; Enter opens the case at the hit."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content, Span
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agentconsole.ui.access import ConsoleAccess
from agentconsole.ui.chips import CHIP_CLASSES, chip_content

# The vault wraps each matched term of a snippet in STX ... ETX (control characters
# that cannot be typed); tests/ui check these match agentconsole.vault.SNIPPET_*.
SNIPPET_START = "\x02"
SNIPPET_END = "\x03"


# A match inside a placeholder (FTS5 tokenizes <CREDIT_CARD_1> into words) would
# split it; such a placeholder is highlighted as a whole instead.
_MARKED_PLACEHOLDER_RE = re.compile(r"<[A-Z0-9_\x02\x03]+>")


def _fold_marks(match: re.Match[str]) -> str:
    inner = match.group(0)
    if SNIPPET_START not in inner and SNIPPET_END not in inner:
        return inner
    bare = inner.replace(SNIPPET_START, "").replace(SNIPPET_END, "")
    return f"{SNIPPET_START}{bare}{SNIPPET_END}"


def snippet_content(snippet: str) -> Content:
    """A snippet with matches highlighted and placeholders as chips (all text made inert)."""
    snippet = _MARKED_PLACEHOLDER_RE.sub(_fold_marks, snippet)
    pieces: list[Content] = []
    for index, chunk in enumerate(snippet.split(SNIPPET_START)):
        if index == 0:
            pieces.append(chip_content(chunk.replace(SNIPPET_END, "")))
            continue
        hit, _, rest = chunk.partition(SNIPPET_END)
        matched = chip_content(hit)
        pieces.append(Content(matched.plain, spans=[*matched.spans, Span(0, len(matched.plain), ".search-hit")]))
        pieces.append(chip_content(rest.replace(SNIPPET_END, "")))
    return Content("").join(pieces)


def hit_prompt(hit: Any) -> Content:
    title = chip_content(hit.case_title or "(untitled)")
    return Content.assemble((f"#{hit.case_id} ", "bold"), title, "\n  ", snippet_content(" ".join(hit.snippet.split())))


class HitList(OptionList):
    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | set(CHIP_CLASSES) | {"search-hit"}


class SearchScreen(ConsoleAccess, ModalScreen[tuple[int, int] | None]):
    """Returns ``(case_id, message_id)`` of the chosen hit."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.hits: list[Any] = []
        self.searched = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search"):
            yield Static("Search all cases", classes="form-title", markup=False)
            yield Input(value=self.initial_query, placeholder="words to find (Enter searches)", id="query")
            yield Static("", id="search-status", classes="form-help", markup=False)
            yield HitList(id="hits")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        if self.initial_query.strip():
            self.run_search(self.initial_query)

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        results = self.query_one("#hits", HitList)
        if self.hits and event.value == self.searched and results.highlighted is not None:
            self.dismiss((self.hits[results.highlighted].case_id, self.hits[results.highlighted].message_id))
            return
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        self.searched = query
        self.query_one("#search-status", Static).update("Searching…")
        self.console.call_service(self.service.search, query, done=self.show_hits, failed=self._failed, name="search")

    def _failed(self, message: str) -> None:
        self.query_one("#search-status", Static).update(message)

    def show_hits(self, hits: list[Any]) -> None:
        self.hits = list(hits)
        results = self.query_one("#hits", HitList)
        results.clear_options()
        results.add_options([Option(hit_prompt(h), id=f"hit-{i}") for i, h in enumerate(self.hits)])
        count = len(self.hits)
        self.query_one("#search-status", Static).update(
            f"{count} hit{'s' if count != 1 else ''}" + (" · Enter opens the case at the hit" if count else "")
        )
        if count:
            results.highlighted = 0

    @on(OptionList.OptionSelected, "#hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[event.option_index]
        self.dismiss((hit.case_id, hit.message_id))
