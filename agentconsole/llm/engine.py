"""The engine interface every backend implements, and one streamed answer.

An :class:`Engine` turns a conversation (a list of :class:`ChatTurn`) into a
:class:`Generation`: an iterator of text deltas that does its work while it is
iterated, in the caller's thread (the UI iterates it in a worker). One
generation runs at a time per engine: calling :meth:`Engine.stream` while
another generation is unfinished cancels that one (it ends at its next token
boundary with ``stats.cancelled``) and the new one proceeds.

Cancelling (:meth:`Generation.cancel` or :meth:`Engine.cancel`, from any
thread) takes effect before the next token is produced; the engine is then
ready for the next request.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from agentconsole.errors import AgentConsoleError
from agentconsole.llm.prompt import ChatTurn

log = logging.getLogger("agentconsole.llm")


class GenerationError(AgentConsoleError):
    """The model failed while answering (the engine stays usable)."""


@dataclass
class GenerationStats:
    """Numbers about one answer; filled in while it streams."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float = 0.0  # time to first token, from the first iteration step
    decode_tokens_per_s: float = 0.0  # tokens after the first / time after the first
    total_ms: float = 0.0
    turns_dropped: int = 0
    truncated: bool = False
    cancelled: bool = False
    cached_prompt_tokens: int = 0  # prompt tokens reused from the previous request's KV cache
    finish_reason: str = ""  # "stop" | "length" | "cancelled" | "error"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("ttft_ms", "decode_tokens_per_s", "total_ms"):
            data[key] = round(data[key], 2)
        return data


@dataclass(frozen=True)
class GenerationRequest:
    """One request's conversation and sampling options, defaults filled in from ``[model]``."""

    turns: tuple[ChatTurn, ...]
    max_tokens: int
    temperature: float
    top_p: float
    repeat_penalty: float
    seed: int | None  # None = a random seed
    stop: tuple[str, ...]
    prefix: str = ""  # text the answer starts with (already written into the prompt; not yielded)


class Generation:
    """One streamed answer: iterate for ``str`` deltas; ``cancel()`` from any thread.

    ``text`` is the joined deltas so far and ``stats`` the live
    :class:`GenerationStats`. Iteration raises :class:`GenerationError` if
    the backend fails; the deltas produced before that stay in ``text``.
    """

    def __init__(self, engine: Engine, source: Callable[[Generation], Iterator[str]]) -> None:
        self._engine = engine
        self._source_factory = source
        self._source: Iterator[str] | None = None
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._parts: list[str] = []
        self.stats = GenerationStats()
        self._started = 0.0
        self._first_token_at = 0.0
        self._last_token_at = 0.0

    # --- the consumer side ---------------------------------------------------------

    def __iter__(self) -> Generation:
        return self

    def __next__(self) -> str:
        if self._done.is_set():
            raise StopIteration
        with self._engine._step_lock:
            if self._source is None:
                if self._cancel.is_set():  # cancelled (or superseded) before it started
                    self._finish()
                    raise StopIteration
                self._engine._take_over(self)
                self._started = time.perf_counter()
                self._source = self._source_factory(self)
            try:
                delta = next(self._source)
            except StopIteration:
                self._finish()
                raise
            except BaseException:
                self._finish("error")
                raise
        self._parts.append(delta)
        return delta

    def cancel(self) -> None:
        """Stop before the next token; safe from any thread, idempotent."""
        if self._done.is_set():
            return
        self._cancel.set()
        self._engine._interrupt(self)

    def close(self) -> None:
        """Abandon the generation now (cancel and release the backend's state)."""
        self.cancel()
        with self._engine._step_lock:
            if self._source is not None and not self._done.is_set():
                self._close_source()
            self._finish()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the generation has finished (by any means)."""
        return self._done.wait(timeout)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def __enter__(self) -> Generation:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.done:
            self.close()

    # --- the backend side ----------------------------------------------------------

    def _mark_token(self, n: int = 1) -> None:
        """A backend produced ``n`` more completion tokens."""
        now = time.perf_counter()
        if not self._first_token_at:
            self._first_token_at = now
            self.stats.ttft_ms = (now - self._started) * 1000.0
        self._last_token_at = now
        self.stats.completion_tokens += n

    def _close_source(self) -> None:
        source = self._source
        if source is not None and hasattr(source, "close"):
            try:
                source.close()
            except Exception:  # closing must never raise into a new request
                log.exception("closing a generation failed")

    def _finish(self, reason: str | None = None) -> None:
        if self._done.is_set():
            return
        stats = self.stats
        now = time.perf_counter()
        if self._started:
            stats.total_ms = (now - self._started) * 1000.0
        if stats.completion_tokens > 1 and self._last_token_at > self._first_token_at:
            stats.decode_tokens_per_s = (stats.completion_tokens - 1) / (self._last_token_at - self._first_token_at)
        if self._cancel.is_set():
            stats.cancelled = True
            stats.finish_reason = "cancelled"
        elif reason:
            stats.finish_reason = reason
        elif not stats.finish_reason:
            stats.finish_reason = "stop"
        self._done.set()
        self._engine._released(self)


class Engine(abc.ABC):
    """A chat model behind a uniform, streaming, cancellable interface."""

    def __init__(self, settings: Any) -> None:
        self._settings = settings
        self._step_lock = threading.Lock()  # one backend step at a time
        self._state_lock = threading.Lock()
        self._active: Generation | None = None
        self._running: list[Generation] = []  # generations whose backend state is open

    # --- what callers use ----------------------------------------------------------

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """A short name for the model (manifest name or file stem)."""

    #: Whether :meth:`stream` can start the answer with a given ``prefix`` (the local engine renders
    #: the prompt itself; an OpenAI-compatible server cannot).
    supports_prefix = False

    @property
    @abc.abstractmethod
    def is_loaded(self) -> bool:
        """True once :meth:`load` has completed."""

    @property
    @abc.abstractmethod
    def n_ctx(self) -> int:
        """The context window the prompt and the answer share, in tokens."""

    @abc.abstractmethod
    def load(self, progress: Callable[[float], None] | None = None) -> None:
        """Prepare the model (blocking, idempotent; call it off the UI thread)."""

    @abc.abstractmethod
    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` costs in a prompt (exact or a safe estimate)."""

    def stream(
        self,
        turns: list[ChatTurn],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
        prefix: str = "",
    ) -> Generation:
        """Start answering ``turns`` (no work happens until the result is iterated).

        A system turn first in ``turns`` replaces the configured system prompt.
        ``prefix`` starts the answer (after the template's assistant header) when
        :attr:`supports_prefix`; the deltas continue it and do not repeat it.
        An unfinished earlier generation of this engine is cancelled.
        """
        request = self._make_request(turns, max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop)
        if prefix and self.supports_prefix:
            request = dataclasses.replace(request, prefix=prefix)
        generation = Generation(self, lambda gen: self._generate(gen, request))
        with self._state_lock:
            previous = self._active
            self._active = generation
        if previous is not None and not previous.done:
            previous.cancel()
        return generation

    def cancel(self) -> None:
        """Cancel the running generation, if any."""
        with self._state_lock:
            active = self._active
        if active is not None:
            active.cancel()

    def close(self) -> None:
        """End every open generation now (its iteration stops); backends then free the model."""
        self.cancel()
        with self._step_lock:
            self._end_all()

    def _end_all(self) -> None:
        """Under the step lock: close every generation whose backend state is open."""
        with self._state_lock:
            running, self._running = self._running, []
        for generation in running:
            generation._cancel.set()
            generation._close_source()
            generation._finish()

    # --- what backends implement ---------------------------------------------------

    def _make_request(
        self,
        turns: list[ChatTurn],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
    ) -> GenerationRequest:
        """Validate the options and fill the defaults from ``settings.model``."""
        model = self._settings.model
        max_tokens = model.max_tokens if max_tokens is None else max_tokens
        if max_tokens < 1:
            raise GenerationError("max_tokens must be at least 1")
        if temperature is not None and temperature < 0:
            raise GenerationError("temperature must be 0 or more")
        return GenerationRequest(
            turns=tuple(turns),
            max_tokens=int(max_tokens),
            temperature=float(model.temperature if temperature is None else temperature),
            top_p=model.top_p,
            repeat_penalty=model.repeat_penalty,
            seed=seed if seed is not None else (model.seed if model.seed >= 0 else None),
            stop=tuple(model.stop if stop is None else stop),
        )

    @abc.abstractmethod
    def _generate(self, generation: Generation, request: Any) -> Iterator[str]:
        """Yield text deltas, checking ``generation._cancel`` between tokens."""

    def _interrupt(self, generation: Generation) -> None:  # noqa: B027  (optional hook, a no-op by default)
        """Called on cancel from the cancelling thread (e.g. to close a socket)."""

    # --- bookkeeping -----------------------------------------------------------------

    def _take_over(self, generation: Generation) -> None:
        """Under the step lock: end any other generation whose backend state is still open."""
        self._end_all()
        with self._state_lock:
            self._running = [generation]

    def _released(self, generation: Generation) -> None:
        with self._state_lock:
            self._running = [g for g in self._running if g is not generation]
