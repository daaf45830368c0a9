"""Names in Korean, Chinese and Japanese from the words around them (no name lists).

Part of :mod:`agentconsole.privacy.recognizers.script_names` (which combines these with the
cased and right-to-left scripts): each function yields ``(cue_start, cue_end, name_start,
name_end)`` for a name a cue announces, and only the name is the span to mask; a run of Han or
kana without spaces is cut at the cue ("私は山田太郎です" gives 山田太郎).
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

_KANA_RE = regex.compile(r"[\p{Hiragana}\p{Katakana}]")

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


def korean_names(text: str) -> Iterable[tuple[int, int, int, int]]:
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


def cjk_names(text: str) -> Iterable[tuple[int, int, int, int]]:
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


def signoff_names(text: str) -> Iterable[tuple[int, int, int, int]]:
    for match in _CLOSING_LINE_RE.finditer(text):
        name = match.group("name")
        if name in _CJK_NOT_NAMES or _DEPARTMENT_END_RE.search(name):
            continue  # "経理部", "客服中心": a team signs, not a person
        yield match.start(), match.start("name"), *match.span("name")
