"""Requested times in a customer's (masked) message: days from dateparser, times of day as windows.

Two layers. :mod:`.timewords` reads the times of day ("afternoon", "after
5pm", "entre 14h et 16h") and blanks them out; dateparser's ``search_dates``
then finds the days in what is left ("Tuesday", "next week", "le 3 mars",
"übermorgen"), relative to the message's time, preferring the future, in
English, French, German or Spanish. Each day is paired with the nearest time
of day in the message. What dateparser gets wrong in support messages is
corrected after it, not re-parsed by hand: a bare day-of-month it took for a
month ("on the 5th"), single words it takes for dates ("we", "may", "a day"),
and a weekend it does not know.

The customer's text reaching this module is already masked: placeholders
such as ``<PHONE_NUMBER_1>`` are dropped before parsing, and nothing but
days and minutes leaves it.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from agentconsole.booking.timewords import DAY_END, TimeWindow, find_time_windows

log = logging.getLogger("agentconsole.booking")

LANGUAGES = ("en", "fr", "de", "es")
#: A request for a time is a sentence or two; a pasted log is not read whole (dateparser is slow on it).
MAX_CHARS = 4_000

_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_ ]*>")
# Function words that tell the language of a short message (dateparser's own detection
# is thrown by short texts: "am Dienstag" reads as English "am").
_FUNCTION_WORDS = {
    "en": {"the", "and", "you", "can", "on", "at", "is", "are", "any", "would", "could", "please", "next", "or", "i"},
    "fr": {"le", "la", "les", "je", "vous", "est", "et", "ou", "à", "pour", "prochain", "prochaine", "du", "un"},
    "de": {"der", "die", "das", "und", "ich", "sie", "um", "am", "nicht", "oder", "bitte", "nächste", "nächsten"},
    "es": {"el", "los", "las", "que", "y", "o", "por", "para", "puede", "podría", "próximo", "semana", "a"},
}
# Single words dateparser reads as dates in ordinary sentences.
_NOT_DATES = {"we", "may", "a", "an", "day", "a day", "sat", "sun", "second", "now", "mar", "de", "on", "at", "one"}
_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|er|e|\.|º|ª)?(?!\s*[:/h]\d)(?!\d)")
_NEGATION = re.compile(
    r"(?:\b(?:busy|away|out|unavailable|not\s+available|tied\s+up|booked\s+up)\s+(?:until|till)"
    r"|\bnot|\bexcept|\bbut|\bother\s+than|\bapart\s+from|\bpas|\bsauf|\bnicht|\baußer|\bexcepto|\bmenos|\bno)"
    r"\s+(?:on\s+|le\s+|am\s+|el\s+|the\s+|a\s+|an\s+)?$",
    re.IGNORECASE,
)
_WEEKEND = re.compile(r"\b(?:week-?ends?|wochenende|fin\s+de\s+semana|finde)\b", re.IGNORECASE)
_END_OF_WEEK = re.compile(r"\bend\s+of\s+(?:the\s+|this\s+|(?P<next>next)\s+)?week\b", re.IGNORECASE)
# "Monday through Wednesday", "lundi au mercredi", "Montag bis Mittwoch", "de lunes a miércoles".
_DAY_RANGE = re.compile(r"^\s*(?:through|thru|to|until|till|-|–|au|à|bis|hasta|a)\s*$", re.IGNORECASE)
# Read by dateparser in French and German ("après-demain", "übermorgen") but not in these two.
_AFTER_TOMORROW = re.compile(r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|pasado\s+mañana)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TimeRequest:
    """A requested window: on ``days`` (None: any day), between local minutes ``start`` and ``end``.

    ``anchor`` is the time asked for (``"at 10"``), to rank slots by distance to it.
    """

    days: tuple[date, ...] | None
    start: int
    end: int
    anchor: int | None
    phrase: str
    excluded: tuple[date, ...] = ()  # days a request on any day skips ("any day but Monday")


@dataclass(frozen=True)
class _DayMention:
    days: tuple[date, ...]
    span: tuple[int, int]
    phrase: str
    anchor: int | None = None  # dateparser found a clock time the time words missed
    negated: bool = False


def guess_language(text: str) -> str:
    """The most likely of :data:`LANGUAGES` by function words (English on a tie)."""
    words = re.findall(r"[\wäöüßàâçéèêëîïôûùñáíóú]+", text.lower())
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    return best


@lru_cache(maxsize=8)
def _period_parser(language: str) -> Any:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped,unused-ignore]

    return DateDataParser(languages=[language], settings={"RETURN_TIME_AS_PERIOD": True})


def _search(text: str, base: datetime, language: str) -> list[tuple[str, datetime]]:
    from dateparser.search import search_dates  # type: ignore[import-untyped,unused-ignore]

    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
    order = [language] + [lang for lang in LANGUAGES if lang != language]
    for attempt in (order[:1], order):
        try:
            found = search_dates(text, languages=list(attempt), settings=settings)
        except (ValueError, OverflowError):
            found = None
        if found:
            return list(found)
    return []


def _next_day_of_month(day: int, after: date) -> date | None:
    year, month = after.year, after.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if found >= after:
                return found
        month = month % 12 + 1
        year += month == 1
    return None


def _days_of(substring: str, found: datetime, base: datetime, language: str) -> tuple[tuple[date, ...], int | None]:
    """The days a dateparser match stands for (a week, a month, one day) and its clock time if it has one."""
    data = _period_parser(language).get_date_data(substring, date_formats=None)
    period = data.period or "day"
    first = base.date()
    if period == "month":
        number = _ORDINAL_DAY.search(substring)
        if number and 1 <= int(number.group(1)) <= 31:  # "on the 5th": dateparser took the 5 for May
            day = _next_day_of_month(int(number.group(1)), first)
            return ((day,) if day else ()), None
        start = max(found.date().replace(day=1), first)
        last = found.date().replace(day=calendar.monthrange(found.year, found.month)[1])
        return tuple(start + timedelta(days=i) for i in range((last - start).days + 1)), None
    if period == "week":
        monday = found.date() - timedelta(days=found.weekday())
        return tuple(d for d in (monday + timedelta(days=i) for i in range(7)) if d >= first), None
    if period == "time":
        return (found.date(),), found.hour * 60 + found.minute
    return (found.date(),), None


def _day_mentions(rest: str, base: datetime, language: str) -> list[_DayMention]:
    mentions: list[_DayMention] = []
    cursor = 0
    for substring, found in _search(rest, base, language):
        at = rest.find(substring, cursor)
        if at < 0:
            at = rest.find(substring)
        cursor = max(cursor, at + len(substring))
        bare = re.sub(r"^(?:on|the|of|le|la|am|el|de|for)\s+", "", substring.strip().lower())
        if bare in _NOT_DATES or (len(bare) < 3 and not any(ch.isdigit() for ch in bare)):
            continue
        days, anchor = _days_of(substring, found, base, language)
        days = tuple(d for d in days if d >= base.date())
        if not days:
            continue
        negated = bool(_NEGATION.search(rest[max(0, at - 16) : at]))
        mentions.append(_DayMention(days, (at, at + len(substring)), substring.strip(), anchor, negated))
    for match in _WEEKEND.finditer(rest):
        saturday = base.date() + timedelta(days=(5 - base.weekday()) % 7)
        if base.weekday() == 6:
            saturday = base.date()
        days = tuple(d for d in (saturday, saturday + timedelta(days=1)) if d >= base.date())
        if re.search(r"next|prochain|nächste|próximo", rest[max(0, match.start() - 12) : match.start()], re.I):
            days = tuple(d + timedelta(days=7) for d in days)
        mentions.append(_DayMention(days, match.span(), match.group(0)))
    for match in _END_OF_WEEK.finditer(rest):
        monday = base.date() - timedelta(days=base.weekday()) + timedelta(days=7 if match.group("next") else 0)
        days = tuple(d for d in (monday + timedelta(days=3), monday + timedelta(days=4)) if d >= base.date())
        if days:
            mentions.append(_DayMention(days, match.span(), match.group(0)))
    mentions.sort(key=lambda m: m.span)
    return _merge_day_ranges(rest, _merge_weekday_in_period(rest, mentions), base.date())


def _merge_day_ranges(rest: str, mentions: list[_DayMention], today: date) -> list[_DayMention]:
    """ "Monday through Wednesday": every day from the first to the last, not just the two named."""
    merged: list[_DayMention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and len(previous.days) == 1
            and len(mention.days) == 1
            and not (previous.negated or mention.negated)
            and _DAY_RANGE.match(rest[previous.span[1] : mention.span[0]])
        ):
            first, last = previous.days[0], mention.days[0]
            if last < first:  # said on a Monday, "Monday" is read as next week's: the range starts today
                earlier = first - timedelta(days=7)
                first, last = (earlier, last) if earlier >= today else (first, last + timedelta(days=7))
            if not 0 < (last - first).days <= 31:
                merged.append(mention)
                continue
            days = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
            span = (previous.span[0], mention.span[1])
            merged[-1] = _DayMention(days, span, rest[span[0] : span[1]].strip())
            continue
        merged.append(mention)
    return merged


def _merge_weekday_in_period(rest: str, mentions: list[_DayMention]) -> list[_DayMention]:
    """ "next week Wednesday", "Tuesday next week": one day of the week, not the whole week plus this Tuesday."""
    merged: list[_DayMention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.negated
            and not mention.negated
            and rest[previous.span[1] : mention.span[0]].strip(" ,") == ""
            and (len(previous.days) == 1) != (len(mention.days) == 1)
        ):
            single, period = (previous, mention) if len(previous.days) == 1 else (mention, previous)
            weekday = single.days[0].weekday()
            days = tuple(d for d in period.days if d.weekday() == weekday)
            if days:
                span = (previous.span[0], mention.span[1])
                anchor = single.anchor if single.anchor is not None else period.anchor
                merged[-1] = _DayMention(days, span, rest[span[0] : span[1]].strip(), anchor)
                continue
        merged.append(mention)
    return merged


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def read_requests(text: str, base: datetime) -> list[TimeRequest]:
    """The times requested in ``text``, written at local time ``base`` (naive, the resource's zone).

    Days come from dateparser; each is paired with the nearest time of day in the text
    (every time of day with its nearest day, every day with its nearest time of day).
    Times of day with no day apply to any day (``days=None``); days with no time of
    day span the whole day. Days after "not"/"except" are left out. Only the last
    :data:`MAX_CHARS` characters are read (a request is a sentence or two, not a pasted log).
    """
    clean = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text[-MAX_CHARS:])
    clean = _AFTER_TOMORROW.sub(lambda m: "in 2 days".ljust(len(m.group(0))), clean)
    language = guess_language(clean)
    windows, rest = find_time_windows(clean)
    mentions = _day_mentions(rest, base, language)
    excluded = {d for m in mentions if m.negated for d in m.days}
    positive = [m for m in mentions if not m.negated]
    requests: list[TimeRequest] = []

    def add(days: tuple[date, ...] | None, window: TimeWindow | None, mention: _DayMention | None) -> None:
        if days is not None:
            days = tuple(d for d in days if d not in excluded)
            if not days:
                return
        phrase = " ".join(p for p in ((mention.phrase if mention else ""), (window.phrase if window else "")) if p)
        if window is not None:
            requests.append(TimeRequest(days, window.start, window.end, window.anchor, phrase))
        elif mention is not None and mention.anchor is not None:
            requests.append(TimeRequest(days, 0, DAY_END, mention.anchor, phrase))
        else:
            requests.append(TimeRequest(days, 0, DAY_END, None, phrase))

    if not positive:
        for window in windows:
            add(None, window, None)
        if excluded and not windows:
            add(None, None, None)
        skip = tuple(sorted(excluded))
        return _narrowed([TimeRequest(r.days, r.start, r.end, r.anchor, r.phrase, skip) for r in requests])
    paired: set[int] = set()
    for window in windows:
        nearest = min(range(len(positive)), key=lambda i: _distance(positive[i].span, window.span))
        paired.add(nearest)
        add(positive[nearest].days, window, positive[nearest])
    for index, mention in enumerate(positive):
        if index in paired:
            continue
        if windows and mention.anchor is None:
            window = min(windows, key=lambda w: _distance(mention.span, w.span))
            add(mention.days, window, mention)
        else:
            add(mention.days, None, mention)
    return _narrowed(requests)


def _narrowed(requests: list[TimeRequest]) -> list[TimeRequest]:
    """Times of day on the same days that overlap narrow each other ("any evening after 6pm",
    "demain matin entre 9h et 11h"); disjoint ones are alternatives ("morning or afternoon").
    Two named times ("at 10 or at 2") stay alternatives."""
    result: list[TimeRequest] = []
    for request in requests:
        for index, other in enumerate(result):
            if other.days != request.days or other.excluded != request.excluded:
                continue
            both_points = request.anchor is not None and other.anchor is not None
            start, end = max(other.start, request.start), min(other.end, request.end)
            if both_points and (request.start, request.end) == (other.start, other.end) == (0, DAY_END):
                continue
            if start < end:
                anchor = next((a for a in (request.anchor, other.anchor) if a is not None and start <= a <= end), None)
                phrase = other.phrase if request.phrase in other.phrase else f"{other.phrase} {request.phrase}"
                result[index] = TimeRequest(request.days, start, end, anchor, phrase, request.excluded)
                break
        else:
            result.append(request)
    return result
