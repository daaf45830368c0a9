"""Shapes and neighbours a PERSON guess never has in support text (second stage, no name lists).

Support text in many languages has capitalized words the NER reads as people:
months and weekdays of other languages, the names of teams ("Service Achats"),
steps of file paths, locale tags, acronyms and Japanese sentences. Each check
here is grammar or a closed class of words (``lexicon``), never a list of names,
and each keeps the same word when something addresses a person ("Hi Mai,").
"""

from __future__ import annotations

import regex

from agentconsole.privacy.lexicon import (
    ACCOUNT_CONTEXT,
    CALENDAR_WORDS,
    DEPARTMENT_ENDINGS,
    DEPARTMENT_WORDS,
    FOREIGN_CALENDAR_WORDS,
    FOREIGN_COURTESY_WORDS,
    JAPANESE_DEPARTMENT_STEMS,
    NAME_PARTICLES,
    word_key,
)
from agentconsole.privacy.recognizers.person_context import addressed_as_person

# The word before a guess on its line, with a French/Italian elision ("l'équipe") left off.
_WORD_BEFORE_RE = regex.compile(r"([\p{L}][\p{L}\p{M}'’\-]*)[ \t]+\Z")
_ELISION_RE = regex.compile(r"^(?:l|d|dell|all|dall|nell|sull)['’]", regex.IGNORECASE)
_PATH_SEPARATORS = "/\\"
# A locale or language tag: "fr-CA", "pt_BR", "zh-Hant".
_LOCALE_RE = regex.compile(r"\p{Ll}{2,3}[-_](?:\p{Lu}{2}|\p{Lu}\p{Ll}{3})")
_ACRONYM_RE = regex.compile(r"\p{Lu}{2,6}s?")
_LATIN_RE = regex.compile(r"\p{Latin}")
_CJK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
_HIRAGANA_RE = regex.compile(r"\p{Hiragana}")
# Japanese sentence punctuation and the endings of polite sentences: a sentence, not a name.
_JAPANESE_SENTENCE_RE = regex.compile(r"[。、！？]|(?:です|ます|ません|ください|ました|でしょう)")
_JAPANESE_DEPARTMENT_RE = regex.compile(
    r"(?:" + "|".join(JAPANESE_DEPARTMENT_STEMS) + r")(?:部|課|室|チーム|グループ|センター)"
)


# Articles of other languages that are also name particles ("van der Berg", "Le Pen"): lower case at
# a sentence's opening, they start a noun phrase, not a name.
_ARTICLES = frozenset("der die das den dem des le la les el los las il lo".split())
# A German preposition fused with its article right before a word ("im Flur", "zum Server"), and a
# German article elsewhere on the line (so not the chat spelling of "I'm": "hi im Anna").
_FUSED_ARTICLE_BEFORE_RE = regex.compile(r"(?<![\p{L}'’])(?:im|zum|zur|vom|beim)[ \t]+\Z")
_GERMAN_ARTICLE_RE = regex.compile(r"(?<![\p{L}])(?:der|die|das|dem|den)(?![\p{L}])", regex.IGNORECASE)
# The word after a guess, then the end of its phrase: "Cu stimă,", "Xin chào!", "… hälsningar\n".
_PHRASE_END_WORD_RE = regex.compile(r"[ \t]+([\p{L}][\p{L}\p{M}]*)[ \t]*(?:[,.!]|\r?\n|\Z)")
_SENTENCE_OPENING_RE = regex.compile(r"(?m)(?:^[ \t]*(?:[-*•>][ \t]*)?|[.!?:][ \t]+)\Z")


# A number next to the word ("12 juli", "Dezember 2024") or a preposition of time of another
# language before it ("im Dezember", "le mercredi", "в четверг").
_DATE_NUMBER_RE = regex.compile(r"\d[ \t.]*\Z")
_DATE_NUMBER_AFTER_RE = regex.compile(r"[ \t,]*\d")
_TIME_PREPOSITION_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}])(?:im|am|ab|bis|seit|vom|zum|nächsten|letzten|le|ce|en|el|del|desde|hasta|il|dal|entro|"
    r"op|tot|sinds|w|we|od|do|от|до|в|во|с|em|no|na|até)[ \t]+\Z",
    regex.IGNORECASE,
)
# A label an identifier's value follows: "code", "ID:", "ref", "account", "voucher".
_ID_LABEL_BEFORE_RE = regex.compile(
    r"(?<![\p{L}])(?:" + ACCOUNT_CONTEXT + r"|code|id|no|nr|number|voucher|coupon|pin|key)[ \t.:#-]*\Z",
    regex.IGNORECASE,
)
_VOWELS = frozenset("AEIOUYÀÁÂÄÅÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜÝАЕЁИОУЫЭЮЯ")
_EXPANSION_AFTER_RE = regex.compile(r"[ \t]*\([ \t]*\p{Ll}")
_ACRONYM_LIST_RE = regex.compile(r"\p{Lu}{2,6}(?:[ \t]*(?:,|and|or|&)[ \t]*\p{Lu}{2,6}){2,}")


def _used_as_date(text: str, start: int, end: int, keys: list[str]) -> bool:
    """A number or a preposition of time beside it, or another month or weekday of another language on its line.

    "Julio called" is a person; "im Dezember", "12 juli", "Januar, Februar … Juli" are dates.
    """
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 20) : start]
    if _DATE_NUMBER_RE.search(before) or _DATE_NUMBER_AFTER_RE.match(text, end):
        return True
    if _TIME_PREPOSITION_BEFORE_RE.search(before):
        return True
    line_end = text.find("\n", end)
    line = text[line_start:start] + " " + text[end : len(text) if line_end == -1 else line_end]
    others = {word_key(w) for w in regex.findall(r"\p{L}+", line)}
    return any(k in FOREIGN_CALENDAR_WORDS for k in others - set(keys))  # "Januar, Februar … but Juli"


def _acronym_shaped(text: str, value: str, end: int) -> bool:
    """An all-capitals word that reads as an acronym, not a name in capitals ("OKAFOR", "ANNA").

    No vowel ("MTTR"), a lower-case expansion in brackets after it ("SLA (service level
    agreement)"), or one of a list of three or more ("NOC, SOC, RCA"); in a text that uses lower case.
    """
    if not any(ch.islower() for ch in text):
        return False
    if _ID_LABEL_BEFORE_RE.search(text, max(0, end - len(value) - 30), end - len(value)):
        return False  # "Loyalty code KLMNP": an id's value; masked is the safe side
    if not any(ch in _VOWELS for ch in value):
        return True
    if _EXPANSION_AFTER_RE.match(text, end):
        return True
    return any(value in m.group() for m in _ACRONYM_LIST_RE.finditer(text))


def _in_path(text: str, start: int, end: int) -> bool:
    """A step of a file path or URL: a separator touches the word and its token has two or more.

    One slash is not a path: "Passenger: Thibault/Étienne" is a surname and a given name.
    """
    if text[start - 1 : start] not in _PATH_SEPARATORS and text[end : end + 1] not in _PATH_SEPARATORS:
        return False
    token_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    token_end = min((i for i in (text.find(" ", end), text.find("\n", end)) if i != -1), default=len(text))
    token = text[token_start:token_end]
    return sum(token.count(sep) for sep in _PATH_SEPARATORS) >= 2


def _department_key(word: str) -> str:
    return word_key(_ELISION_RE.sub("", word))


def not_a_name_here(text: str, start: int, end: int, keys: list[str]) -> bool:
    """Shapes and neighbours that a PERSON guess (after trimming) never has in support text.

    A month or weekday of another language with nothing that addresses a person
    ("Mittwoch", "Juli", but "Hi Mai,"); the name of a unit next to a word for
    one ("Service Achats", "equipe Financeira", "Departamento de Sistemas",
    "L'équipe Infrastructure"); a step of a file path ("…/Acme/Cache/index.db");
    a locale tag ("fr-CA"); the first word of a greeting or closing of two words in another language
    ("Cu stimă,", "Xin chào!"); a German noun after a preposition fused with its article
    ("der Drucker im Flur"); an acronym with nothing that addresses a person
    ("MTTR"); a Japanese sentence or department ("…お願いします", "経理部").
    """
    value = text[start:end]
    if (
        all(k in FOREIGN_CALENDAR_WORDS or k in CALENDAR_WORDS for k in keys)
        and _used_as_date(text, start, end, keys)
        and not addressed_as_person(text, start, end)
    ):
        return True
    parts = value.split()
    first = _department_key(parts[0])
    if first in DEPARTMENT_WORDS or (len(parts) > 1 and word_key(parts[-1]) in DEPARTMENT_WORDS):
        return True  # "Departamento de Sistemas", "Muhasebe Departmanı"
    if any(word_key(w).endswith(DEPARTMENT_ENDINGS) for w in parts):
        return True
    if all(k in NAME_PARTICLES for k in keys) and value.islower():
        return True  # "de": a particle alone
    if first in _ARTICLES and parts[0].islower() and _SENTENCE_OPENING_RE.search(text, 0, start):
        return True  # "der Drucker", "le VPN" opening a sentence: an article and a noun
    line_start = text.rfind("\n", 0, start) + 1
    before = _WORD_BEFORE_RE.search(text, line_start, start)
    if before is not None and _department_key(before.group(1)) in DEPARTMENT_WORDS and len(keys) <= 2:
        return True
    if len(keys) == 1 and _SENTENCE_OPENING_RE.search(text, 0, start):
        following = _PHRASE_END_WORD_RE.match(text, end)
        if (
            following is not None
            and {word_key(following.group(1)), following.group(1).lower()} & FOREIGN_COURTESY_WORDS
        ):
            return True  # "Cu stimă,", "Xin chào!": the first word of a greeting or closing
    if len(keys) == 1 and _FUSED_ARTICLE_BEFORE_RE.search(text, line_start, start):
        line_end = text.find("\n", end)
        if _GERMAN_ARTICLE_RE.search(text[line_start : len(text) if line_end == -1 else line_end]):
            return True  # "der Drucker im Flur druckt nicht": a German noun after "im", "zum", "beim"
    if _in_path(text, start, end):
        return True
    if _LOCALE_RE.fullmatch(value):
        return True
    if (
        len(keys) == 1
        and _ACRONYM_RE.fullmatch(value)
        and _acronym_shaped(text, value, end)
        and not addressed_as_person(text, start, end)
    ):
        return True
    if _CJK_RE.search(value) and not _LATIN_RE.search(value):
        if _JAPANESE_SENTENCE_RE.search(value) or _JAPANESE_DEPARTMENT_RE.search(value):
            return True
        if len(_HIRAGANA_RE.findall(value)) >= 4:
            return True  # particles and verb endings: a phrase, not a name
    return False
