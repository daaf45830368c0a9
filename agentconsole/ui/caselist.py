"""The case list: status, masked title (chips), last activity; a filter box above it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from agentconsole.terminal_text import inert
from agentconsole.ui.chips import CHIP_CLASSES, chip_content
from agentconsole.ui.messages import short_time

STATUS_MARK = {"open": "●", "pending": "◐", "resolved": "◑", "closed": "○"}
PRIORITY_MARK = {"urgent": "‼ ", "high": "! "}


def case_prompt(case: Any) -> Content:
    """Two lines: status mark, title with chips; then customer ref and last activity."""
    title = chip_content(case.title or "(untitled)")
    priority = PRIORITY_MARK.get(getattr(case, "priority", "normal"), "")
    first = Content.assemble((STATUS_MARK.get(case.status, "?") + " ", "bold"), (priority, "bold"), title)
    owner = getattr(case, "owner", None)
    extra = (f" · @{inert(owner)}" if owner else "") + "".join(f" #{t}" for t in getattr(case, "tags", ()))
    second = Content.assemble((f"#{case.id} {inert(case.customer_ref)} · {short_time(case.updated_at)}{extra}", "dim"))
    return Content.assemble(first, "\n", second)


class CaseList(OptionList):
    """Cases, newest activity first. Selecting one opens it."""

    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | set(CHIP_CLASSES)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cases: list[Any] = []
        self.filter_text = ""

    def set_cases(self, cases: Sequence[Any], select: int | None = None) -> None:
        self.cases = list(cases)
        self._rebuild(select)

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().casefold()
        self._rebuild(None)

    def _rebuild(self, select: int | None) -> None:
        current = self.highlighted_case_id() if select is None else select
        self.clear_options()
        shown = [c for c in self.cases if self._matches(c)]
        self.add_options([Option(case_prompt(c), id=f"case-{c.id}") for c in shown])
        for index, case in enumerate(shown):
            if case.id == current:
                self.highlighted = index

    def _matches(self, case: Any) -> bool:
        if not self.filter_text:
            return True
        workflow = f"{getattr(case, 'priority', '')} @{getattr(case, 'owner', None) or ''} " + " ".join(
            f"#{t}" for t in getattr(case, "tags", ())
        )
        haystack = f"{case.title} {case.customer_ref} {case.status} #{case.id} {workflow}".casefold()
        return all(word in haystack for word in self.filter_text.split())

    def highlighted_case_id(self) -> int | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return int(option.id.removeprefix("case-")) if option.id else None
