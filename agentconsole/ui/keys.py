"""Every key binding of the console, in one table.

The screens build their ``BINDINGS`` from it, the help screen lists it and the
command palette offers every action in it, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Key:
    key: str  # Textual key name(s), comma separated
    action: str  # action name on the screen (or "app." prefixed)
    label: str  # short footer label
    help: str  # one line for the help screen and the command palette
    where: str = "main"  # "main" screen, "composer", "app"
    show: bool = True  # shown in the footer
    palette: bool = True  # offered in the command palette


KEYS: tuple[Key, ...] = (
    Key("ctrl+n", "new_case", "New case", "Open a new case for a customer"),
    Key("ctrl+d", "draft", "Draft", "Draft a reply to the customer with the local model"),
    Key("ctrl+s", "summarize", "Summary", "Summarize the open case"),
    Key("ctrl+k", "ask", "Ask", "Ask the model a free question about the open case"),
    Key("ctrl+e", "accept_draft", "Use draft", "Put the latest draft into the composer to edit and send"),
    Key("ctrl+y", "copy_out", "Copy", "Copy the focused message (or the latest draft) with real values"),
    Key("ctrl+r", "reveal", "Reveal", "Reveal the real values of the focused message for a few seconds"),
    Key("ctrl+f", "search", "Search", "Full-text search across cases"),
    Key("escape", "stop", "Stop", "Stop the running generation"),
    Key("f2", "cycle_role", "Role", "Switch the composer role: customer, agent, note"),
    Key("f4", "consent", "Consent", "Show, give or withdraw the customer's consent to AI processing"),
    Key("f6", "kb", "KB", "Knowledge base: search, read an article, insert a citation or a macro"),
    Key("ctrl+o", "macro", "Macro", "Insert a canned reply (macro) into the composer, filtered as you type"),
    Key(
        "f7", "booking", "Book", "Book an appointment for the open case: proposals and the day's free slots", show=False
    ),
    Key("shift+f7", "agenda", "Agenda", "Show the day's bookings over every resource", show=False),
    Key(
        "f8",
        "workflow",
        "Workflow",
        "Case workflow: status, owner, priority, tags, survey, draft rating",
        show=False,
    ),
    Key(
        "f5",
        "dashboard",
        "Dashboard",
        "Supervisor dashboard: cases, response times, AI drafts, CSAT, reveals",
        show=False,
    ),
    Key(
        "f9", "insert_notice", "Notice", "Insert the privacy notice (live retention values) into the reply", show=False
    ),
    Key(
        "enter",
        "send",
        "Send",
        "Send the composer: add the message, or store and copy an agent reply",
        where="composer",
    ),
    Key("ctrl+j", "newline", "Newline", "Insert a new line in the composer", where="composer"),
    Key("ctrl+l", "lock", "Lock", "Lock the vault now (also after idle time)", where="app"),
    Key("ctrl+t", "toggle_theme", "Theme", "Switch between the light and dark theme", where="app", show=False),
    Key(
        "f3",
        "audit_log",
        "Audit",
        "Show the audit log and verify its chain (supervisors, auditors)",
        where="app",
        show=False,
    ),
    Key("f1", "help", "Help", "Show every key binding", where="app"),
    Key("ctrl+p", "command_palette", "Commands", "Open the command palette", where="app", show=False, palette=False),
    Key("ctrl+q", "quit", "Quit", "Quit agentconsole (the vault is locked)", where="app"),
)


#: The footer shows keys in this order (what fits at 80 columns comes first: sending,
#: drafting, summary, search, reveal, help); keys not listed follow in table order.
FOOTER_ORDER: tuple[str, ...] = (
    "send",
    "draft",
    "summarize",
    "search",
    "reveal",
    "help",
    "new_case",
    "consent",
    "cycle_role",
    "accept_draft",
    "copy_out",
    "ask",
    "stop",
    "newline",
    "lock",
    "quit",
)


def footer_rank(action: str) -> int:
    """Where a binding's action goes in the footer (unknown actions last, in their own order)."""
    action = action.removeprefix("app.").removeprefix("screen.")
    return FOOTER_ORDER.index(action) if action in FOOTER_ORDER else len(FOOTER_ORDER)


def bindings(where: str) -> list[BindingType]:
    """Textual bindings for one place in the UI."""
    return [
        # priority: the composer's TextArea and the inputs bind ctrl+d/e/k/f themselves
        Binding(
            k.key, k.action, k.label, show=k.show, tooltip=k.help, priority=k.where != "composer" and k.key != "escape"
        )
        for k in KEYS
        if k.where == where and k.action != "command_palette"
    ]


def display_key(key: str) -> str:
    """``ctrl+n`` -> ``Ctrl+N``."""
    return "+".join(part.upper() if len(part) == 1 else part.capitalize() for part in key.split("+"))
