"""A scripted model for the drafting tests: the real engine interface, a fixed answer.

The default 135M model invents a phone number or breaks a placeholder only
now and then; this engine does it on cue, so the integrity checks are tested
deterministically next to the real-model tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentconsole.llm import ChatTurn, Engine, Generation


class ScriptedEngine(Engine):
    """Streams ``answer`` a few characters per token; records the turns it was asked."""

    model_name = "scripted"  # type: ignore[assignment]
    is_loaded = True  # type: ignore[assignment]
    n_ctx = 4096  # type: ignore[assignment]

    def __init__(self, settings: Any, answer: str, step: int = 3) -> None:
        super().__init__(settings)
        self.answer = answer
        self.step = step
        self.seen: list[list[ChatTurn]] = []

    def load(self, progress: Any = None) -> None:
        return None

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, turns: list[ChatTurn], **options: Any) -> Generation:
        self.seen.append(list(turns))
        return super().stream(turns, **options)

    def _generate(self, generation: Generation, request: Any) -> Iterator[str]:
        for i in range(0, len(self.answer), self.step):
            generation._mark_token()
            yield self.answer[i : i + self.step]
