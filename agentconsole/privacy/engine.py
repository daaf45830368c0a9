"""The PII engine: our trained NER + validated patterns + case-level linking, via Presidio.

Detection has two stages. First, per piece of text: the shipped NER
(``privacy/ner_model``, PERSON and whole STREET_ADDRESS blocks), phone numbers
by libphonenumber, e-mails, card/IBAN/ids by validated patterns, run through
Presidio's registry (so configured and enabled recognizers join in). Second,
over the whole text and the case: a person seen in full is the same person in
part ("Jonathan", "Mr Whitaker", "J. Whitaker"), and gets the same placeholder.

Loading is slow (spaCy + Presidio, then a warm-up pass): build the engine in a
worker with :meth:`PrivacyEngine.from_settings`. After that, :meth:`analyze`
and :meth:`mask` take a few milliseconds per message, are thread-safe, and
grow linearly with the text (pieces with overlap, ``nlp.pipe``); long jobs
report progress and can be cancelled; texts of 50,000+ characters are read by
helper processes too (:mod:`.parallel`), one per extra core by default.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, cast

import regex

from agentconsole.privacy.detections import (
    MAX_ENTITY_CHARS,
    Detection,
    MaskResult,
    resolve_overlaps,
    splits_a_word,
    trim_detection,
)
from agentconsole.privacy.errors import PrivacyEngineError
from agentconsole.privacy.masking import (
    apply_mask,
    assign_full_names,
    inside_placeholder,
    known_value_detections,
    to_original,
)
from agentconsole.privacy.model import EXCLUDED_PIPES, load_spacy  # noqa: F401  (re-exported)
from agentconsole.privacy.parallel import PARALLEL_MIN_CHARS, HelperPool, Ticker, helper_count, read_units
from agentconsole.privacy.pieces import Piece, plan_units
from agentconsole.privacy.placeholders import CaseMapping
from agentconsole.privacy.textprep import Squeezed, detection_text

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
    from spacy.language import Language
    from spacy.tokens import Doc

    from agentconsole.config import PrivacySettings

#: ``progress(done_chars, total_chars)``, called from the masking thread.
Progress = Callable[[int, int], None]
#: Polled between pieces; True stops the job with :class:`MaskingCancelled`.
ShouldCancel = Callable[[], bool]

log = logging.getLogger("agentconsole.privacy")

LANGUAGE = "en"

#: spaCy NER labels we use, and the Presidio entity each becomes. Everything
#: else the model emits is ignored explicitly (see NER_LABELS_IGNORED).
NER_LABEL_MAP = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "NORP": "NRP",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
#: Labels that are never PII on their own in support traffic (or misfire too often).
NER_LABELS_IGNORED = (
    "ORG",
    "ORGANIZATION",
    "CARDINAL",
    "EVENT",
    "LANGUAGE",
    "LAW",
    "MONEY",
    "ORDINAL",
    "PERCENT",
    "PRODUCT",
    "QUANTITY",
    "WORK_OF_ART",
)
#: Rule recognizers of the previous engine left out by default. Measured with and without
#: (scripts/bench_pii.py --ablation): on the never-seen split the cue-based name rule adds
#: 0.03 recall but nearly doubles false alarms (9 -> 16 per 1,000 words; no-PII set 22 -> 43).
EXCLUDED_BY_DEFAULT = ("ContextNameRecognizer",)
#: Second stage tried and left off: the base model's own entities vetoing our one-word PERSON
#: guesses on firms/products/places. Measured on the previous engine's tuning set and on dev:
#: PERSON recall -4 to -8 points for -0.2 to -0.5 false alarms per 1,000 words. Not worth it.
BASE_NER_CHECK = False
#: Recognizers that read the spaCy doc (or, like the name cues, a whole message): not run by
#: :meth:`PrivacyEngine.detect_patterns`.
_NEEDS_NLP = ("ModelEntityRecognizer", "ContextNameRecognizer", "CueNameRecognizer")

PIPE_BATCH = 16
_URL_KEEP_RE = regex.compile(r"^(?:[a-z][a-z0-9+.\-]*://|www\.)", regex.IGNORECASE)
#: Between turns of one document: a paragraph break no entity crosses.
_TURN_BREAK = "\n\n\n"
_WARMUP_TEXT = (
    "Hi, this is Anna Berg, account 12345678. Call me on +1 (555) 010-0199 or write to "
    "anna@example.org; I live at 1 Example Street, Springfield, IL 62704."
)


class PrivacyEngine:
    """Finds PII in support messages and pseudonymizes it with case-stable placeholders."""

    def __init__(
        self, analyzer: AnalyzerEngine, nlp: Language, settings: PrivacySettings, masked_entities: set[str]
    ) -> None:
        self._analyzer = analyzer
        self._nlp = nlp
        self._nlp_engine = cast("SpacyNlpEngine", analyzer.nlp_engine)  # from_nlp builds it so
        self._settings = settings
        self.masked_entities = frozenset(masked_entities)
        self._lock = threading.RLock()
        self._has_lemmas = "lemmatizer" in getattr(nlp, "pipe_names", ())
        self._custom_types: frozenset[str] = frozenset()
        self._recognizer_count = len(list(analyzer.registry.recognizers))
        self._pattern_recognizers = [r for r in analyzer.registry.recognizers if type(r).__name__ not in _NEEDS_NLP]
        self._split_recognizers(analyzer)
        #: Pipeline calls made (one per piece, here or in a helper); tests use it to check linear work.
        self.pipeline_pieces = 0
        #: Pieces of those read by helper processes (see :mod:`.parallel`); None: this process only.
        self.helper_pieces = 0
        self._helpers: HelperPool | None = None

    def _split_recognizers(self, analyzer: AnalyzerEngine) -> None:
        """Ours are called directly; Presidio's machinery runs only for the others, only when needed.

        Our recognizers' scores are final (Presidio's context step skips them) and need only
        the spaCy doc, so building Presidio's NLP artifacts (keywords), its context step and
        its copies of every result are spent on Presidio's own and configured recognizers
        alone, and only on a piece where one of them matches at all (pattern recognizers are
        cheap to try without artifacts). The output is the same as one analyzer over all.
        """
        from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerRegistry

        from agentconsole.privacy.recognizers.base import SupportRecognizer

        recognizers = list(analyzer.registry.recognizers)
        self._entities = set(analyzer.get_supported_entities(LANGUAGE))
        self._own = [r for r in recognizers if isinstance(r, SupportRecognizer)]
        self._others = [r for r in recognizers if not isinstance(r, SupportRecognizer)]
        self._others_need_artifacts = not all(isinstance(r, PatternRecognizer) for r in self._others)
        self._others_analyzer = (
            AnalyzerEngine(
                registry=RecognizerRegistry(recognizers=self._others, supported_languages=[LANGUAGE]),
                nlp_engine=analyzer.nlp_engine,
                supported_languages=[LANGUAGE],
                context_aware_enhancer=analyzer.context_aware_enhancer,
            )
            if self._others
            else None
        )
        self._remove_duplicates = EntityRecognizer.remove_duplicates

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_settings(
        cls, settings: PrivacySettings | None = None, *, exclude: Iterable[str] | None = None
    ) -> PrivacyEngine:
        """Load our NER (hash-checked) and Presidio offline, then warm up.

        ``settings`` is a :class:`~agentconsole.config.PrivacySettings` (None: defaults);
        ``exclude`` names recognizers to leave out (default :data:`EXCLUDED_BY_DEFAULT`;
        the benchmark measures with and without). Including ``ContextNameRecognizer``
        also loads ``settings.spacy_model``'s tagger, which that rule needs.
        """
        if settings is None:
            from agentconsole.config import PrivacySettings

            settings = PrivacySettings()
        from agentconsole.privacy.model import load_pipeline

        started = time.monotonic()
        excluded = set(EXCLUDED_BY_DEFAULT if exclude is None else exclude)
        needs_tagger = "ContextNameRecognizer" not in excluded
        nlp = load_pipeline(settings.spacy_model, base_ner=BASE_NER_CHECK, tagger=needs_tagger)
        engine = cls.from_nlp(nlp, settings, exclude=excluded)
        engine.analyze(_WARMUP_TEXT)
        engine.pipeline_pieces = 0
        helpers = helper_count(settings.workers)
        if helpers:  # a helper builds this same engine from these settings
            engine._helpers = HelperPool(settings, sorted(excluded), helpers)
        log.info(
            "privacy engine ready in %.2fs (%d recognizers)",
            time.monotonic() - started,
            engine._recognizer_count,
        )
        return engine

    @classmethod
    def from_nlp(
        cls, nlp: Language, settings: PrivacySettings, *, exclude: Iterable[str] | None = None
    ) -> PrivacyEngine:
        """Build the engine around an already loaded spaCy pipeline."""
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

        from agentconsole.privacy.recognizers import custom_recognizers, own_recognizers, presidio_recognizers

        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": LANGUAGE, "model_name": settings.spacy_model}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(NER_LABEL_MAP),
                labels_to_ignore=list(NER_LABELS_IGNORED),
            ),
        )
        # Never call nlp_engine.load(): that path can download. Hand it the loaded pipeline.
        nlp_engine.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio types it None until load()
        presidio, extra_entities = presidio_recognizers(settings.enable_recognizers)
        try:
            custom = custom_recognizers(settings.custom_recognizers)
        except Exception as exc:  # config validated the regex; Presidio may still refuse it
            raise PrivacyEngineError(
                f"privacy.custom_recognizers: cannot build a recognizer ({type(exc).__name__})"
            ) from None
        excluded = set(EXCLUDED_BY_DEFAULT if exclude is None else exclude)
        ours = [
            r
            for r in own_recognizers(getattr(settings, "phone_regions", None) or None)
            if type(r).__name__ not in excluded
        ]
        recognizers: list[EntityRecognizer] = [*ours, *presidio, *custom]
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])
        analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=[LANGUAGE],
            context_aware_enhancer=LemmaContextAwareEnhancer(context_matching_mode="whole_word"),
        )
        masked = set(settings.entities) | extra_entities | {spec.entity_type for spec in settings.custom_recognizers}
        engine = cls(analyzer, nlp, settings, masked)
        engine._custom_types = frozenset(spec.entity_type for spec in settings.custom_recognizers)
        return engine

    # --- analysis -----------------------------------------------------------------

    def analyze(
        self,
        text: str,
        *,
        progress: Progress | None = None,
        should_cancel: ShouldCancel | None = None,
    ) -> list[Detection]:
        """Non-overlapping PII detections in ``text`` that the policy masks, in text order.

        The text is read in pieces (cut at paragraph/line boundaries, with
        overlap) through ``nlp.pipe``; pieces with hardly any letters (number
        dumps, binary junk) skip spaCy. Work stays linear in the text length.
        ``progress(done, total)`` is called as pieces finish (characters);
        ``should_cancel()`` is polled between pieces and raises
        :class:`MaskingCancelled` when it returns True.
        """
        if not text or not text.strip():
            return []
        squeezed = Squeezed(text)
        seen = squeezed.text
        found = resolve_overlaps(self._first_stage(seen, progress, should_cancel))
        return to_original(squeezed, resolve_overlaps(found + self._linked(seen, found, ())))

    def _first_stage(self, text: str, progress: Progress | None, should_cancel: ShouldCancel | None) -> list[Detection]:
        prepared = detection_text(text)
        units = plan_units(prepared)
        ticker = Ticker(len(text), progress, should_cancel)
        ticker.check()
        with self._lock:
            pool = self._helpers if len(text) >= PARALLEL_MIN_CHARS and len(units) > 1 else None
            per_unit = read_units(self, prepared, units, pool, ticker)
        if progress is not None:
            progress(len(text), len(text))
        return [
            Detection(d.start + unit.read_start, d.end + unit.read_start, d.entity_type, d.score)
            for unit, dets in zip(units, per_unit, strict=True)
            for d in dets
        ]

    def read_pieces(self, pieces: Sequence[Piece]) -> Iterator[list[Detection]]:
        """First-stage detections of each piece, in order, offsets into the piece.

        Prose pieces go through one ``nlp.pipe``, the others through the pattern
        recognizers; only detections starting in a piece's owned part are kept.
        The same code reads pieces here and in a helper process, so both give
        the same result.
        """
        docs = iter(self._nlp.pipe((p.text for p in pieces if p.prose), batch_size=PIPE_BATCH))
        for piece in pieces:
            with self._lock:
                if piece.prose:
                    self.pipeline_pieces += 1
                    dets = self._analyze_doc(piece.text, next(docs))
                else:
                    dets = self.detect_patterns(piece.text, _prepared=True)
            yield [d for d in dets if piece.own_start <= d.start < piece.own_end]

    def _linked(self, text: str, found: list[Detection], known_people: Iterable[str]) -> list[Detection]:
        """Later mentions of people named in full here or earlier in the case."""
        if "PERSON" not in self.masked_entities:
            return []
        from agentconsole.privacy.lexicon import NOT_NAME_WORDS
        from agentconsole.privacy.linking import linked_mentions, person_values_from_email

        people = [text[d.start : d.end] for d in found if d.entity_type == "PERSON"]
        people += list(known_people)
        for det in found:
            if det.entity_type == "EMAIL_ADDRESS":
                name = person_values_from_email(text[det.start : det.end])
                if name is not None:
                    people.append(name)
        taken = [(d.start, d.end) for d in found]
        mentions = linked_mentions(text, people, taken, frozenset(NOT_NAME_WORDS))
        return [Detection(start, end, "PERSON", 0.8) for start, end, _owner in mentions]

    def detect_patterns(self, text: str, *, _prepared: bool = False) -> list[Detection]:
        """Like :meth:`analyze` but without spaCy: shape/context recognizers only.

        Used on the model's streamed output, where results must not depend on how
        far the sentence has arrived.
        """
        if not text or not text.strip():
            return []
        prepared = text if _prepared else detection_text(text)
        raw = []
        for recognizer in self._pattern_recognizers:
            try:
                # Shape recognizers need no spaCy doc; Presidio's signature insists on one.
                raw.extend(recognizer.analyze(prepared, list(recognizer.supported_entities), None))  # type: ignore[arg-type]
            except Exception:
                log.exception("recognizer %s failed", type(recognizer).__name__)
        return resolve_overlaps(self._accept(prepared, raw))

    def _analyze_doc(self, text: str, doc: Doc) -> list[Detection]:
        with self._lock:
            raw = [r for rec in self._own for r in rec.find(text, doc) if r.entity_type in self._entities]
            if self._others_analyzer is not None and (
                self._others_need_artifacts
                or any(rec.analyze(text, list(rec.supported_entities), None) for rec in self._others)  # type: ignore[arg-type]
            ):
                raw += self._others_analyzer.analyze(
                    text=text, language=LANGUAGE, nlp_artifacts=self._artifacts(doc), score_threshold=0.0
                )
            raw = self._remove_duplicates(raw)
        return self._accept(text, raw)

    def _artifacts(self, doc: Doc) -> NlpArtifacts:
        from presidio_analyzer.nlp_engine import NlpArtifacts

        with self._lock:
            # What SpacyNlpEngine._doc_to_nlp_artifact builds, with its keywords computed once
            # (they were computed twice on an NER-only pipeline: ~8% of a long paste).
            lemmas = [token.lemma_ for token in doc] if self._has_lemmas else []
            if not any(lemmas):  # NER-only pipeline: context words match the lower-cased text
                lemmas = [token.lower_ for token in doc]
            engine = self._nlp_engine
            entities, scores = engine._get_updated_entities(list(doc.ents), engine._get_scores_for_entities(doc))
            artifacts = NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=[token.idx for token in doc],
                lemmas=lemmas,
                nlp_engine=engine,
                language=LANGUAGE,
                scores=scores,
            )
        return artifacts

    def _accept(self, text: str, raw: Iterable[RecognizerResult]) -> list[Detection]:
        thresholds = self._settings.thresholds
        default = self._settings.score_threshold
        accepted = []
        for r in raw:
            if r.entity_type not in self.masked_entities:
                continue
            if r.score < thresholds.get(r.entity_type, default):
                continue
            det = trim_detection(text, Detection(r.start, r.end, r.entity_type, float(r.score)))
            if det is None or splits_a_word(text, det):
                continue
            if det.entity_type == "URL" and not _URL_KEEP_RE.match(text[det.start : det.end]):
                continue  # a bare domain ("example.com", the tail of an e-mail) is not personal
            if det.end - det.start > MAX_ENTITY_CHARS and det.entity_type != "URL":
                continue  # no identifier is that long; a runaway match is not one
            accepted.append(det)
        if self._custom_types:
            # A deployment's own pattern knows its identifiers better than our generic ones.
            custom = [d for d in accepted if d.entity_type in self._custom_types]
            accepted = [
                d
                for d in accepted
                if d.entity_type in self._custom_types or not any(c.start < d.end and d.start < c.end for c in custom)
            ]
        return accepted

    # --- masking ------------------------------------------------------------------

    def mask(
        self,
        text: str,
        mapping: CaseMapping,
        *,
        progress: Progress | None = None,
        should_cancel: ShouldCancel | None = None,
    ) -> MaskResult:
        """Replace PII in ``text`` with the case's placeholders (allocating new ones).

        ``mapping`` is updated in place; ``result.new_entries`` are the rows to store.
        Known values of the case are masked wherever they appear, even where the
        recognizers alone would miss them (a lower-case repeat of a name); a part
        of a known person's name ("Jonathan", "Mr Whitaker") gets that person's
        placeholder. ``progress``/``should_cancel`` as in :meth:`analyze`; a
        cancelled job leaves ``mapping`` unchanged.
        """
        if not text or not text.strip():
            return MaskResult(text)
        return apply_mask(text, self._mask_detections(text, mapping, progress, should_cancel), mapping)

    def mask_many(
        self,
        texts: list[str],
        mapping: CaseMapping,
        *,
        progress: Progress | None = None,
        should_cancel: ShouldCancel | None = None,
    ) -> list[MaskResult]:
        """Mask several texts (a transcript's turns) as one document with one mapping.

        Detection and linking see all turns together, so "Jonathan" in turn 1 and
        "Jonathan Whitaker" in turn 5 are one person. One result per text, offsets
        into that text. A cancelled job leaves ``mapping`` unchanged.
        """
        starts = []
        pos = 0
        for text in texts:
            starts.append(pos)
            pos += len(text) + len(_TURN_BREAK)
        joined = _TURN_BREAK.join(texts)
        per_text: list[list[Detection]] = [[] for _ in texts]
        if joined.strip():
            for det in self._mask_detections(joined, mapping, progress, should_cancel):
                i = bisect.bisect_right(starts, det.start) - 1
                start = max(det.start, starts[i]) - starts[i]
                end = min(det.end, starts[i] + len(texts[i])) - starts[i]
                if end > start:
                    per_text[i].append(Detection(start, end, det.entity_type, det.score))
        # Full names first across all turns, so an earlier first name joins its person.
        first_rows: list[list[tuple[str, str, str]]] = [[] for _ in texts]
        for text, dets, rows in zip(texts, per_text, first_rows, strict=True):
            assign_full_names(text, dets, mapping, rows)
        results = []
        for text, dets, rows in zip(texts, per_text, first_rows, strict=True):
            result = apply_mask(text, dets, mapping)
            result.new_entries[:0] = rows
            results.append(result)
        return results

    def helper_pids(self) -> list[int]:
        """Process ids of the running helper processes (none until a long text needs them)."""
        return [h.process.pid for h in self._helpers.helpers if h.alive] if self._helpers is not None else []

    def start_helpers(self) -> int:
        """Start the helper processes now and wait until they are ready; how many are (0: none configured).

        Long texts start them on their own; this is for callers that know a long job is coming.
        """
        return self._helpers.start_and_wait() if self._helpers is not None else 0

    def close(self) -> None:
        """Stop the helper processes now (they also stop at exit and after a few idle minutes)."""
        with self._lock:
            if self._helpers is not None:
                self._helpers.close()
                self._helpers = None

    def _mask_detections(
        self, text: str, mapping: CaseMapping, progress: Progress | None, should_cancel: ShouldCancel | None
    ) -> list[Detection]:
        # Detection reads the text as a terminal shows it: an escape sequence, control or
        # zero-width character next to (or inside) a name hides nothing.
        squeezed = Squeezed(text)
        seen = squeezed.text
        found = resolve_overlaps(self._first_stage(seen, progress, should_cancel))
        known = [value for entity_type, value, _ in mapping.known_values() if entity_type == "PERSON"]
        detections = resolve_overlaps(found + known_value_detections(seen, mapping))
        detections = resolve_overlaps(detections + self._linked(seen, detections, known))
        return to_original(squeezed, [d for d in detections if not inside_placeholder(seen, d)])
