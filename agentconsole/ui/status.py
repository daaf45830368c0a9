"""The status bar: model, tokens/s of the last generation, masked entities, lock state."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class StatusBar(Static):
    """One line of session state. Every field is set by the app; nothing is read here."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.model = "model: waiting"
        self.pii = "PII engine: waiting"
        self.tokens_per_s: float | None = None
        self.masked: int | None = None
        self.lock_state = "locked"
        self.role = ""

    def on_mount(self) -> None:
        self.refresh_status()

    def set(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        if self.is_mounted:
            self.refresh_status()

    def render_status(self) -> Content:
        tps = "–" if self.tokens_per_s is None else f"{self.tokens_per_s:.1f}"
        masked = "–" if self.masked is None else str(self.masked)
        parts: list[str | tuple[str, str]] = []
        if self.role:
            parts += [(f" {self.role} ", "reverse bold"), " "]
        parts += [
            self.model,
            " │ ",
            f"{tps} tok/s",
            " │ ",
            f"masked: {masked}",
            " │ ",
            self.pii,
            " │ ",
            ("🔒 " + self.lock_state, "bold"),
        ]
        return Content.assemble(*parts)

    def refresh_status(self) -> None:
        self.update(self.render_status())
