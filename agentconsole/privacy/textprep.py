"""What the detectors read: the text made digestible, with every offset unchanged.

Used at inference *and* by ``scripts/train_pii_model.py``, so the model is
trained on exactly what it will see. Standard library only (the training script
loads this file directly, without the package's dependencies).
"""

from __future__ import annotations

import re

# Texts whose letters are mostly capitals are re-cased for NER only (same length).
SHOUTING_RATIO = 0.7
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Invisible format characters (bidi overrides, zero-width spaces) hide words from the tokenizer.
_FORMAT_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LONG_RUN_RE = re.compile(r"\S{64,}")
#: A literal backslash-n (pasted JSON/log text): a line break for the detectors.
_LITERAL_BREAK_RE = re.compile(r"\\r\\n|\\n|\\r")


def literal_breaks_to_newlines(text: str) -> str:
    """``Street\\nLondon`` -> ``Street \\nLondon`` (two characters stay two: offsets unchanged)."""
    if "\\" not in text:
        return text
    return _LITERAL_BREAK_RE.sub(lambda m: " " * (len(m.group()) - 1) + "\n", text)


def recase_shouting(text: str) -> str:
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


def is_shouting(text: str) -> bool:
    """Mostly capitals: spaCy's NER only knows names by their capitals."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(ch.isupper() for ch in letters)
    return upper / len(letters) >= SHOUTING_RATIO


def detection_text(text: str) -> str:
    """Same length and offsets as ``text``, but digestible for the NER and patterns.

    Lone surrogates (broken pastes) become U+FFFD, invisible format characters
    (bidi overrides, zero-width spaces) become spaces, runs of 64+ non-space
    characters become "xxx..." (spaCy's affix splitting is slow on them and no
    name hides in one), literal ``\\n`` become line breaks, shouted text is re-cased.
    """
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = _FORMAT_RE.sub(" ", text)
    text = _LONG_RUN_RE.sub(lambda m: "x" * len(m.group()) if "\\n" not in m.group() else m.group(), text)
    text = literal_breaks_to_newlines(text)
    text = _LONG_RUN_RE.sub(lambda m: "x" * len(m.group()), text)
    return recase_shouting(text) if is_shouting(text) else text
