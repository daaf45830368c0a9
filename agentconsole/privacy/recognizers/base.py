"""Common ground for our Presidio recognizers: results that skip Presidio's context boost.

Our recognizers weigh their own context (on the raw text, so ``acct#`` and
``DOB:`` count), so their scores are final: Presidio's lemma enhancer must not
boost them a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

if TYPE_CHECKING:
    from spacy.tokens import Doc


def result(entity_type: str, start: int, end: int, score: float, recognizer: str) -> RecognizerResult:
    """A RecognizerResult marked as already context-scored."""
    return RecognizerResult(
        entity_type=entity_type,
        start=start,
        end=end,
        score=min(1.0, score),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer,
            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
        },
    )


class SupportRecognizer(LocalRecognizer):
    """A recognizer of ours: stateless, nothing to load, works without NLP artifacts."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), name=type(self).__name__, supported_language="en")

    def load(self) -> None:  # nothing to load
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else set(self.ENTITIES)
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        return [r for r in self.find(text, doc) if r.entity_type in wanted]

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        """Every match in ``text`` (only :attr:`ENTITIES`); ``doc`` is None where no spaCy doc was made.

        The engine calls this directly: our scores are final, so Presidio's context step has nothing to do.
        """
        raise NotImplementedError

    def _result(self, entity_type: str, start: int, end: int, score: float) -> RecognizerResult:
        return result(entity_type, start, end, score, type(self).__name__)

    def _span_result(self, entity_type: str, span: tuple[int, int], score: float) -> RecognizerResult:
        return result(entity_type, span[0], span[1], score, type(self).__name__)
