"""Search terms: words to stems, stop words and placeholders dropped.

The same function turns an article's text into index terms and a customer's
message into query terms, so both sides always agree. Stems come from the
Snowball English stemmer ("refunds", "refunded" -> "refund").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# Placeholders such as <PERSON_1> carry no meaning for retrieval (and must never be searched for).
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>|\[[A-Z][A-Z_]*\]")

#: English function words, support-chat filler and light verbs ("how does that work", "it shows E5",
#: "can I use two codes"): they match everything and mean nothing.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any anyone anything are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each either else even ever every few for from further get gets getting got had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how how's however i i'd
    i'll i'm i've if in into is isn't it it's its itself just let let's like may me might mine more most much
    must mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out over own
    please quite rather really same shall shan't she she'd she'll she's should shouldn't so some somebody someone
    something still such than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those though through thus to too under until up upon us very via was wasn't we
    we'd we'll we're we've were weren't what what's whatever when when's where where's whether which while who
    who's whom why why's will with within without won't would wouldn't yes yet you you'd you'll you're you've
    your yours yourself yourselves
    hi hello hey dear thanks thank thx cheers regards kind best wishes ok okay oh um uh hmm lol
    wondering wonder wanted want wants know knew tell told asking ask asked question questions quick
    help helping hope hoping maybe possibly basically actually literally anyway sorry bother guys team
    whats doesnt dont cant wont im ive isnt didnt thats theres youre wasnt arent couldnt wouldnt shouldnt
    today tomorrow yesterday ago morning evening tonight since already always never often sometimes usually
    normally typically generally
    nothing anything everything anywhere somewhere everywhere thing things stuff lot lots bit
    say says said saying mean means meant possible possibly many several came come comes coming go goes going went
    ones well
    st nd rd th etc
    use uses used using take takes took taken taking make makes made making show shows showed shown showing
    see sees seen seeing saw work works worked working need needs needed needing try tries tried trying
    put puts putting find finds found finding give gives gave given giving
    """.split()
)

_stemmer_lock = threading.Lock()
_STEMMER = snowballstemmer.stemmer("english")


def fold(word: str) -> str:
    """Lower case without diacritics and with straight apostrophes (what the index compares)."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a folded word (cached; the stemmer is not thread-safe)."""
    with _stemmer_lock:
        return str(_STEMMER.stemWord(word))


_HYPHENATED = re.compile(r"\b([^\W\d_]+)-([^\W\d_]+)\b")
_DIGITS_LETTERS = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def words(text: str) -> list[str]:
    """The folded words of ``text``, placeholders removed (stop words kept).

    Digits and letters are split ("5ghz" -> "5", "ghz"); a hyphenated word also
    counts joined ("Wi-Fi" -> "wi", "fi", "wifi"), so both spellings meet.
    """
    text = _PLACEHOLDER.sub(" ", text)
    text = _HYPHENATED.sub(lambda m: f"{m.group(0)} {m.group(1)}{m.group(2)}", text)
    return [fold(w) for m in _WORD.finditer(text) for w in _DIGITS_LETTERS.split(m.group()) if w]


def is_content_word(word: str) -> bool:
    """A folded word that can carry meaning for search (not a stop word, not a lone letter or digit)."""
    if word in STOP_WORDS or len(word) < 2:
        return False
    return not (word.endswith("'s") and word[:-2] in STOP_WORDS)


def content_words(text: str) -> list[str]:
    """The folded content words of ``text`` in order (duplicates kept)."""
    return [w.removesuffix("'s") for w in words(text) if is_content_word(w)]


def content_stems(text: str) -> list[str]:
    """The stems of the content words of ``text`` in order (duplicates kept)."""
    return [stem(w) for w in content_words(text)]


def word_stems(text: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """The stems of every word of ``text`` but those in ``skip``, stop words included (a possessive's "'s" dropped)."""
    return [stem(w.removesuffix("'s")) for w in words(text) if w not in skip]


def index_terms(text: str) -> str:
    """``text`` as the space-separated stems the full-text index stores."""
    return " ".join(content_stems(text))
