"""The in-process backend: llama.cpp through llama-cpp-python.

The model is memory-mapped once by :meth:`LocalEngine.load`. Each request:

1. neutralizes control-token text in the turns, fits them into
   ``n_ctx - max_tokens`` (:func:`assemble_prompt`), renders the model's chat
   template and tokenizes the prompt once;
2. reuses the KV cache for the longest prefix shared with what the context
   already holds (the previous prompt plus its answer), so a follow-up in the
   same case only evaluates the new turns; the remaining prompt is evaluated in
   batches with a cancel check between them;
3. samples token by token, decoding UTF-8 incrementally, holding back text
   that could be the start of a stop string, and checking for cancel between
   tokens. Stopping leaves the context consistent for the next request.
"""

from __future__ import annotations

import codecs
import logging
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agentconsole.llm.engine import Engine, Generation, GenerationError, GenerationRequest
from agentconsole.llm.gguf import ModelError
from agentconsole.llm.models import ResolvedModel, model_display_name, resolve_model
from agentconsole.llm.native import (
    extra_buffers_usable,
    import_llama_cpp,
    load_progress,
    physical_cores,
    set_extra_buffers,
)
from agentconsole.llm.prompt import (
    CHATML_STOP,
    DEFAULT_SYSTEM_PROMPT,
    ChatTemplate,
    ChatTurn,
    assemble_prompt,
    neutralize_special_tokens,
)

log = logging.getLogger("agentconsole.llm")

# Prompt tokens per decode call: 256 keeps llama.cpp's compute buffer small (about 50 MB
# for the default model) at no measurable cost in prompt speed; also the cancel granularity.
_BATCH = 256
_MIN_ANSWER_ROOM = 16  # tokens the context always keeps free for the answer
# Sampling defaults shared with llama-cpp-python's create_completion.
_TOP_K = 40
_MIN_P = 0.05


@dataclass(frozen=True)
class PreparedPrompt:
    """Exactly what llama.cpp would be given for a conversation."""

    text: str
    tokens: list[int]
    turns_dropped: int
    truncated: bool


def _common_prefix(cached: Any, tokens: list[int]) -> int:
    n = 0
    for a, b in zip(cached, tokens, strict=False):
        if a != b:
            break
        n += 1
    return n


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of a stop string."""
    hold = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), hold, -1):
            if text.endswith(stop[:size]):
                hold = size
                break
    return hold


class LocalEngine(Engine):
    """llama.cpp in this process. Construct with :func:`build_engine`."""

    supports_prefix = True

    def __init__(self, settings: Any, model_reference: str | None = None) -> None:
        super().__init__(settings)
        self._model_settings = settings.model
        self._reference = model_reference
        self._load_lock = threading.Lock()
        self._llm: Any = None
        self._resolved: ResolvedModel | None = None
        self._template: ChatTemplate | None = None
        self._special_texts: tuple[str, ...] = ()
        self._turn_overhead = 0
        self._prompt_overhead = 0
        self._extra_stops: tuple[str, ...] = ()
        self._add_bos = True
        self._bos_text = ""
        self._n_ctx: int = self._model_settings.n_ctx
        self.threads = self._model_settings.threads or physical_cores()

    # --- Engine interface ------------------------------------------------------------

    @property
    def model_name(self) -> str:
        if self._resolved is not None:
            return self._resolved.name
        return model_display_name(self._settings, self._reference)

    @property
    def is_loaded(self) -> bool:
        return self._llm is not None

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    @property
    def model(self) -> ResolvedModel | None:
        """The validated model file (after :meth:`load`)."""
        return self._resolved

    def load(self, progress: Callable[[float], None] | None = None) -> None:
        """Validate the model file, then memory-map it into llama.cpp. Blocking; idempotent."""
        report = progress or (lambda _fraction: None)
        with self._load_lock:
            if self._llm is not None:
                report(1.0)
                return
            report(0.0)
            resolved = resolve_model(self._settings, self._reference, progress=lambda f: report(0.7 * f))
            llama_cpp = import_llama_cpp()
            trained = resolved.header.context_length
            n_ctx = min(self._model_settings.n_ctx, trained) if trained else self._model_settings.n_ctx
            mode = getattr(self._model_settings, "cpu_extra_buffers", "auto")
            set_extra_buffers(extra_buffers_usable(resolved.path, mode, cache_dir=self._settings.home / "cache"))
            log.info("loading model %s (n_ctx=%d, threads=%d)", resolved.name, n_ctx, self.threads)
            try:
                with load_progress(lambda f: report(0.7 + 0.2 * f)):
                    llm = llama_cpp.Llama(
                        model_path=str(resolved.path),
                        n_ctx=n_ctx,
                        **self.context_options(llama_cpp),
                        use_mmap=True,
                        verbose=False,
                    )
            except (ValueError, RuntimeError, OSError) as exc:
                log.warning("llama.cpp could not load %s: %s", resolved.path, exc)
                raise ModelError(f"llama.cpp could not load the model (see the log): {resolved.path}") from None
            report(0.9)
            self._prepare(llm, resolved)
            self._n_ctx = llm.n_ctx()
            self._resolved = resolved
            self._llm = llm
            log.info("model %s loaded", resolved.name)
            report(1.0)

    def context_options(self, llama_cpp: Any) -> dict[str, Any]:
        """The llama.cpp context parameters besides ``n_ctx`` (the benchmark gives its peer the same)."""
        options: dict[str, Any] = {
            "n_batch": _BATCH,
            "n_ubatch": _BATCH,
            "n_threads": self.threads,
            "n_threads_batch": self.threads,
            # Flash attention: a smaller compute buffer and faster prompts on CPU (measured).
            "flash_attn": True,
        }
        if getattr(self._model_settings, "kv_cache", "f16") == "q8_0":
            # Half the KV memory; prompt evaluation was measured 30-60% slower on CPU.
            options.update(type_k=llama_cpp.GGML_TYPE_Q8_0, type_v=llama_cpp.GGML_TYPE_Q8_0)
        return options

    def _prepare(self, llm: Any, resolved: ResolvedModel) -> None:
        """Chat template, control-token texts and the template's per-turn token cost."""
        llama_cpp = import_llama_cpp()
        model = llm._model
        vocab = model.vocab

        def token_text(token_id: int) -> str:
            if token_id < 0:
                return ""
            text: str = llm.detokenize([token_id], special=True).decode("utf-8", "replace")
            return text

        bos_text, eos_text = token_text(llm.token_bos()), token_text(llm.token_eos())
        self._bos_text = bos_text
        self._template = ChatTemplate(resolved.header.chat_template, bos_token=bos_text, eos_token=eos_text)
        special_attrs = (
            llama_cpp.LLAMA_TOKEN_ATTR_CONTROL
            | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
            | llama_cpp.LLAMA_TOKEN_ATTR_UNKNOWN
        )
        specials = set()
        for token_id in range(llm.n_vocab()):
            if llama_cpp.llama_vocab_get_attr(vocab, token_id) & special_attrs:
                text = model.token_get_text(token_id)
                if len(text) > 1:
                    specials.add(text)
        self._special_texts = tuple(sorted(specials, key=len, reverse=True))
        # ChatML fallback on a model without <|im_end|> as a control token: stop on its text.
        self._extra_stops = (CHATML_STOP,) if self._template.is_fallback and CHATML_STOP not in specials else ()

        def tokens_of(text: str) -> int:
            return len(self._tokenize_prompt(llm, text))

        template = self._template
        base = template.render([ChatTurn("system", "s")], add_generation_prompt=False)
        one = template.render([ChatTurn("system", "s"), ChatTurn("user", "x")], add_generation_prompt=False)
        asking = template.render([ChatTurn("system", "s"), ChatTurn("user", "x")], add_generation_prompt=True)
        x_tokens = len(llm.tokenize(b"x", add_bos=False, special=False))
        self._turn_overhead = max(tokens_of(one) - tokens_of(base) - x_tokens, 0) + 1
        self._prompt_overhead = max(tokens_of(asking) - tokens_of(one), 0)

    def count_tokens(self, text: str) -> int:
        """Exact token count of ``text`` as plain content (loads the model if needed)."""
        if self._llm is None:
            self.load()
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def reset_cache(self) -> None:
        """Forget the KV cache: the next request evaluates its whole prompt (a cold start)."""
        with self._step_lock:
            if self._llm is not None:
                self._llm.reset()

    def close(self) -> None:
        """Cancel, then free the model and its context."""
        self.cancel()
        with self._step_lock, self._load_lock:
            self._end_all()  # no generation may touch the context once it is freed
            llm, self._llm = self._llm, None
            if llm is not None:
                llm.close()

    def _tokenize_prompt(self, llm: Any, text: str) -> list[int]:
        # A template that writes the BOS itself must not get a second one from the tokenizer.
        add_bos = not (self._bos_text and text.startswith(self._bos_text))
        tokens: list[int] = llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
        return tokens

    # --- one request -----------------------------------------------------------------

    def prepare_prompt(self, turns: list[ChatTurn], *, max_tokens: int | None = None) -> PreparedPrompt:
        """The prompt text and tokens :meth:`stream` would use (for inspection and tests)."""
        if self._llm is None:
            self.load()
        request = self._make_request(turns, max_tokens=max_tokens)
        with self._step_lock:
            return self._fit(self._llm, request, self._answer_room(request))

    def _answer_room(self, request: GenerationRequest) -> int:
        return max(1, min(request.max_tokens, self._n_ctx - _MIN_ANSWER_ROOM))

    def _fit(self, llm: Any, request: GenerationRequest, max_tokens: int) -> PreparedPrompt:
        """The prompt that leaves ``max_tokens`` of the context free for the answer."""
        turns = list(request.turns)
        system = self._model_settings.system_prompt or DEFAULT_SYSTEM_PROMPT
        if turns and turns[0].role == "system":
            system = turns.pop(0).content
        specials = self._special_texts
        turns = [ChatTurn(t.role, neutralize_special_tokens(t.content, specials)) for t in turns]
        limit = self._n_ctx - max_tokens

        def cost(text: str) -> int:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)) + self._turn_overhead

        budget = limit - self._prompt_overhead
        assert self._template is not None
        for _attempt in range(4):
            kept, dropped, truncated = assemble_prompt(system, turns, budget, cost)
            text = self._template.render(kept) + request.prefix
            tokens = self._tokenize_prompt(llm, text)
            if len(tokens) <= limit:
                return PreparedPrompt(text, tokens, dropped, truncated)
            budget -= len(tokens) - limit
        raise GenerationError(f"the conversation does not fit in the model's context ({self._n_ctx} tokens)")

    def _generate(self, generation: Generation, request: GenerationRequest) -> Iterator[str]:
        if self._llm is None:
            self.load()
        llm = self._llm
        stats = generation.stats
        cancelled = generation._cancel.is_set
        max_tokens = self._answer_room(request)
        prepared = self._fit(llm, request, max_tokens)
        tokens = prepared.tokens
        stats.turns_dropped, stats.truncated = prepared.turns_dropped, prepared.truncated
        stats.prompt_tokens = len(tokens)
        if cancelled():
            return

        try:
            reused = self._evaluate_prompt(llm, tokens, cancelled)
        except Exception as exc:
            llm.reset()
            log.warning("prompt evaluation failed: %s", exc)
            raise GenerationError("the model failed while reading the prompt (see the log)") from None
        stats.cached_prompt_tokens = reused
        if cancelled():
            return

        llm.set_seed(request.seed if request.seed is not None else random.randrange(2**31))
        stops = request.stop + self._extra_stops
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        is_eog = import_llama_cpp().llama_vocab_is_eog
        vocab = llm._model.vocab
        pending = ""
        produced = 0
        stats.finish_reason = "length"
        tokens_iter = llm.generate(
            tokens,
            top_k=_TOP_K,
            top_p=request.top_p,
            min_p=_MIN_P,
            temp=request.temperature,
            repeat_penalty=request.repeat_penalty,
        )
        try:
            while True:
                try:
                    token = next(tokens_iter)
                except StopIteration:
                    break
                except Exception as exc:
                    llm.reset()
                    log.warning("decoding failed: %s", exc)
                    raise GenerationError("the model failed while answering (see the log)") from None
                if is_eog(vocab, token):
                    stats.finish_reason = "stop"
                    break
                produced += 1
                generation._mark_token()
                pending += decoder.decode(llm.detokenize([token]))
                if stops:
                    cut = min((i for i in (pending.find(s) for s in stops) if i >= 0), default=-1)
                    if cut >= 0:
                        pending = pending[:cut]
                        stats.finish_reason = "stop"
                        break
                    hold = _held_back(pending, stops)
                    ready, pending = pending[: len(pending) - hold], pending[len(pending) - hold :]
                else:
                    ready, pending = pending, ""
                if ready:
                    yield ready
                if cancelled():
                    return
                if produced >= max_tokens:
                    break
            tail = pending + decoder.decode(b"", final=True)
            if tail and not cancelled():
                yield tail
        finally:
            tokens_iter.close()

    def _evaluate_prompt(self, llm: Any, tokens: list[int], cancelled: Callable[[], bool]) -> int:
        """Bring the context to exactly ``tokens``; returns how many were reused from the cache."""
        reuse = _common_prefix(llm.input_ids[: llm.n_tokens], tokens)
        reuse = min(reuse, len(tokens) - 1)  # the last prompt token is always evaluated: it yields the logits
        if reuse > 0 and not llm._ctx.kv_cache_seq_rm(-1, reuse, -1):
            reuse = 0  # this model cannot drop part of its cache
        if reuse == 0:
            llm.reset()
        else:
            llm.n_tokens = reuse
        batch = llm.n_batch
        for start in range(reuse, len(tokens), batch):
            if cancelled():
                break
            llm.eval(tokens[start : start + batch])
        return reuse
