"""Drafts: replies, summaries and answers streamed from the local model over masked turns."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentconsole.domain import WRITABLE_MESSAGE_ROLES
from agentconsole.errors import AgentConsoleError
from agentconsole.service.cases import CasesSection
from agentconsole.service.errors import ConsentRequired, NothingToDraft, ServiceBusy
from agentconsole.service.kb import KbSection

if TYPE_CHECKING:
    from agentconsole.kb.grounding import CitationRewriter
    from agentconsole.llm import GenerationStats
    from agentconsole.llm.engine import Generation
    from agentconsole.llm.prompt import ChatTurn
    from agentconsole.privacy.streaming import PlaceholderFinding
    from agentconsole.service.kb import DeclinedGeneration
    from agentconsole.vault import Case, Vault


@dataclass
class DraftStream:
    """A running generation. Iterate for display-safe deltas (placeholders intact).

    Iteration is blocking: run it in a worker. When iteration ends (finished or
    cancelled) the masked result is stored as an assistant message and
    ``message_id``/``stats`` are set.
    """

    case_id: int
    kind: str
    _deltas: Iterator[str]
    _cancel: Callable[[], None]
    question: str | None = None  # masked, for answers
    text: str = ""
    message_id: int | None = None
    stats: GenerationStats | None = None
    cancelled: bool = False
    #: The KB passages the draft was grounded in (``GroundPassage.as_dict`` and ``used``: a sentence of the
    #: finished draft drew on it); empty when the KB declined.
    kb_passages: list[dict[str, object]] = field(default_factory=list)
    #: The citation marks of the finished draft's text ("[KB-3]"), in order; empty when the KB declined.
    kb_citations: list[str] = field(default_factory=list)
    kb_declined: bool = False  # the KB had no answer, so the draft says so (no model run)
    #: Every placeholder of the finished text, classified (PlaceholderFinding: known/invented/damaged).
    findings: list[PlaceholderFinding] = field(default_factory=list)
    values_invented: int = 0  # raw values the model made up (masked, never stored)
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def problems(self) -> list[PlaceholderFinding]:
        """The invented and damaged placeholders of the finished text."""
        return [f for f in self.findings if f.status != "known"]

    def __iter__(self) -> Iterator[str]:
        for delta in self._deltas:
            self.text += delta
            yield delta

    def cancel(self) -> None:
        self.cancelled = True
        self._cancel()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


def _with_prefix(prefix: str, generation: Iterable[str]) -> Iterator[str]:
    """The answer as the agent sees it: the prefix the model was started with, then its deltas."""
    if prefix:
        yield prefix
    yield from generation


def _mark_kb_use(stream: DraftStream, rewriter: CitationRewriter) -> None:
    """Sets ``used`` on the stream's passages and its ``kb_citations`` from the finished text."""
    from agentconsole.kb.grounding import CITATION_RE, citation

    for passage in stream.kb_passages:
        passage["used"] = passage["passage_id"] in rewriter.used
    given = {p.article_id for p in rewriter.passages}
    marks = (int(m.group(1)) for m in CITATION_RE.finditer(stream.text))
    stream.kb_citations = list(dict.fromkeys(citation(a) for a in marks if a in given))


class DraftsSection(CasesSection, KbSection):
    """Drafting with the local model: consent checked, masked turns in, placeholders checked on the way out."""

    def _check_consent(self, case: Case) -> None:
        if self.settings.consent.required and not self.consent_given(case.customer_ref):
            raise ConsentRequired(
                f"customer {case.customer_ref} has not consented to AI processing; record consent first"
            )

    def _turns_for(self, case_id: int, kind: str, question: str | None) -> list[ChatTurn]:
        """The chat turns of a drafting task over the case's masked messages (see llm.tasks)."""
        from agentconsole.llm.tasks import task_turns

        messages = [(m.role, m.text) for m in self.messages(case_id) if m.role in WRITABLE_MESSAGE_ROLES]
        return task_turns(
            kind,
            messages,
            list(self.mapping(case_id).placeholders()),
            question=question,
            base_system=self.settings.model.system_prompt,
        )

    def draft(self, case_id: int, kind: str = "reply", question: str | None = None) -> DraftStream:
        """Start a draft reply, a summary or an answer to the agent's question (streamed).

        ``kind`` is ``reply``, ``summary`` or ``answer`` (``question`` is the same
        as ``answer``). The model sees only masked turns. The returned stream
        yields display-safe deltas: known placeholders canonical, invented and
        damaged ones as markers, made-up values masked (never stored). The
        result is stored as an assistant message of that kind (with the masked
        question) when it ends.
        """
        from agentconsole.llm.tasks import STOPS as TASK_STOPS
        from agentconsole.llm.tasks import answer_prefix, normalize_task
        from agentconsole.privacy.streaming import OutputMasker, scan_placeholders

        try:
            kind = normalize_task(kind)
        except ValueError as exc:
            raise AgentConsoleError(str(exc)) from None
        vault = self.require("draft")
        case = vault.get_case(case_id)
        self._check_consent(case)
        if kind != "answer" and not any(m.role == "customer" for m in vault.list_messages(case_id)):
            raise NothingToDraft(
                f"nothing to {'draft' if kind == 'reply' else 'summarize'}: case {case_id} has no customer message yet"
            )
        if kind == "answer":
            if not question or not question.strip():
                raise AgentConsoleError("ask a question first")
            self._check_size(question, "the question")
            question = self._mask_into_case(vault, case_id, question).masked
        else:
            question = None
        grounding = self._kb_grounding_for(case_id, kind, question)
        if not self._generation_lock.acquire(blocking=False):
            raise ServiceBusy("a draft is already being generated: stop it first (Esc)")
        try:
            mapping = self.mapping(case_id)
            generation: Generation | DeclinedGeneration
            if grounding is not None and grounding.declined:
                prefix = ""
                generation = self._kb_decline_generation(kind, answer_prefix(kind, list(mapping.placeholders())))
            else:
                turns = self._turns_for(case_id, kind, question)
                turns = self._kb_ground_turns(turns, grounding) if grounding is not None else turns
                engine = self.engine
                engine.load()
                prefix = answer_prefix(kind, list(mapping.placeholders())) if engine.supports_prefix else ""
                if grounding is not None and engine.supports_prefix:
                    prefix += grounding.lead() + " "  # the article's own words first (see kb.grounding)
                generation = engine.stream(turns, prefix=prefix, stop=[*self.settings.model.stop, *TASK_STOPS])
        except BaseException:
            self._generation_lock.release()
            raise
        masker = OutputMasker(self.privacy, mapping)
        citations = self._kb_citation_rewriter(grounding)
        stream: DraftStream

        def deltas() -> Iterator[str]:
            try:
                # a long job: a lock stops the generation and waits until what there was is stored
                with self.jobs.running(on_cancel=stream.cancel):
                    try:
                        for raw in _with_prefix(prefix, generation):
                            out = masker.feed(raw)
                            out = citations.feed(out) if citations is not None else out
                            if out:
                                yield out
                        tail = masker.flush()
                        tail = citations.feed(tail) + citations.flush() if citations is not None else tail
                        if tail:
                            yield tail
                        sources = citations.sources_tail(stream.text) if citations is not None else ""
                        if sources:
                            yield sources
                    finally:
                        if citations is not None:
                            _mark_kb_use(stream, citations)
                        stream.findings = scan_placeholders(stream.text, mapping)
                        stream.values_invented = masker.values_invented
                        self._finish_draft(vault, stream, generation)
            finally:
                self._current = None
                self._generation_lock.release()
                stream._done.set()

        stream = DraftStream(case_id=case_id, kind=kind, question=question, _deltas=deltas(), _cancel=generation.cancel)
        if grounding is not None:
            stream.kb_passages = [{**p.as_dict(), "used": False} for p in grounding.passages]
            stream.kb_declined = grounding.declined
        self._current = stream
        return stream

    def _finish_draft(self, vault: Vault, stream: DraftStream, generation: Generation | DeclinedGeneration) -> None:
        # Nothing the model wrote enters the case's PII table: made-up values were dropped by the masker.
        stream.stats = generation.stats
        stream.cancelled = stream.cancelled or bool(getattr(generation.stats, "cancelled", False))
        if vault.is_locked or not stream.text.strip():
            return
        stats = generation.stats
        stream.message_id = vault.add_message(
            stream.case_id,
            "assistant",
            stream.text,
            model=self.engine.model_name,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            ttft_ms=stats.ttft_ms,
            decode_tokens_per_s=stats.decode_tokens_per_s,
            kind=stream.kind,
            question=stream.question,
        )
        if stream.problems:
            from agentconsole.privacy.streaming import describe_problems

            self._audit(
                "draft.integrity",
                f"case:{stream.case_id} message:{stream.message_id}",
                placeholders=describe_problems(stream.problems),
            )
