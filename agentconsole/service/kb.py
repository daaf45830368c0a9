"""The knowledge base's use cases: import, read, search, grounding of drafts, macros.

Supervisors manage the KB (``kb_manage``: import, remove, macros import);
agents and supervisors read it (``kb_read``). Imports are screened for
personal data with the PII engine before anything is stored, and every
change is audited. Searches run on masked text only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentconsole.domain import PLACEHOLDER_PATTERN
from agentconsole.errors import AgentConsoleError
from agentconsole.service.core import ServiceCore

if TYPE_CHECKING:
    from agentconsole.kb.grounding import CitationRewriter, Grounding
    from agentconsole.kb.parsing import ParsedArticle
    from agentconsole.kb.retrieval import Retrieval, Retriever
    from agentconsole.llm.prompt import ChatTurn
    from agentconsole.vault import Vault

    # re-exported for the UI, which knows the service and nothing below it
    from agentconsole.vault.repositories.kb import KbArticle as KbArticle
    from agentconsole.vault.repositories.kb import KbMacro as KbMacro
    from agentconsole.vault.repositories.kb import KbPassage as KbPassage
    from agentconsole.vault.repositories.kb import KbVersion as KbVersion

_PERSON = re.compile(PLACEHOLDER_PATTERN)

#: A runner-up article goes into a draft's passages only if it ranks at least this share of the best.
RUNNER_UP_SHARE = 0.85
#: Share of the model's context the KB passages of a draft may take (in characters, ~4 per token).
KB_CONTEXT_SHARE = 0.35


@dataclass(frozen=True)
class ImportedArticle:
    article_id: int
    title: str
    source: str
    version: int
    status: str  # "new" | "updated" | "unchanged"
    masked: int  # personal data masked (with --mask)


@dataclass(frozen=True)
class SearchResult:
    """One passage found by :meth:`KbSection.kb_search`."""

    article_id: int
    passage_id: int
    title: str
    source: str
    heading: str
    text: str
    score: float
    coverage: float


@dataclass
class SearchOutcome:
    results: list[SearchResult] = field(default_factory=list)
    answerable: bool = False
    terms: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)


class DeclinedGeneration:
    """A finished "generation" that is a fixed text: the draft when the KB has no answer (no model run)."""

    def __init__(self, text: str) -> None:
        from agentconsole.llm.engine import GenerationStats

        self._text = text
        self.stats = GenerationStats(finish_reason="kb_declined")

    def __iter__(self) -> Iterator[str]:
        yield self._text

    def cancel(self) -> None:
        self.stats.cancelled = False  # nothing runs; a fixed text cannot be stopped half-way


class KbSection(ServiceCore):
    """The knowledge base: supervisors manage it (``kb_manage``), agents and supervisors read it (``kb_read``)."""

    _kb_retriever: Retriever | None = None
    _kb_retriever_lock = threading.Lock()

    # --- articles ---------------------------------------------------------------------

    def kb_import(
        self, paths: Sequence[Path], *, mask: bool = False, allow: Iterable[str] = ()
    ) -> list[ImportedArticle]:
        """Import KB files (all or nothing): every passage is screened for personal data first.

        Refused with the file and line of the first finding unless ``mask``; ``allow``
        lists exact values the company publishes (its support address).
        """
        from agentconsole.kb.importer import ArticleLexicon, screen_article
        from agentconsole.kb.parsing import kb_files, parse_file
        from agentconsole.kb.terms import index_terms
        from agentconsole.vault.repositories.kb import NewPassage

        vault = self.require("kb_manage")
        files = kb_files([Path(p) for p in paths])
        if not files:
            raise AgentConsoleError("no knowledge-base files (.md, .txt, .html, .csv, .jsonl) in the paths given")
        privacy = self.privacy

        def detect(text: str) -> list[tuple[int, int, str]]:
            return [(d.start, d.end, d.entity_type) for d in privacy.analyze(text)]

        allowed = list(allow)
        parsed = [article for path in files for article in parse_file(path)]
        lexicon = ArticleLexicon([*parsed, *self._kb_current_articles(vault)])
        screened = [screen_article(a, detect, mask=mask, allowed=allowed, lexicon=lexicon) for a in parsed]
        keys = [a.key for a, _ in screened]
        duplicate = next((k for k in keys if keys.count(k) > 1), None)
        if duplicate is not None:
            raise AgentConsoleError(f"two articles in this import have the same identity: {duplicate}")
        done: list[ImportedArticle] = []
        for article, findings in screened:
            title_terms = index_terms(article.title + " " + " ".join(article.synonyms))
            passages = [
                NewPassage(p.heading, p.text, p.line, title_terms, index_terms(p.heading), index_terms(p.text))
                for p in article.passages
            ]
            was_there = any(a.key == article.key for a in vault.kb_list_articles())
            article_id, version, changed = vault.kb_save_article(
                article.key,
                article.title,
                article.source,
                article.body,
                article.digest,
                "\n".join(article.synonyms),
                passages,
                vault.user,
            )
            status = "unchanged" if not changed else ("updated" if was_there else "new")
            if changed:
                self._audit(
                    "kb.import",
                    f"kb:{article_id}",
                    source=article.source,
                    version=version,
                    passages=len(passages),
                    masked=len(findings),
                )
            done.append(ImportedArticle(article_id, article.title, article.source, version, status, len(findings)))
        return done

    @staticmethod
    def _kb_current_articles(vault: Vault) -> list[ParsedArticle]:
        """The stored articles as parsed ones (their words inform the import's PII screen)."""
        from agentconsole.kb.parsing import ParsedArticle, ParsedPassage

        return [
            ParsedArticle(
                a.key,
                a.title,
                a.source,
                "",
                passages=[ParsedPassage(p.heading, p.text, p.line) for p in vault.kb_passages(a.id)],
            )
            for a in vault.kb_list_articles()
        ]

    def kb_articles(self) -> list[KbArticle]:
        return self.require("kb_read").kb_list_articles()

    def kb_article(self, article_id: int) -> tuple[KbArticle, list[KbPassage], list[KbVersion]]:
        """An article with its current passages and the list of its versions (audited)."""
        vault = self.require("kb_read")
        article = vault.kb_get_article(article_id)
        self._audit("kb.show", f"kb:{article_id}")
        return article, vault.kb_passages(article_id), vault.kb_article_versions(article_id)

    def kb_article_text(self, article_id: int, version: int | None = None) -> str:
        return self.require("kb_read").kb_article_body(article_id, version)

    def kb_remove(self, article_id: int) -> KbArticle:
        vault = self.require("kb_manage")
        article = vault.kb_remove_article(article_id)
        self._audit("kb.remove", f"kb:{article_id}", source=article.source, version=article.version)
        return article

    # --- retrieval ----------------------------------------------------------------------

    def kb_retriever(self) -> Retriever:
        """The retriever over this vault's KB (its vocabulary cache follows KB changes)."""
        from agentconsole.kb.retrieval import Retriever

        vault = self.require("kb_read")
        with self._kb_retriever_lock:
            if self._kb_retriever is None or self._kb_retriever.index is not vault:
                self._kb_retriever = Retriever(vault)
            return self._kb_retriever

    def kb_search(self, text: str, limit: int = 5, *, masked: bool = False) -> SearchOutcome:
        """Passages for ``text``; the text is masked first unless ``masked`` says it already is."""
        vault = self.require("kb_read")
        if not masked:
            from agentconsole.privacy import CaseMapping

            text = self.privacy.mask(text, CaseMapping()).masked
        retrieval = self.kb_retriever().search(text, limit=limit)
        return SearchOutcome(
            self._kb_results(vault, retrieval), retrieval.answerable, retrieval.terms, retrieval.corrections
        )

    @staticmethod
    def _kb_results(vault: Vault, retrieval: Retrieval) -> list[SearchResult]:
        found = vault.kb_passages_by_id(h.passage_id for h in retrieval.hits)
        results = []
        for hit in retrieval.hits:
            p = found.get(hit.passage_id)
            if p is not None:
                results.append(
                    SearchResult(p.article_id, p.id, p.title, p.source, p.heading, p.text, hit.score, hit.coverage)
                )
        return results

    def kb_grounding(self, query: str, budget_chars: int) -> Grounding | None:
        """The passages a draft over masked ``query`` is grounded in; None when the KB is empty.

        A :class:`~agentconsole.kb.grounding.Grounding` without passages means the KB has no answer.
        """
        from agentconsole.kb.grounding import Grounding, GroundPassage, within_budget

        vault = self.require("kb_read")
        if not vault.kb_list_articles():
            return None
        retrieval = self.kb_retriever().search(query, limit=4)
        grounding = Grounding(query=query)
        if not retrieval.answerable:
            return grounding
        top = retrieval.hits[0]
        # Passages of the best article first, then runners-up that rank nearly as high (coverage and BM25).
        chosen = [
            h
            for h in retrieval.hits
            if h.article_id == top.article_id or h.article_score >= RUNNER_UP_SHARE * top.article_score
        ]
        found = vault.kb_passages_by_id(h.passage_id for h in chosen)
        passages = [
            GroundPassage(h.passage_id, h.article_id, p.title, p.source, p.heading, p.text, h.score)
            for h in chosen
            if (p := found.get(h.passage_id)) is not None
        ]
        grounding.passages = within_budget(passages, budget_chars)
        return grounding

    def _kb_grounding_for(self, case_id: int, kind: str, question: str | None) -> Grounding | None:
        """The grounding of a draft: the masked question (answer) or the customer's latest messages (reply)."""
        if kind == "summary":
            return None
        if kind == "answer":
            query = question or ""
        else:
            latest: list[str] = []
            for message in self.require("kb_read").list_messages(case_id):
                if message.role == "agent":
                    latest = []
                elif message.role == "customer":
                    latest.append(message.text)
            query = "\n".join(latest)
        return self.kb_grounding(query, self.kb_budget_chars()) if query.strip() else None

    @staticmethod
    def _kb_ground_turns(turns: list[ChatTurn], grounding: Grounding) -> list[ChatTurn]:
        """``turns`` with the KB passages added to the system prompt."""
        from agentconsole.llm.prompt import ChatTurn

        if not turns or turns[0].role != "system" or grounding.declined:
            return turns
        return [ChatTurn("system", turns[0].content + "\n\n" + grounding.prompt_block()), *turns[1:]]

    @staticmethod
    def _kb_citation_rewriter(grounding: Grounding | None) -> CitationRewriter | None:
        """What makes a grounded draft's citations follow its sentences as it streams (None: not grounded)."""
        from agentconsole.kb.grounding import CitationRewriter

        return None if grounding is None else CitationRewriter(grounding.passages)

    @staticmethod
    def _kb_decline_generation(kind: str, prefix: str) -> DeclinedGeneration:
        """What streams instead of the model when the KB has no answer."""
        from agentconsole.kb.grounding import decline_text

        return DeclinedGeneration(prefix + decline_text(kind))

    def kb_budget_chars(self) -> int:
        return int(self.settings.model.n_ctx * KB_CONTEXT_SHARE * 4)

    # --- macros -------------------------------------------------------------------------

    def kb_macros_import(self, path: Path) -> list[tuple[str, bool]]:
        """Create or replace the macros of a file; returns ``(name, created)`` each (audited)."""
        from agentconsole.kb.macros import parse_macros

        vault = self.require("kb_manage")
        specs = parse_macros(Path(path))
        privacy = self.privacy
        for spec in specs:
            if privacy.analyze(spec.body):
                raise AgentConsoleError(f"{Path(path).name}:{spec.line}: personal data in macro {spec.name!r}")
        articles = vault.kb_list_articles()
        done = []
        with vault.transaction():
            for spec in specs:
                article_id = None
                if spec.article is not None:
                    article_id = next(
                        (a.id for a in articles if spec.article in (str(a.id), a.key, a.source)),
                        None,
                    )
                    if article_id is None:
                        raise AgentConsoleError(
                            f"{Path(path).name}:{spec.line}: macro {spec.name!r} links to {spec.article!r}, "
                            "which is no article of the knowledge base"
                        )
                _, created = vault.kb_save_macro(spec.name, spec.body, article_id)
                done.append((spec.name, created))
        self._audit("kb.macros.import", "kb:macros", source=Path(path).name, count=len(done))
        return done

    def kb_macros(self) -> list[KbMacro]:
        return self.require("kb_read").kb_list_macros()

    def kb_render_macro(self, name: str, case_id: int | None = None) -> str:
        """Macro ``name`` with its variables resolved for a case: placeholders, never raw values."""
        from agentconsole.kb.grounding import citation
        from agentconsole.kb.macros import render

        vault = self.require("kb_read")
        macro = next((m for m in vault.kb_list_macros() if m.name == name), None)
        if macro is None:
            raise AgentConsoleError(f"no macro named {name}")
        values: dict[str, str] = {"agent.name": vault.user}
        if macro.article_id is not None:
            values["kb"] = citation(macro.article_id)
        if case_id is not None:
            case = vault.get_case(case_id)
            values["case.id"] = str(case.id)
            values["case.title"] = case.title
            values["customer.ref"] = case.customer_ref
            person = self._customer_placeholder(case_id)
            if person:
                values["customer.first_name"] = values["customer.name"] = person
        return render(macro.body, values)

    def _customer_placeholder(self, case_id: int) -> str | None:
        """The placeholder of the person who wrote first in the case's customer messages."""
        for message in self.require("work_cases").list_messages(case_id):
            if message.role == "customer":
                for match in _PERSON.finditer(message.text):
                    if match.group(1) == "PERSON":
                        return match.group(0)
        return None
