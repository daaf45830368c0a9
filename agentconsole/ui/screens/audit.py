"""The audit log for supervisors and auditors: entries, filters, chain verification.

Auditors land here after unlocking (they have no access to cases); supervisors
open it from the command palette or with F3. Entries hold ids and counts, never
PII values; they are shown inert all the same.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from agentconsole.terminal_text import inert
from agentconsole.ui.access import ConsoleAccess
from agentconsole.ui.status import StatusBar

COLUMNS = ("seq", "time (UTC)", "actor", "action", "subject", "details")


def cell(value: object) -> Text:
    """A table cell shown as it is: made inert, never read as Rich markup.

    (A plain ``str`` cell would be parsed as markup: ``[reverse]`` in a customer
    reference would style the row and ``[...]`` in details would vanish.)
    """
    return Text(inert(str(value)), no_wrap=True, end="")


def entry_row(entry: Any) -> tuple[Text, ...]:
    """One table row for an audit entry (every field made inert)."""
    details = (
        json.dumps(entry.details, sort_keys=True, separators=(", ", ": "), ensure_ascii=False) if entry.details else ""
    )
    return (
        cell(entry.seq),
        cell(entry.time[:19].replace("T", " ")),
        cell(entry.actor),
        cell(entry.action),
        cell(entry.subject),
        cell(details),
    )


class AuditScreen(ConsoleAccess, Screen):
    """Read-only view of the tamper-evident audit log."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "verify", "Verify chain"),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("escape", "close", "Back"),
    ]

    def __init__(self, *, closable: bool = True) -> None:
        super().__init__()
        self.closable = closable
        self.entries: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="audit"):
            yield Static("Audit log", classes="form-title", markup=False)
            with Horizontal(id="audit-filters"):
                yield Input(placeholder="action (e.g. reveal)", id="audit-action", max_length=64)
                yield Input(placeholder="actor", id="audit-actor", max_length=64)
                yield Input(placeholder="since (YYYY-MM-DD)", id="audit-since", max_length=32)
            yield Static("", id="audit-status", classes="form-help", markup=False)
            yield Static("", id="audit-alerts", markup=False)
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield StatusBar()

    def on_mount(self) -> None:
        self.query_one("#audit-alerts", Static).display = False
        table = self.query_one("#audit-table", DataTable)
        table.add_columns(*COLUMNS)
        self.action_reload()
        table.focus()

    def _filters(self) -> dict[str, str | None]:
        def value(widget_id: str) -> str | None:
            text = self.query_one(widget_id, Input).value.strip()
            return text or None

        return {"action": value("#audit-action"), "actor": value("#audit-actor"), "since": value("#audit-since")}

    @on(Input.Submitted)
    def action_reload(self) -> None:
        filters = self._filters()
        self.query_one("#audit-status", Static).update("Loading…")
        self.console.call_service(
            lambda: self.service.audit_entries(
                since=filters["since"], actor=filters["actor"], action=filters["action"]
            ),
            done=self.show_entries,
            failed=self._failed,
            name="audit-entries",
        )
        self.console.call_service(
            lambda: self.service.recent_alerts(5),
            done=self.show_alerts,
            failed=self._failed,
            name="audit-alerts",
        )

    def show_alerts(self, alerts: list[Any]) -> None:
        """Security alerts (reveal bursts, failed unlocks, off-hours exports), newest first, above the log."""
        widget = self.query_one("#audit-alerts", Static)
        widget.display = bool(alerts)
        lines = [
            f"⚠ {a.time[:16].replace('T', ' ')}  {a.action.removeprefix('alert.')}  {a.subject}  "
            + ", ".join(f"{k}={v}" for k, v in sorted(a.details.items()))
            for a in reversed(alerts)
        ]
        widget.update(Text(inert("\n".join(lines)), style="bold yellow"))

    def show_entries(self, entries: list[Any]) -> None:
        self.entries = list(entries)
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for entry in self.entries:
            table.add_row(*entry_row(entry), key=str(entry.seq))
        count = len(self.entries)
        self.query_one("#audit-status", Static).update(
            f"{count} entr{'ies' if count != 1 else 'y'} · F5 verifies the chain · Enter in a filter applies it"
        )
        if count:
            table.move_cursor(row=count - 1)

    def action_verify(self) -> None:
        self.query_one("#audit-status", Static).update("Verifying every entry's MAC…")
        self.console.call_service(
            self.service.verify_audit,
            done=lambda result: self.query_one("#audit-status", Static).update(inert(result.describe())),
            failed=self._failed,
            name="audit-verify",
        )

    def _failed(self, message: str) -> None:
        self.query_one("#audit-status", Static).update(inert(message))

    def action_close(self) -> None:
        if self.closable:
            self.dismiss()
