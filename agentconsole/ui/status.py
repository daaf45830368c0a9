"""The status bar: model, tokens/s of the last generation, masked entities, lock state, who is replying."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from agentconsole.terminal_text import inert


class StatusBar(Static):
    """One line of session state. Every field is set by the app; nothing is read here."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.model = "model: waiting"
        self.pii = "PII: waiting"
        self.tokens_per_s: float | None = None
        self.masked: int | None = None
        self.lock_state = "locked"
        self.holder = ""  # team store: "alice is replying" on the open case

    def on_mount(self) -> None:
        for name, value in getattr(self.app, "status_fields", {}).items():
            setattr(self, name, value)
        self.refresh_status()

    def set(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        if self.is_mounted:
            self.refresh_status()

    def render_status(self) -> Content:
        tps = "–" if self.tokens_per_s is None else f"{self.tokens_per_s:.1f}"
        masked = "–" if self.masked is None else str(self.masked)
        locked = self.lock_state == "locked"
        return Content.assemble(  # the user and the model name come from files: shown inert
            (("🔒 " if locked else "🔓 ") + inert(self.lock_state), "bold"),
            inert(f" │ masked {masked} │ {tps} tok/s │ {self.pii} │ {self.model}"),
            (inert(f" │ {self.holder}") if self.holder else "", "bold"),
        )

    def refresh_status(self) -> None:
        self.update(self.render_status())
