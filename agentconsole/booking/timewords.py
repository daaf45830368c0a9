"""The support desk's words for times of day, as windows: "afternoon", "after 5pm", "entre 14h et 16h".

A date parser answers *which day* well and *which part of the day* badly:
dateparser reads "Tuesday at 4" as the 4th of a month, "between 2 and 4" as a
date in February, and has no "any morning". So times of day are read here,
first, as *windows* of local wall-clock minutes, and their spans are blanked
from the text before dateparser looks for the days (:mod:`.requests`). This is
a lexicon of cue words (English, French, German, Spanish) around clock times,
not a date grammar: no day, month or relative date is read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

DAY_END = 24 * 60


@dataclass(frozen=True)
class TimeWindow:
    """Local minutes ``[start, end)`` of a day; ``anchor`` is the time asked for, if one was."""

    start: int
    end: int
    anchor: int | None
    phrase: str
    span: tuple[int, int]


#: Parts of the day, as local minutes. Intersected with opening hours later, so generous.
PARTS: dict[str, tuple[int, int]] = {
    "morning": (6 * 60, 12 * 60),
    "lunch": (11 * 60 + 30, 14 * 60),
    "afternoon": (12 * 60, 18 * 60),
    "evening": (17 * 60, 22 * 60),
    "first": (6 * 60, 10 * 60),
    "endofday": (16 * 60, DAY_END),
    "afterlunch": (13 * 60, DAY_END),
    "anytime": (0, DAY_END),
}

_PM_WORDS = r"p\.?\s?m\.?|afternoon|evening|night|tarde|noche|soir|après-midi|apres-midi|nachmittags?|abends?"
_AM_WORDS = r"a\.?\s?m\.?|morning|mañana|manana|matin|vormittags?|morgens|früh"
# "in the afternoon", "de la tarde", "du soir", "am Nachmittag" after a clock time.
_DAYPART_SUFFIX = (
    r"(?:\s*(?:in\s+the|de\s+la|del|du|de\s+l'|de\s+l’|am|le)\s*"
    r"(?:morning|afternoon|evening|night|mañana|manana|tarde|noche|matin|après-midi|apres-midi|soir"
    r"|vormittag|nachmittag|abend))"
)
_NAMED = {
    "noon": 12 * 60,
    "midday": 12 * 60,
    "midi": 12 * 60,
    "mittag": 12 * 60,
    "mediodía": 12 * 60,
    "mediodia": 12 * 60,
}


_NOT_A_TIME = (
    r"(?!\s*(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|people|persons?|times?|units?|items?|x\b"
    r"|tage?n?|wochen?|monate?n?|jahre?n?|stunden?|minuten?|jours?|semaines?|mois|ans?|personnes?"
    r"|días?|dias?|semanas?|meses?|años?|anos?|horas?|personas?|st|nd|rd|th|er)\b|\s*(?:%|€|\$)|\.\s*\w)"
)


def _clock(n: int, *, bare: bool, behind: str = r"(?<![\d/.:])(?<!\d-)") -> str:
    """A clock time: 17:00, 5pm, 5 p.m., 17h, 17h30, 17 Uhr, 10.30 Uhr, noon; a bare hour only if ``bare``."""
    suffix = rf"(?P<suf{n}>\s*(?:{_PM_WORDS}|{_AM_WORDS}|h(?:eures?)?\b|uhr\b|o'?clock)|{_DAYPART_SUFFIX})"
    timed = rf"(?P<h{n}>\d{{1,2}})(?:(?::|h)(?P<m{n}>\d{{2}})|\.(?P<d{n}>\d{{2}})(?=\s*(?:uhr|h\b|[ap]\.?\s?m)))?"
    named = rf"(?<![\w-])(?P<w{n}>{'|'.join(_NAMED)})\b"
    if bare:
        return rf"(?:{named}|{behind}{timed}(?:{suffix}|{_NOT_A_TIME})(?![\d/:]|\.\d|-\d\d-))"
    return rf"(?:{named}|{behind}{timed}(?:{suffix}|(?<=\d:\d\d)|(?<=\dh\d\d))(?![\d/:-]|\.\d))"


_LAS = r"(?:(?:las?|les|den|the)\s+)?"
_FIRST_OF_RANGE = r"(?<![\w/.:-])"
_BETWEEN = re.compile(
    rf"\b(?:between|entre|zwischen|from|de|von|desde|du)\s+{_LAS}{_clock(1, bare=True)}\s*"
    rf"(?:and|et|und|y|to|till|until|à|a|bis|hasta|au|-|–)\s+{_LAS}{_clock(2, bare=True, behind='')}"
    rf"|{_clock(3, bare=True, behind=_FIRST_OF_RANGE)}\s*[-–]\s*{_clock(4, bare=True, behind='')}",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\b(?:(?:work|working|busy|at\s+work|away|out|occupied|tied\s+up|stuck)\s+(?:\w+\s+)?(?:until|till)|"
    r"any\s*time\s+after|anytime\s+after|after|from|past|later\s+than|not\s+before|après|apres|"
    r"à\s+partir\s+de|a\s+partir\s+de|dès|nach|ab|después\s+de|despues\s+de|desde)\s+" + _LAS + _clock(1, bare=True),
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"\b(?:before|by|until|till|no\s+later\s+than|not\s+after|earlier\s+than|avant|jusqu'à|jusqu’à|vor|bis|"
    r"spätestens|antes\s+de|hasta)\s+" + _LAS + _clock(1, bare=True),
    re.IGNORECASE,
)
_AROUND = re.compile(
    r"\b(?:around|about|circa|roughly|approximately|vers|gegen|sobre|hacia|alrededor\s+de)\s+"
    + _LAS
    + _clock(1, bare=True)
    + r"|"
    + _clock(2, bare=True)
    + r"\s*-?ish\b",
    re.IGNORECASE,
)
_AT = re.compile(
    r"(?:(?:\bat|@|\bà|\ba\s+las?|\bum|\bvers)\s+" + _LAS + _clock(1, bare=True) + r"|" + _clock(2, bare=False) + ")",
    re.IGNORECASE,
)
_PART_WORDS: tuple[tuple[str, str], ...] = (
    ("first", r"first\s+thing(?:\s+in\s+the\s+morning)?|à\s+la\s+première\s+heure|early\s+morning"),
    ("endofday", r"end\s+of\s+(?:the\s+)?(?:business\s+)?day|close\s+of\s+business|fin\s+de\s+journée"),
    (
        "anytime",
        r"any\s*time|whenever|as\s+soon\s+as\s+possible|asap|earliest(?:\s+possible)?|at\s+your\s+earliest"
        r"|dès\s+que\s+possible|au\s+plus\s+vite|so\s+bald\s+wie\s+möglich|möglichst\s+bald|cuanto\s+antes"
        r"|lo\s+antes\s+posible",
    ),
    ("afterlunch", r"after\s+lunch|après\s+(?:le\s+)?déjeuner|nach\s+dem\s+mittag(?:essen)?|después\s+de\s+comer"),
    ("morning", r"mornings?|matin(?:ée|ee)?s?|vormittags?|morgens|am\s+morgen|früh|(?:por|en|de)\s+la\s+mañana"),
    ("lunch", r"lunch\s*time|lunch|(?:à|a)\s+midi|über\s+mittag|mittags|mittagszeit|(?:a|al)\s+mediodía"),
    ("afternoon", r"afternoons?|après-midi|apres-midi|aprèm|aprem|nachmittags?|(?:por|en|de)\s+la\s+tarde"),
    ("evening", r"evenings?|after\s+work|soir(?:ée|ee)?s?|abends?|(?:por|en|de)\s+la\s+noche"),
)
_PART = re.compile(
    r"\b(?P<mod>early|late|tôt|tard|früh|spät|temprano)?\s*(?:(?:in\s+the|on\s+the|le|en|am|la)\s+)?(?:"
    + "|".join(f"(?P<{name}>{words})" for name, words in _PART_WORDS)
    + r")\b",
    re.IGNORECASE,
)


def _minutes(match: re.Match[str], n: int, *, cue: str = "") -> int | None:
    """The clock time of group ``n`` in minutes after midnight; bare hours 1-7 are afternoon hours.

    A support desk takes appointments by day: "at 4" is 16:00, "at 9" is 09:00.
    """
    word = match.group(f"w{n}")
    if word:
        return _NAMED[word.lower()]
    hour_text = match.group(f"h{n}")
    if hour_text is None:
        return None
    hour = int(hour_text)
    minute = int(match.group(f"m{n}") or match.group(f"d{n}") or 0)
    suffix = (match.group(f"suf{n}") or "").strip().lower()
    if hour > 24 or minute > 59:
        return None
    if re.fullmatch(rf".*(?:{_PM_WORDS})", suffix) and hour < 12:
        hour += 12
    elif re.fullmatch(rf".*(?:{_AM_WORDS})", suffix):
        hour = 0 if hour == 12 else hour
    elif hour <= 7 and not match.group(f"m{n}") and cue != "24h":
        hour += 12
    elif hour <= 7 and match.group(f"m{n}") and not suffix:
        hour += 12  # "at 4:30" on a desk's day
    return min(hour * 60 + minute, DAY_END)


def _between(match: re.Match[str]) -> TimeWindow | None:
    first, second = (1, 2) if match.group("h1") or match.group("w1") else (3, 4)
    start, end = _minutes(match, first), _minutes(match, second)
    if start is None or end is None:
        return None
    if end <= start and end + 12 * 60 > start:
        end += 12 * 60  # "between 11 and 1"
    if start >= 12 * 60 and end < start:
        return None
    if end <= start:
        return None
    return TimeWindow(start, min(end, DAY_END), None, match.group(0), match.span())


def _after(match: re.Match[str]) -> TimeWindow | None:
    at = _minutes(match, 1)
    return None if at is None else TimeWindow(at, DAY_END, at, match.group(0), match.span())


def _before(match: re.Match[str]) -> TimeWindow | None:
    at = _minutes(match, 1)
    return None if at is None else TimeWindow(0, at, None, match.group(0), match.span())


def _around(match: re.Match[str]) -> TimeWindow | None:
    at = _minutes(match, 1 if match.group("h1") or match.group("w1") else 2)
    if at is None:
        return None
    return TimeWindow(max(at - 60, 0), min(at + 60, DAY_END), at, match.group(0), match.span())


def _at(match: re.Match[str]) -> TimeWindow | None:
    at = _minutes(match, 1 if match.group("h1") or match.group("w1") else 2)
    return None if at is None else TimeWindow(0, DAY_END, at, match.group(0), match.span())


def _part(match: re.Match[str]) -> TimeWindow | None:
    name = next(name for name, _ in _PART_WORDS if match.group(name))
    start, end = PARTS[name]
    modifier = (match.group("mod") or "").lower()
    middle = (start + end) // 2
    if modifier in ("early", "tôt", "früh", "temprano"):
        end = middle
    elif modifier in ("late", "tard", "spät"):
        start = middle
    return TimeWindow(start, end, None, match.group(0).strip(), match.span())


#: Most specific first: "between 2 and 4" before "at 4", "after 5pm" before "5pm".
_READERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], TimeWindow | None]], ...] = (
    (_BETWEEN, _between),
    (_AFTER, _after),
    (_BEFORE, _before),
    (_AROUND, _around),
    (_AT, _at),
    (_PART, _part),
)


def find_time_windows(text: str) -> tuple[list[TimeWindow], str]:
    """The times of day asked for in ``text``, and the text with their spans blanked (same length)."""
    windows: list[TimeWindow] = []
    rest = text
    for pattern, read in _READERS:
        for match in pattern.finditer(rest):
            window = read(match)
            if window is None:
                continue
            windows.append(window)
            start, end = match.span()
            rest = rest[:start] + " " * (end - start) + rest[end:]
    windows.sort(key=lambda w: w.span)
    return windows, rest
