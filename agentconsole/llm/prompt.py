"""Chat turns, the context budget and chat templates.

* :func:`assemble_prompt` keeps the system prompt and the newest turns within a
  token budget, dropping the oldest turns first; a turn that cannot fit even
  alone is cut in the middle with a visible marker.
* :class:`ChatTemplate` renders turns with the model's own Jinja chat template
  (from the GGUF metadata) in a sandbox, falling back to ChatML.
* :func:`neutralize_special_tokens` keeps customer text from smuggling role
  markers such as ``<|im_start|>system`` into the prompt.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

log = logging.getLogger("agentconsole.llm")

ROLES = ("system", "user", "assistant")

#: Inserted where a too-long turn was cut; the model and the agent both see it.
TRUNCATION_MARKER = "\n[... truncated to fit the model's context ...]\n"

DEFAULT_SYSTEM_PROMPT = (
    "You are a support assistant helping a customer-support agent. "
    "Answer briefly, politely and accurately, and draft replies the agent can send to the customer. "
    "Personal details in the conversation have been replaced by placeholders such as <PERSON_1>, "
    "<EMAIL_ADDRESS_1> or <PHONE_NUMBER_2>. Keep every placeholder exactly as written, including "
    "the angle brackets and the number; never invent, change, translate or fill in a placeholder, "
    "and never ask for the real value behind it. If you do not know something, say so."
)

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CHATML_STOP = "<|im_end|>"


@dataclass(frozen=True)
class ChatTurn:
    """One message of a conversation: ``role`` is "system", "user" or "assistant"."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"chat role must be one of {', '.join(ROLES)}, got {self.role!r}")


def truncate_middle(text: str, limit_tokens: int, count_tokens: Callable[[str], int]) -> str:
    """The longest head + marker + tail of ``text`` that counts at most ``limit_tokens``.

    The start (greeting, context) and the end (usually the question) of a long
    message matter most, so the middle goes. Returns just the marker, stripped,
    when nothing of the text fits.
    """
    if count_tokens(text) <= limit_tokens:
        return text
    low, high = 0, len(text)  # characters kept, split evenly between head and tail
    best = TRUNCATION_MARKER.strip()
    while low < high:
        keep = (low + high + 1) // 2
        head = keep - keep // 2
        candidate = text[:head] + TRUNCATION_MARKER + text[len(text) - keep // 2 :] if keep else best
        if count_tokens(candidate) <= limit_tokens:
            best, low = candidate, keep
        else:
            high = keep - 1
    return best


def assemble_prompt(
    system: str,
    turns: Sequence[ChatTurn],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[ChatTurn], int, bool]:
    """Fit a conversation into ``budget_tokens``.

    Returns ``(turns, dropped, truncated)``: the system turn (when ``system``
    is non-empty) followed by the newest turns that fit, in order; how many of
    the oldest turns were dropped; and whether a turn was cut with
    :data:`TRUNCATION_MARKER`. ``count_tokens`` should include a turn's
    template overhead. The newest turn is always kept (truncated if needed);
    the system prompt is truncated only if it alone exceeds half the budget.
    System turns inside ``turns`` are kept as ordinary turns.
    """
    truncated = False
    kept_system: list[ChatTurn] = []
    remaining = max(budget_tokens, 0)
    if system:
        system_limit = remaining if not turns else max(remaining // 2, 1)
        system_text = truncate_middle(system, system_limit, count_tokens)
        truncated = system_text != system
        kept_system = [ChatTurn("system", system_text)]
        remaining -= count_tokens(system_text)

    kept: list[ChatTurn] = []
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        cost = count_tokens(turn.content)
        if cost <= remaining:
            kept.append(turn)
            remaining -= cost
            continue
        if not kept:  # the newest turn must survive: cut it to what is left
            content = truncate_middle(turn.content, max(remaining, 0), count_tokens)
            kept.append(ChatTurn(turn.role, content))
            truncated = True
            remaining -= count_tokens(content)
        break
    kept.reverse()
    dropped = len(turns) - len(kept)
    return kept_system + kept, dropped, truncated


def neutralize_special_tokens(text: str, special_texts: Iterable[str]) -> str:
    """Break up any control-token text (``<|im_end|>``) so it tokenizes as plain characters.

    A zero-width space after the first character keeps the text readable while
    stopping the tokenizer from matching the control token.
    """
    for special in special_texts:
        if len(special) > 1 and special in text:
            text = text.replace(special, special[0] + "\u200b" + special[1:])
    return text


def _raise_template_error(message: str) -> None:
    raise ValueError(message)


class ChatTemplate:
    """A model's chat template, rendered in a Jinja sandbox; ChatML when absent or broken."""

    def __init__(self, source: str | None, *, bos_token: str = "", eos_token: str = "") -> None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.bos_token = bos_token
        self.eos_token = eos_token
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise_template_error
        env.globals["strftime_now"] = lambda fmt: datetime.datetime.now().strftime(fmt)
        self.is_fallback = not source
        try:
            self._template = env.from_string(source or CHATML_TEMPLATE)
            if source:
                self._render([ChatTurn("system", "s"), ChatTurn("user", "u")])
        except Exception as exc:  # the model's template must never stop the console
            log.warning("model chat template unusable (%s); using ChatML", type(exc).__name__)
            self._template = env.from_string(CHATML_TEMPLATE)
            self.is_fallback = True

    def _render(self, turns: Sequence[ChatTurn], add_generation_prompt: bool = True) -> str:
        return self._template.render(
            messages=[{"role": t.role, "content": t.content} for t in turns],
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
        )

    def render(self, turns: Sequence[ChatTurn], add_generation_prompt: bool = True) -> str:
        """The prompt text for ``turns``, ending with the assistant's header."""
        try:
            return self._render(turns, add_generation_prompt)
        except Exception as exc:
            # Some templates insist on strict user/assistant alternation; merge and retry with ChatML.
            log.warning("model chat template failed on this conversation (%s); using ChatML", type(exc).__name__)
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            fallback = ImmutableSandboxedEnvironment().from_string(CHATML_TEMPLATE)
            return fallback.render(
                messages=[{"role": t.role, "content": t.content} for t in turns],
                add_generation_prompt=add_generation_prompt,
            )
