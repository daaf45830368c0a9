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

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult
    from spacy.tokens import Doc

PERSON = "PERSON"
STREET_ADDRESS = "STREET_ADDRESS"

_OTHER_LETTER_RE = regex.compile(r"[[\p{L}]--[\p{Latin}]]", regex.V1)
_LATIN_LETTER_RE = regex.compile(r"\p{Latin}")
_KANA_RE = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
_HAN_RE = regex.compile(r"\p{Han}")
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
                space = regex.match(r"[ \t]+", text[match.end() :])
                if space is None:
                    break
                cursor = match.end() + space.end()
            if any(text[w_s:w_e] in _TEAM_WORDS for w_s, w_e in words):
                continue
            if not words or len(words) > _MAX_UNCASED_WORDS:
                continue  # nothing, or a whole phrase after a greeting ("مرحبا بك في خدمة العملاء")
            end = words[-1][1]
            following = word_re.match(text, regex.match(r"[ \t]*", text[end:]).end() + end)
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


# --- Korean -------------------------------------------------------------------------------

# Korean names are one word of 2-4 syllables; particles and the copula attach to it ("김서연입니다").
_HANGUL_NAME = r"\p{Hangul}{2,4}?"
_KOREAN_SUFFIX = r"(?:입니다|이에요|예요|이고|이며|이라고|라고|이야)"
_KOREAN_NOT_NAMES = frozenset(
    "고객 회원 선생 사장 부장 팀장 과장 대리 기사 담당자 관리자 여러분 신규 기존 모든 우리 저희 해당 전체 일반 "
    "사용자 교수 원장 실장 상담원 학생 직원 본인".split()
)
_KOREAN_RES = [
    # "저는 김서연입니다", "제 이름은 박지훈이고"
    regex.compile(
        r"(?<!\p{Hangul})(?P<cue>저는|제[ \t]+이름은|이름은)[ \t]+(?P<name>" + _HANGUL_NAME + r")" + _KOREAN_SUFFIX
    ),
    # "민준 님", "이수진 고객님", "윤도현님", "최영호 드림"
    regex.compile(
        r"(?<!\p{Hangul})(?P<name>"
        + _HANGUL_NAME
        + r")(?P<cue>[ \t]?(?:님|씨|고객님|선생님|귀하)|[ \t]드림)(?!\p{Hangul})"
    ),
    # "이름: 정하늘", "담당자: 서은비"
    regex.compile(
        r"(?<!\p{Hangul})(?P<cue>이름|성명|담당자|고객명|받는[ \t]+사람|보내는[ \t]+사람)[ \t]*:[ \t]*(?P<name>\p{Hangul}{2,4})(?=[ \t]*(?:\r?\n|\Z))"
    ),
]
_KOREAN_ADNOMINAL_RE = regex.compile(r"(?:하|되|시|주|드리|있|없|계|받)[신는던실은린]$")


def _korean_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    for pattern in _KOREAN_RES:
        for match in pattern.finditer(text):
            name = match.group("name")
            if name in _KOREAN_NOT_NAMES or _KOREAN_ADNOMINAL_RE.search(name):
                continue  # "고객님", "주문하신 고객님": a role or a verb form, not a name
            yield (*match.span("cue"), *match.span("name"))


# --- Chinese and Japanese -----------------------------------------------------------------

# Characters that are grammar or a role in Chinese, never part of a name after "我是"/"我叫" or before "先生".
_CHINESE_FUNCTION_CHARS = frozenset(
    "了的是不在有过着们这那什么怎吗呢吧要会能想去来到给把被我你他她它您请已也都就还没和与及或从对向第次个位些"
    "啊哦嗯很太最更又再才刚该让用买卖付收发问说号码员者家户客商师长部司店厂局处科组室各叫找"
)
_CJK_NOT_NAMES = frozenset(
    "用户 客户 顾客 会员 买家 卖家 员工 同事 朋友 学生 本人 新手 管理员 皆 客 担当 担当者 各位 御社 貴社 利用者 会員 "
    "管理者 社員 業者 先方 学生 初心者 顧客 家族 代理人 者 以上 再见 再見 敬上 敬具 草々 谢谢 謝謝".split()
)
_NAME_RUN = r"(?:\p{Han}{1,5}|[\p{Katakana}ー・]{2,12})"
_JAPANESE_RES = [
    # "私は山田太郎です", "担当の中村です", "高橋健一と申します"
    regex.compile(
        r"(?P<cue>私は|わたしは|僕は|担当の|担当は|担当者の|こちらは)(?P<name>"
        + _NAME_RUN
        + r")(?=です|でございます|と申します)"
    ),
    regex.compile(r"(?<![\p{Han}\p{Katakana}ー・おご])(?P<name>" + _NAME_RUN + r")(?P<cue>と申します|と言います)"),
    # "鈴木さん", "佐藤花子様", "山田先生"
    regex.compile(
        r"(?<![\p{Han}\p{Katakana}ー・おご])(?P<name>" + _NAME_RUN + r")(?P<cue>さん|様|さま|殿|先生|くん|ちゃん)"
    ),
    # "氏名：伊藤美咲", "担当：森田悠真"
    regex.compile(
        r"(?P<cue>氏名|お名前|名前|担当者|担当|差出人)[ \t]*[:：][ \t]*(?P<name>\p{Han}{2,5}|[\p{Katakana}ー]+・[\p{Katakana}ー・]+)(?=[ \t]*(?:\r?\n|\Z))"
    ),
]
_CHINESE_BEFORE_RE = regex.compile(r"(?P<cue>我叫|我的名字是|我的名字叫|我是|尊敬的|亲爱的)(?P<name>\p{Han}{1,4})")
_CHINESE_AFTER_RE = regex.compile(r"(?P<name>\p{Han}{1,3})(?P<cue>先生|女士|小姐|老师|经理)")
_CHINESE_FIELD_RE = regex.compile(
    r"(?P<cue>姓名|名字|联系人|收件人|客户|负责人|申请人|经办人)[ \t]*[:：][ \t]*(?P<name>\p{Han}{2,4})(?=[ \t]*(?:\r?\n|\Z))"
)
_CJK_END_RE = regex.compile(r"(?:[，。！？、：；,.!?:;\s]|\Z|先生|女士|小姐)")


def _chinese_name(name: str, from_start: bool) -> str:
    """The part of a Han run that can be a name: up to the first function character (or back to the last)."""
    chars = list(name) if from_start else list(reversed(name))
    kept = []
    for ch in chars:
        if ch in _CHINESE_FUNCTION_CHARS:
            break
        kept.append(ch)
    return "".join(kept) if from_start else "".join(reversed(kept))


def _cjk_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    japanese = bool(_KANA_RE.search(text))
    if japanese:
        for pattern in _JAPANESE_RES:
            for match in pattern.finditer(text):
                if match.group("name") not in _CJK_NOT_NAMES:
                    yield (*match.span("cue"), *match.span("name"))
        return
    for match in _CHINESE_BEFORE_RE.finditer(text):
        name = _chinese_name(match.group("name"), from_start=True)
        end = match.start("name") + len(name)
        if (
            len(name) >= 2
            and name not in _CJK_NOT_NAMES
            and _CJK_END_RE.match(text, end)
            and not any(w in name for w in _CJK_NOT_NAMES if len(w) > 1)
        ):
            yield (*match.span("cue"), match.start("name"), end)
    for match in _CHINESE_AFTER_RE.finditer(text):
        name = _chinese_name(match.group("name"), from_start=False)
        if name and name not in _CJK_NOT_NAMES:
            yield (*match.span("cue"), match.end("name") - len(name), match.end("name"))
    for match in _CHINESE_FIELD_RE.finditer(text):
        if _chinese_name(match.group("name"), from_start=True) == match.group("name"):
            yield (*match.span("cue"), *match.span("name"))


# --- sign-offs in scripts without capitals ------------------------------------------------

# A closing line, then a short line of Han, Hangul, Arabic, Hebrew or Devanagari letters alone: the signer.
_CLOSING_LINE_RE = regex.compile(
    r"(?m)^[ \t]*(?:よろしくお願い(?:いた)?します|ありがとうございました|以上、よろしくお願いいたします|谢谢|謝謝|此致|祝好|"
    r"감사합니다|고맙습니다)[ \t]*[。.!！,，]?[ \t]*\r?\n[ \t]*"
    r"(?P<name>(?:\p{Han}{2,5}|\p{Hangul}{2,4}|\p{Han}{1,3}[ \t]\p{Han}{1,3}))[ \t]*(?=\r?\n|\Z)"
)
_DEPARTMENT_END_RE = regex.compile(r"(?:部|課|室|组|部门|中心|团队|팀|부|센터)$")


def _signoff_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    for match in _CLOSING_LINE_RE.finditer(text):
        name = match.group("name")
        if name in _CJK_NOT_NAMES or _DEPARTMENT_END_RE.search(name):
            continue  # "経理部", "客服中心": a team signs, not a person
        yield match.start(), match.start("name"), *match.span("name")


# --- the public part ----------------------------------------------------------------------


def cue_names(text: str) -> list[tuple[int, int, int, int]]:
    """(cue_start, cue_end, name_start, name_end) for each name a cue announces in a non-Latin script."""
    if not _OTHER_LETTER_RE.search(text):
        return []
    found: list[tuple[int, int, int, int]] = []
    found.extend(_cased_names(text))
    found.extend(_uncased_names(text))
    if regex.search(r"\p{Hangul}", text):
        found.extend(_korean_names(text))
    if _HAN_RE.search(text) or _KANA_RE.search(text):
        found.extend(_cjk_names(text))
        found.extend(_signoff_names(text))
    elif regex.search(r"\p{Hangul}", text):
        found.extend(_signoff_names(text))
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
    regex.compile(p)
    for p in (
        r"\p{Cyrillic}",
        r"\p{Greek}",
        r"\p{Arabic}",
        r"\p{Hebrew}",
        r"\p{Devanagari}",
        r"\p{Hangul}",
        r"[\p{Han}\p{Hiragana}\p{Katakana}]",
    )
]


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
        opens_sentence = regex.search(r"(?:^|[.!?…][ \t]*)\Z", text[:s]) is not None and s != start
        if len(capitalized) == 1 and opens_sentence and not announced:
            continue  # "Даша! Посмотри": a sentence's first word, not a second name
        kept.append((s, e))
    return kept
