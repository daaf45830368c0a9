"""The composer: multi-line, a role (customer / agent / note), sealed pastes.

Enter sends, Ctrl+J inserts a new line, F2 switches the role.

A paste in the *customer* role, or any large paste, is sealed: the composer
shows ``[pasted #1: 3 lines, 143 chars]`` and keeps the text aside until the
message is sent. Customer text carries PII, and it is shown only after the
service has masked it (as chips); a sealed paste also keeps a huge paste from
turning into a huge editor document. A paste is sealed whole whatever it
holds (escape sequences included: :mod:`agentconsole.ui.paste` keeps the
terminal's paste in one piece), and its line breaks are kept whether the
terminal sent CR (most do), CRLF or LF. An unsealed paste (agent or note role)
shows control characters inert, as every widget does (ESC as ``␛``).
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from agentconsole.domain import WRITABLE_MESSAGE_ROLES
from agentconsole.terminal_text import inert, line_breaks
from agentconsole.ui.chips import PLACEHOLDER_RE
from agentconsole.ui.keys import KEYS

ROLES = WRITABLE_MESSAGE_ROLES
#: Pastes longer than this (characters) are sealed in every role.
SEAL_CHARS = 2000
SEAL_LINES = 20
_SEAL_RE = re.compile(r"\[pasted #(\d+): [^\]]*\]")
_PLACEHOLDER_STYLE = Style(bold=True, reverse=True)
_SEAL_STYLE = Style(italic=True, underline=True)


def _composer_bindings() -> list[BindingType]:
    return [Binding(k.key, k.action, k.label, tooltip=k.help) for k in KEYS if k.where == "composer"]


class Composer(TextArea):
    """Where the agent writes a reply, a note, or records what the customer said."""

    BINDINGS = _composer_bindings()

    class Submitted(Message):
        def __init__(self, composer: Composer, text: str, role: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text
            self.role = role

    class RoleChanged(Message):
        def __init__(self, role: str) -> None:
            super().__init__()
            self.role = role

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
        self.role = "customer"
        self._sealed: dict[int, str] = {}
        self._next_seal = 1
        self._update_placeholder()

    def _update_placeholder(self) -> None:
        hints = {
            "customer": "What the customer wrote (paste it: it is masked before it is shown)",
            "agent": "Your reply (Enter stores it and copies it with real values)",
            "note": "An internal note (never sent to the customer)",
        }
        self.placeholder = hints[self.role]

    def set_role(self, role: str) -> None:
        self.role = role
        self._update_placeholder()
        self.post_message(self.RoleChanged(role))

    def cycle_role(self) -> None:
        self.set_role(ROLES[(ROLES.index(self.role) + 1) % len(ROLES)])

    def get_line(self, line_index: int) -> Text:
        """Placeholders (restored on send) and sealed pastes stand out from typed text."""
        line = super().get_line(line_index)
        for match in PLACEHOLDER_RE.finditer(line.plain):
            line.stylize(_PLACEHOLDER_STYLE, match.start(), match.end())
        for match in _SEAL_RE.finditer(line.plain):
            line.stylize(_SEAL_STYLE, match.start(), match.end())
        return line

    # --- text in and out -------------------------------------------------------------

    def sealed_count(self) -> int:
        return len(self._sealed)

    def message_text(self) -> str:
        """The text to send: sealed pastes put back in place."""

        def unseal(match: re.Match[str]) -> str:
            return self._sealed.get(int(match.group(1)), match.group(0))

        return _SEAL_RE.sub(unseal, self.text)

    def clear_all(self) -> None:
        self._sealed.clear()
        self._next_seal = 1
        self.clear()

    def load_draft(self, text: str) -> None:
        """Put an accepted draft (placeholders intact) in the composer as an agent reply."""
        self.clear_all()
        self.load_text(inert(text))
        self.set_role("agent")
        self.move_cursor(self.document.end)

    def _seal(self, text: str) -> str:
        number = self._next_seal
        self._next_seal += 1
        self._sealed[number] = text
        lines = text.count("\n") + 1
        return f"[pasted #{number}: {lines} line{'s' if lines != 1 else ''}, {len(text)} chars]"

    async def _on_paste(self, event: events.Paste) -> None:
        if self.read_only:
            return
        event.stop()
        event.prevent_default()
        text = line_breaks(event.text)
        if self.role == "customer" or len(text) > SEAL_CHARS or text.count("\n") > SEAL_LINES:
            shown = self._seal(text)
        else:
            shown = inert(text)
        if result := self._replace_via_keyboard(shown, *self.selection):
            self.move_cursor(result.end_location)
        if not self.has_focus:
            self.focus()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_send()
            return
        if event.key in ("ctrl+j", "shift+enter", "alt+enter"):
            event.stop()
            event.prevent_default()
            self.action_newline()
            return
        await super()._on_key(event)

    def action_newline(self) -> None:
        start, end = self.selection
        self._replace_via_keyboard("\n", start, end)

    def action_send(self) -> None:
        text = self.message_text()
        if text.strip():
            self.post_message(self.Submitted(self, text, self.role))
