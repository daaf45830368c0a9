"""People's names in scripts other than Latin, from the words around them (no name lists).

The NER was trained on English templates: inside a sentence of Russian, Greek,
Arabic, Hebrew, Hindi, Korean, Chinese or Japanese it misses names after a
greeting ("Здравствуйте, Арина!"), takes the cue along ("Меня зовут Арина
Соколова") or masks a whole phrase ("私は山田太郎です…", "ऑर्डर भेज दिया गया है").
Here, per script, the grammar that announces a name: greetings, introductions
("меня зовут", "我叫", "私は…です", "저는…입니다", "मेरा नाम…है"), honorifics
before or after it ("господин", "κυρία", "さん", "様", "先生", "님", "जी"),
sign-offs and form fields. Two uses:

* :class:`ScriptNameRecognizer` reports the name after (or before) a cue, and
  only the name: a run of Han or kana without spaces is cut at the cue;
* :func:`refine_other_scripts` tidies the NER's guesses in text written in such
  a script: cue words are cut off a cased script's guess (Cyrillic, Greek);
  in a script without capitals a guess stands only where a cue confirms a name,
  and an "address" with no digit is dropped. A guess inside English text
  ("Dear शान्ती,") is left as the model made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import regex

from agentconsole.privacy.lexicon import DEPARTMENT_WORDS, NOT_NAME_WORDS, word_key
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.east_asian_names import cjk_names, korean_names, signoff_names

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult
    from spacy.tokens import Doc

PERSON = "PERSON"
STREET_ADDRESS = "STREET_ADDRESS"

_OTHER_LETTER_RE = regex.compile(r"[[\p{L}]--[\p{Latin}]]", regex.V1)
_LATIN_LETTER_RE = regex.compile(r"\p{Latin}")
_HANGUL_RE = regex.compile(r"\p{Hangul}")
_HAN_KANA_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
_SPACES_RE = regex.compile(r"[ \t]*")
_BREAK = r"(?:[ \t]*(?:[,.!?;:。、，！？：；،؛؟।]|\r?\n|\Z))"

# --- cased scripts: Cyrillic and Greek --------------------------------------------------

_CASED_WORD = r"[[\p{Lu}]&&[\p{Cyrillic}\p{Greek}]][[\p{Ll}\p{M}]&&[\p{Cyrillic}\p{Greek}\p{Inherited}]]+"
_CASED_NAME = _CASED_WORD + r"(?:-" + _CASED_WORD + r")?"
# Greetings, introductions, honorifics, form fields (ru, uk, el): a capitalized word after one is addressed.
_CASED_BEFORE = [
    r"здравствуйте",
    r"здравствуй",
    r"привет",
    r"добрый\s+(?:день|вечер)",
    r"доброе\s+утро",
    r"доброго\s+(?:дня|утра|вечора|ранку)",
    r"уважаем(?:ый|ая)",
    r"дорог(?:ой|ая)",
    r"господин",
    r"госпожа",
    r"меня\s+зовут",
    r"мо[её]\s+имя",
    r"это",
    r"я",
    r"вітаю",
    r"привіт",
    r"добрий\s+день",
    r"шановн(?:ий|а)",
    r"пане",
    r"пані",
    r"мене\s+звати",
    r"γει[άα]\s+σ(?:ας|ου)",
    r"καλημέρα",
    r"καλησπέρα",
    r"χαίρετε",
    r"αγαπητ(?:έ|ή)",
    r"κύριε",
    r"κυρία",
    r"ονομάζομαι",
    r"λέγομαι",
    r"με\s+λένε",
    r"είμαι",
]
_CASED_SIGNOFF = [
    r"с\s+уважением",
    r"с\s+наилучшими\s+пожеланиями",
    r"всего\s+доброго",
    r"спасибо",
    r"благодарю",
    r"з\s+повагою",
    r"дякую",
    r"με\s+εκτίμηση",
    r"με\s+φιλικούς\s+χαιρετισμούς",
    r"φιλικά",
    r"ευχαριστώ",
]
_CASED_FIELD = [
    r"имя",
    r"фио",
    r"клиент",
    r"контактное\s+лицо",
    r"отправитель",
    r"получатель",
    r"фамилия",
    r"ім['’]я",
    r"клієнт",
    r"όνομα",
    r"ονοματεπώνυμο",
    r"πελάτης",
]
_CASED_CUE_RE = regex.compile(
    r"(?<![\p{L}\p{M}])(?i:(?P<before>"
    + "|".join(_CASED_BEFORE)
    + r")|(?P<signoff>"
    + "|".join(_CASED_SIGNOFF)
    + r")|(?P<field>"
    + "|".join(_CASED_FIELD)
    + r")[ \t]*:)(?![\p{L}\p{M}])",
    regex.V1,
)
_CASED_GAP = {
    "before": regex.compile(r"[ \t]*[,:\-–،]?[ \t]*"),
    "signoff": regex.compile(r"[ \t]*[,.!،，。]?[ \t]*(?:\r?\n[ \t]*)?"),
    "field": regex.compile(r"[ \t]*"),
}
_CASED_NAME_RE = regex.compile(_CASED_NAME + r"(?:[ \t]+" + _CASED_NAME + r"){0,2}", regex.V1)
_CASED_WORD_RE = regex.compile(_CASED_NAME, regex.V1)
# Capitalized in a polite letter, never a name: "Спасибо Вам!", "Уважаемый Клиент", "Σας ευχαριστούμε".
_CASED_NOT_NAMES = frozenset(
    "вы вас вам вами ваш ваша ваше ваши вашего вашей клиент клиентка клиенты коллега коллеги друзья все всем "
    "покупатель пользователь абонент партнёр партнер ви ваш клієнт колеги σας σου εσείς πελάτη πελάτες".split()
)
_LINE_END_RE = regex.compile(r"[ \t]*[,.!]?[ \t]*(?:\r?\n|\Z)")


def _cased_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    for cue in _CASED_CUE_RE.finditer(text):
        kind = cue.lastgroup or "before"
        gap = _CASED_GAP[kind].match(text, cue.end())
        pos = gap.end() if gap else cue.end()
        match = _CASED_NAME_RE.match(text, pos)
        if match is None or (match.end() < len(text) and text[match.end()].isalnum()):
            continue
        words = list(_CASED_WORD_RE.finditer(text, match.start(), match.end()))
        kept = []
        for word in words:
            key = word_key(word.group())
            if key in NOT_NAME_WORDS or key in DEPARTMENT_WORDS or key in _CASED_NOT_NAMES:
                break
            if _CASED_CUE_RE.fullmatch(word.group()):
                break
            kept.append(word)
        if not kept:
            continue
        end = kept[-1].end()
        if kind == "signoff" and not _LINE_END_RE.match(text, end):
            continue  # "Спасибо Москва за…": a closing is followed by the name alone on its line
        yield cue.start(), cue.end(), match.start(), end


# --- scripts without capitals: Arabic, Hebrew, Devanagari ---------------------------------

_ARABIC_WORD = r"[[\p{Arabic}]&&[\p{L}\p{M}]]+"
_HEBREW_WORD = r"[[\p{Hebrew}]&&[\p{L}\p{M}]]+(?:[\"'׳״][[\p{Hebrew}]&&[\p{L}]]+)?"
_DEVANAGARI_WORD = r"[[\p{Devanagari}]&&[\p{L}\p{M}]]+"
# Per script: the cues before a name, the cues right after one, words that end or cannot be a name.
_UNCASED = {
    "arabic": (
        _ARABIC_WORD,
        [
            r"مرحب[اًا]+",
            r"أهل[اًا]+",
            r"اهلا",
            r"السلام\s+عليكم",
            r"صباح\s+الخير",
            r"مساء\s+الخير",
            r"عزيز(?:ي|تي)",
            r"الأستاذة?",
            r"الاستاذة?",
            r"السيدة?",
            r"الدكتورة?",
            r"اسمي",
            r"أنا",
            r"سلام",
        ],
        [r"مع\s+تحياتي", r"مع\s+خالص\s+التحية", r"تحياتي", r"شكرا(?:\s+لكم)?", r"شكراً"],
        [r"الاسم", r"اسم\s+العميل", r"العميل", r"الاسم\s+الكامل"],
        frozenset(
            "في من على عن إلى الى لا لم لن قد هل تم ما هو هي هذا هذه بك بكم لك لكم جزيلا جزيلاً جميعا جميعاً "
            "مقدما العملاء فريق الدعم خدمة و كيف ماذا متى أين لماذا نحن أنت يمكنني".split()
        ),
        "و",
    ),
    "hebrew": (
        _HEBREW_WORD,
        [r"שלום", r"היי", r"הי", r"בוקר\s+טוב", r"ערב\s+טוב", r"לכבוד", r"קוראים\s+לי", r"שמי", r"מר", r"גברת"],
        [r"בברכה", r"תודה(?:\s+רבה)?", r"בתודה"],
        [r"שם", r"שם\s+מלא", r"לקוח", r"איש\s+קשר"],
        frozenset("לא של את עם על אל זה זו רב רבה לכולם לך לכם וברכה צוות הצוות איך מה מתי למה איפה".split()),
        "ו",
    ),
    "devanagari": (
        _DEVANAGARI_WORD,
        [
            r"नमस्ते",
            r"नमस्कार",
            r"प्रिय",
            r"आदरणीय",
            r"श्रीमती",
            r"श्री",
            r"सुश्री",
            r"मेरा\s+नाम",
            r"मैं",
        ],
        [r"धन्यवाद", r"सधन्यवाद", r"भवदीय", r"भवदीया", r"शुभकामनाएँ"],
        [r"नाम", r"ग्राहक", r"ग्राहक\s+का\s+नाम"],
        frozenset("का की के को में से ने और है हैं था थी आप आपका आपकी आपके मेरा मेरी मेरे हम यह वह कृपया जी".split()),
        "",
    ),
}
_MAX_UNCASED_WORDS = 3
# Words for a team or a service: a line with one signs for a group, not a person ("فريق الدعم", "सहायता टीम").
_TEAM_WORDS = frozenset("فريق الدعم خدمة قسم إدارة צוות מחלקת התמיכה שירות टीम विभाग सहायता सेवा केंद्र समूह".split())


def _uncased_cue_res() -> dict[str, tuple[regex.Pattern[str], regex.Pattern[str], frozenset[str], str]]:
    compiled = {}
    for script, (word, before, signoff, field, stop, conj) in _UNCASED.items():
        cue = regex.compile(
            r"(?<![\p{L}\p{M}])(?:(?P<before>"
            + "|".join(before)
            + r")|(?P<signoff>"
            + "|".join(signoff)
            + r")|(?P<field>"
            + "|".join(field)
            + r")[ \t]*:)(?![\p{L}\p{M}])",
            regex.V1,
        )
        compiled[script] = (cue, regex.compile(word, regex.V1), stop, conj)
    return compiled


_UNCASED_RES = _uncased_cue_res()
# A name's end in a script without capitals: punctuation, a line end, or a word that follows a name
# ("है" after "मेरा नाम …", the honorific "जी").
_UNCASED_END_RE = regex.compile(_BREAK + r"|[ \t]+(?:है|हूँ|हूं|जी|बोल)(?![\p{L}\p{M}])", regex.V1)


def _uncased_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    for cue_re, word_re, stop, conj in _UNCASED_RES.values():
        for cue in cue_re.finditer(text):
            kind = cue.lastgroup or "before"
            gap = _CASED_GAP[kind].match(text, cue.end())
            cursor = gap.end() if gap else cue.end()
            words: list[tuple[int, int]] = []
            while len(words) < _MAX_UNCASED_WORDS + 1:
                match = word_re.match(text, cursor)
                if match is None:
                    break
                word = match.group()
                if word in stop or (words and conj and word.startswith(conj) and len(word) > 2):
                    break
                words.append(match.span())
                cursor = _SPACES_RE.match(text, match.end()).end()
                if cursor == match.end():
                    break
            if any(text[w_s:w_e] in _TEAM_WORDS for w_s, w_e in words):
                continue
            if not words or len(words) > _MAX_UNCASED_WORDS:
                continue  # nothing, or a whole phrase after a greeting ("مرحبا بك في خدمة العملاء")
            end = words[-1][1]
            following = word_re.match(text, _SPACES_RE.match(text, end).end())
            ended = _UNCASED_END_RE.match(text, end) or (
                following is not None and (following.group() in stop or (conj and following.group().startswith(conj)))
            )
            gap_text = text[cue.end() : words[0][0]]
            if kind == "signoff" and (not _LINE_END_RE.match(text, end) or not regex.search(r"[\n,،]", gap_text)):
                continue  # "شكرا لتواصلك معنا": thanks for something, not a signature
            if regex.search(r"[,،]", gap_text) and not _UNCASED_END_RE.match(text, end):
                continue  # "שלום, החשבונית לא…": after "Hello," a name is followed by punctuation
            if kind != "field" and not ended:
                continue  # the name's end is unclear: no punctuation, line end or function word after it
            yield cue.start(), cue.end(), words[0][0], end


# --- the public part ----------------------------------------------------------------------


def cue_names(text: str) -> list[tuple[int, int, int, int]]:
    """(cue_start, cue_end, name_start, name_end) for each name a cue announces in a non-Latin script."""
    if not _OTHER_LETTER_RE.search(text):
        return []
    found: list[tuple[int, int, int, int]] = []
    found.extend(_cased_names(text))
    found.extend(_uncased_names(text))
    hangul = _HANGUL_RE.search(text) is not None
    han_kana = _HAN_KANA_RE.search(text) is not None
    if hangul:
        found.extend(korean_names(text))
    if han_kana:
        found.extend(cjk_names(text))
    if hangul or han_kana:
        found.extend(signoff_names(text))
    return [f for f in found if f[3] > f[2] and not _LATIN_LETTER_RE.search(text, f[2], f[3])]


class ScriptNameRecognizer(SupportRecognizer):
    """Names in non-Latin scripts after a greeting, introduction, honorific, sign-off or form field.

    Runs beside the NER (with a spaCy doc) only: on streamed partial text a name
    may still be arriving.
    """

    ENTITIES = (PERSON,)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if doc is None:
            return []
        return [self._result(PERSON, s, e, 0.8) for _, _, s, e in cue_names(text)]


_WINDOW = 40
_CASED_SCRIPT_RE = regex.compile(r"[\p{Cyrillic}\p{Greek}]")
_SENTENCE_CUT_RE = regex.compile(r"[,.!?;:。、，！？：；،؛؟।\n]+")


_SCRIPT_RES = [
    regex.compile(p) for p in (r"\p{Cyrillic}", r"\p{Greek}", r"\p{Arabic}", r"\p{Hebrew}", r"\p{Devanagari}")
] + [_HANGUL_RE, _HAN_KANA_RE]


def _written_in_other_script(text: str, start: int, end: int) -> bool:
    """The guess and the words around it are mostly letters of a script other than Latin."""
    inside = text[start:end]
    if _LATIN_LETTER_RE.search(inside) or not _OTHER_LETTER_RE.search(inside):
        return False
    around = text[max(0, start - _WINDOW) : start] + " " + text[end : end + _WINDOW]
    script = next((r for r in _SCRIPT_RES if r.search(inside)), _OTHER_LETTER_RE)
    other = len(script.findall(around))  # the guess's own script: "علی: Валерий …" is not Persian text
    latin = len(_LATIN_LETTER_RE.findall(around))
    return other > latin or latin == 0  # nothing around: the guess is the whole message


def refine_other_scripts(text: str, guesses: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The NER's (start, end, label) guesses with those in non-Latin text checked against the cues.

    In text written in such a script: a cased guess (Cyrillic, Greek) loses its cue
    words and is cut at punctuation, keeping capitalized parts; an uncased guess
    (Arabic, Hebrew, Devanagari, Hangul, Han, kana) becomes the cue-announced names
    inside it, or nothing; an "address" with no digit is dropped.
    """
    guesses = list(guesses)
    if not guesses or not _OTHER_LETTER_RE.search(text):
        return guesses
    names = cue_names(text)
    cue_chars = {i for c_start, c_end, _, _ in names for i in range(c_start, c_end)}
    cue_chars |= {i for m in _CASED_CUE_RE.finditer(text) for i in range(m.start(), m.end())}
    refined: list[tuple[int, int, str]] = []
    for start, end, label in guesses:
        if not _written_in_other_script(text, start, end):
            refined.append((start, end, label))
            continue
        if label == STREET_ADDRESS:
            if any(ch.isdigit() for ch in text[start:end]):
                refined.append((start, end, label))
            continue  # a phrase the model read as an address: no house number, no postcode
        if label != PERSON:
            refined.append((start, end, label))
            continue
        if _CASED_SCRIPT_RE.search(text, start, end):
            refined.extend((s, e, label) for s, e in _cased_parts(text, start, end, cue_chars, names))
        else:
            refined.extend((s, e, label) for _, _, s, e in names if s < end and start < e)
    return refined


def _cased_parts(
    text: str, start: int, end: int, cue_chars: set[int], names: list[tuple[int, int, int, int]]
) -> list[tuple[int, int]]:
    """A Cyrillic or Greek guess without its cue words, cut at punctuation, capitalized words only."""
    parts = []
    piece_start = None
    for i in range(start, end + 1):
        cut = i == end or i in cue_chars or _SENTENCE_CUT_RE.match(text[i])
        if not cut and piece_start is None:
            piece_start = i
        elif cut and piece_start is not None:
            parts.append((piece_start, i))
            piece_start = None
    kept = []
    for p_start, p_end in parts:
        words = list(regex.finditer(r"\S+", text[p_start:p_end]))
        capitalized = [w for w in words if w.group()[:1].isupper() and word_key(w.group()) not in _CASED_NOT_NAMES]
        if not capitalized:
            continue
        s = p_start + capitalized[0].start()
        e = p_start + capitalized[-1].end()
        announced = any(n_s < e and s < n_e for _, _, n_s, n_e in names)
        opens_sentence = regex.search(r"(?m)(?:^|[.!?…][ \t]*)\Z", text[:s]) is not None and s != start
        if len(capitalized) == 1 and opens_sentence and not announced:
            continue  # "Даша! Посмотри": a sentence's first word, not a second name
        kept.append((s, e))
    return kept
