"""Whole address blocks: the lines around a detected street line that belong to it.

An address masked in part leaves its most identifying part in clear ("27
Seafield Crescent" masked, "Dublin 3, D03 K2W7" not). Given the span of a
detected address, :func:`extend_address` takes the short postcode, town,
region and country lines after it (up to three), and a country name that opens
the next line ("... 1070 Wien\\nÖsterreich from now on."); :func:`extend_address_back`
takes the street line before a detected postcode/town line ("visit 3 Chome-5-2
Nishi-Shinjuku\\nShinjuku City, Tokyo 160-0023"). Shapes only: postcodes by
general patterns, country names from libphonenumber's region names (places.py),
no street or town lists.
"""

from __future__ import annotations

import regex

from agentconsole.privacy.lexicon import NOT_NAME_WORDS, STREET_PREFIXES, STREET_SUFFIXES, UNIT_WORDS
from agentconsole.privacy.recognizers.places import leading_region_name

# A line that finishes an address block: postcode and/or town, region, country.
_TAIL_LINE_RE = regex.compile(
    r"[ \t]*(?:"
    r"[\p{L}\p{N}][\p{L}\p{N} .,'\-/()]{0,48}\d[\p{L}\p{N} .,'\-/()]{0,30}"  # has a digit: "Dublin 3, D03 K2W7"
    r"|\p{Lu}[\p{L}.'\-]*(?:[ \t]+\p{Lu}[\p{L}.'\-]*){0,3}"  # "United Kingdom", "Deutschland"
    r")[ \t]*$",
)
# What may follow a country that ends a block on the same line: punctuation, or the sentence going on with a
# preposition or a time ("Japan on Tuesday", "Österreich from now on"), not a verb ("Jordan will call").
_AFTER_COUNTRY_RE = regex.compile(
    r"[ \t]*(?:[,.;!?)]|$|(?:from|on|by|before|after|until|till|please|pls|thanks|thank|asap|as|in|at|for|"
    r"starting|effective|instead|now|soon|today|tomorrow|next|this|then|and|or)(?![\p{L}]))",
    regex.IGNORECASE,
)
_MAX_TAIL_LINES = 3
_MAX_BLOCK_CHARS = 300


def _next_line(text: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the line after the line break at ``pos`` (a real or literal one)."""
    if text.startswith("\n", pos):
        start = pos + 1
    elif text.startswith(" \n", pos):
        start = pos + 2
    else:
        return None
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    if end > start and text[end - 1] == " " and text[end : end + 1] == "\n":
        end -= 1  # a literal "\n" prepared as " \n"
    return start, end


def extend_address(text: str, start: int, end: int) -> int:
    """Grow an address span over the short locality/country lines that follow it."""
    for _ in range(_MAX_TAIL_LINES):
        line = _next_line(text, end)
        if line is None:
            break
        line_start, line_end = line
        content = text[line_start:line_end]
        if not _is_tail_line(content):
            country = leading_region_name(content)
            if (
                country
                and _AFTER_COUNTRY_RE.match(content, country)
                and line_start + country - start <= _MAX_BLOCK_CHARS
            ):
                end = line_start + country  # "Österreich from now on.": the country, not the sentence
            break
        if line_end - start > _MAX_BLOCK_CHARS:
            break
        end = line_start + len(content.rstrip())
    return end


def _is_tail_line(content: str) -> bool:
    if not content.strip() or len(content) > 60 or not _TAIL_LINE_RE.fullmatch(content):
        return False
    if any(ch in content for ch in "@:?!") or content.strip().endswith("."):
        return False
    first_word = content.split()[0].strip(",.").casefold()
    # "Thanks", "Regards", "Best": the sign-off, not a town
    return any(ch.isdigit() for ch in content) or first_word not in NOT_NAME_WORDS


_STREET_WORD_RE = regex.compile(
    r"(?<![\p{L}])(?:" + STREET_SUFFIXES + "|" + STREET_PREFIXES + "|" + UNIT_WORDS + r")(?![\p{L}])",
    regex.IGNORECASE,
)
# A street line: a house number then a capitalized name ("3 Chome-5-2 Nishi-Shinjuku", "42 Kingsway",
# "Flat 4, 27 Harrowgate Crescent"), or a name with a street word and its number ("Rue Neuve 33").
_NUMBER_FIRST_RE = regex.compile(
    r"(?:\p{Lu}\p{L}*\.?[ \t]+\d{1,4}[\p{L}]?,[ \t]+)?\d{1,5}[\p{L}]?(?:[\-/]\d{1,4})*,?[ \t]+\p{Lu}[\p{L}\p{M}\p{N}'\-]*"
    r"(?:[ \t]+[\p{L}\p{N}][\p{L}\p{M}\p{N}'.\-]*){0,4}"
)
_NAME_FIRST_RE = regex.compile(
    r"\p{Lu}[\p{L}\p{M}'.\-]*(?:[ \t]+[\p{L}][\p{L}\p{M}'.\-]*){0,4}[ \t]+\d{1,5}[\p{L}]?(?:[ \t]*[\-/][ \t]*\d{1,4})?"
)
# Where a street line may start inside the line before: its start, after a colon, after a lower-case word.
_SEGMENT_START_RE = regex.compile(r"(?:(?<=:)|(?<=(?:^|[ \t])\p{Ll}+))[ \t]+|^")
_MAX_STREET_LINE = 60


def _plain_words(segment: str) -> bool:
    """No lower-case word but street words and short particles ("rue des", "am", "van der"): not a sentence."""
    return all(
        len(w) <= 3 or _STREET_WORD_RE.fullmatch(w)
        for w in regex.findall(r"[\p{L}\p{M}'\-]+", segment)
        if w[:1].islower()
    )


def extend_address_back(text: str, start: int) -> int:
    """The street line right before an address block that starts a line ("visit 3 Chome-5-2 X\\n<block>")."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return start  # the block does not start its line
    if line_start == 0:
        return start
    prev_end = line_start - 1
    if prev_end > 0 and text[prev_end - 1] == " ":
        prev_end -= 1  # a literal "\n" prepared as " \n"
    prev_start = text.rfind("\n", 0, prev_end) + 1
    line = text[prev_start:prev_end].rstrip()
    if not line or line.endswith((".", ":", "?", "!", ",")) or "@" in line:
        return start
    for match in _SEGMENT_START_RE.finditer(line):
        segment = line[match.end() :]
        if len(segment) > _MAX_STREET_LINE:
            continue
        if segment.split()[0].strip(",.").casefold() in NOT_NAME_WORDS or not _plain_words(segment):
            continue
        if _NUMBER_FIRST_RE.fullmatch(segment) or (
            _NAME_FIRST_RE.fullmatch(segment) and _STREET_WORD_RE.search(segment)
        ):
            return prev_start + int(match.end())
    return start
