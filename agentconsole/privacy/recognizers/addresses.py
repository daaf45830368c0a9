"""Postal addresses from address grammar, not from lists of streets or towns.

Recognized shapes (case-insensitive street-type words, any street name):

* number + street name + street type, optional direction and unit:
  "42 Elm Street", "1600 W. Lake Shore Dr, Apt 4B", "10 Downing St.";
* street type + name + number (Romance/Slavic forms): "Rue de la Paix 12",
  "Via Roma 5", "12, rue de Rivoli", "Calle Mayor 5, 3º B";
* compound street names + number (Germanic/Nordic): "Hauptstraße 12a",
  "Keizersgracht 123", "Storgatan 4";
* PO boxes: "P.O. Box 1234", "Postfach 10 20 30";
* after a cue ("I live at", "ship to", "address:"), number + capitalized words.

Each street line is extended over a following locality on the same or the
next lines: "Springfield, IL 62704", "London SW1A 2AA", "75002 Paris",
"1012 AB Amsterdam", "Toronto, ON M5V 2T6", and a trailing country.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from presidio_analyzer import RecognizerResult

from agentconsole.privacy.lexicon import (
    STREET_COMPOUND_ENDINGS,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    UNIT_WORDS,
)
from agentconsole.privacy.recognizers.address_blocks import extend_address
from agentconsole.privacy.recognizers.base import SupportRecognizer

if TYPE_CHECKING:
    from spacy.tokens import Doc


STREET_ADDRESS = "STREET_ADDRESS"

_NUM = r"\d{1,6}(?:[ \t]?[A-Za-z](?![\p{L}]))?(?:[-/–]\d{1,5}[A-Za-z]?)?"
_NAME_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’.\-]*|\d{1,3}(?:st|nd|rd|th)|[\p{Ll}][\p{L}\p{M}'’\-]*)"
_CAP_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’\-]*\.?|\d{1,3}(?:st|nd|rd|th))"
_DIRECTION = r"(?:north|south|east|west|n|s|e|w|ne|nw|se|sw|northeast|northwest|southeast|southwest)\.?"
# A unit number carries a digit or is a single letter ("Apt 4B", "Flat C"), never a word ("rm to").
_UNIT_ID = r"(?:[A-Za-z]?\d[A-Za-z0-9\-]{0,5}|[A-Za-z](?![\p{L}\p{N}]))"
_UNIT = (
    r"(?:[ \t]*,?[ \t]*(?<![\p{L}\p{N}])(?:"
    + UNIT_WORDS
    + r")\.?[ \t]*(?:no\.?[ \t]*)?#?[ \t]*"
    + _UNIT_ID
    + r"|[ \t]*,[ \t]*\d{1,3}[ºª°][ \t]*[A-Za-z]?(?![\p{L}\p{N}]))"
)

# "42 Elm Street", "1600 W Lake Shore Dr", "221B Baker St."
_NUMBER_FIRST = (
    r"(?<![\p{L}\p{N}\-/.,:])" + _NUM + r"[ \t]*,?[ \t]+(?:" + _DIRECTION + r"[ \t]+)?"
    r"(?:" + _NAME_WORD + r"[ \t]+){0,3}?" + _NAME_WORD + r"[ \t]+(?:" + STREET_SUFFIXES + r")\.?"
    r"(?![\p{L}\p{N}])(?:[ \t]+(?:"
    + STREET_SUFFIXES
    + r")\.?(?![\p{L}\p{N}])){0,2}(?:[ \t]+"
    + _DIRECTION
    + r"(?![\p{L}]))?"
)
# "Rue de la Paix 12", "12, rue de Rivoli", "Via Roma 5", "Calle Mayor 5"
_PARTICLES = r"(?:de|del|della|delle|dei|degli|di|da|do|dos|das|du|des|la|le|les|lo|l'|d'|el|al|san|santa|são|st\.?)"
_PREFIX_STREET = (
    r"(?<![\p{L}\p{N}])(?:"
    + STREET_PREFIXES
    + r")\.?[ \t]+(?:(?:"
    + _PARTICLES
    + r")[ \t]*)*"
    + _CAP_WORD
    + r"(?:[ \t]+(?:(?:"
    + _PARTICLES
    + r")[ \t]*)*"
    + _CAP_WORD
    + r"){0,3}"
)
_PREFIX_FORM = (
    r"(?:"
    + _PREFIX_STREET
    + r"[ \t]*,?[ \t]*(?:n[º°o.]?[ \t]*)?"
    + _NUM
    + r"|(?<![\p{L}\p{N}\-/.,:])"
    + _NUM
    + r"(?:[ \t]+(?:bis|ter))?[ \t]*,?[ \t]+"
    + _PREFIX_STREET
    + r")"
)
# "Hauptstraße 12a", "Keizersgracht 123", "Am Lindenweg 3"
_COMPOUND_FORM = (
    r"(?<![\p{L}\p{N}])(?:(?:am|an|auf|im|in|zum|zur|op|de|het)[ \t]+)?\p{Lu}[\p{L}\-]*(?:"
    + STREET_COMPOUND_ENDINGS
    + r")(?![\p{L}])[ \t]+"
    + _NUM
)
_PO_BOX = (
    r"(?<![\p{L}\p{N}])(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]+office[ \t]+box|postfach|apartado(?:[ \t]+de[ \t]+correos)?|"
    r"b\.?p\.?|bo[iî]te[ \t]+postale|postbus|box)[ \t]*(?:no\.?[ \t]*)?#?[ \t]*\d[\d \t]{0,10}\d|"
    r"(?<![\p{L}\p{N}])(?:p\.?[ \t]?o\.?[ \t]?box|postfach|postbus)[ \t]*#?[ \t]*\d"
)
_CUE_FORM = (
    r"(?:(?<![\p{L}])(?:live|living|reside|residing|located|moved|moving|ship(?:ped|ping)?|send|sent|deliver(?:ed|y)?|mail(?:ed)?|"
    r"address(?:\s+is)?|located|based)(?:[ \t]+(?:at|to|is|in))?[ \t]*[:\-]?[ \t]+)"
    r"(?P<cued>" + _NUM + r"[ \t]*,?[ \t]+" + _CAP_WORD + r"(?:[ \t]+" + _CAP_WORD + r"){0,3})"
)

_STREET_RE = regex.compile(
    r"(?P<street>" + _NUMBER_FIRST + r"|" + _PREFIX_FORM + r"|" + _COMPOUND_FORM + r")(?P<unit>" + _UNIT + r")?",
    regex.IGNORECASE | regex.VERSION0,
)
_PO_BOX_RE = regex.compile(_PO_BOX, regex.IGNORECASE)
_CUE_RE = regex.compile(_CUE_FORM, regex.IGNORECASE)
_UNIT_LINE_RE = regex.compile(
    r"[ \t]*,?[ \t]*(?<![\p{L}\p{N}])(?:" + UNIT_WORDS + r")\.?[ \t]*#?[ \t]*" + _UNIT_ID, regex.IGNORECASE
)
_UNIT_BEFORE_RE = regex.compile(
    r"(?<![\p{L}\p{N}])(?:" + UNIT_WORDS + r")\.?[ \t]*#?[ \t]*" + _UNIT_ID + r"[ \t]*,?[ \t]*$", regex.IGNORECASE
)

# Localities: "Springfield, IL 62704", "London SW1A 2AA", "75002 Paris", "1012 AB Amsterdam".
_PLACE = r"\p{Lu}[\p{L}\p{M}'’.\-]*(?:[ \t]+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|del|la|le|am|an|der|upon|on|sur|sous|en))*"
_US_STATE_ZIP = r"(?:[A-Z]{2}|\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\p{Ll}+)?)\.?[ \t]+\d{5}(?:-\d{4})?"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}"
_CA_POSTCODE = r"[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
_EU_POSTCODE = r"(?:[A-Z]{1,2}[ \t]?-[ \t]?)?\d{4,5}(?:[ \t]?[A-Z]{2}(?![\p{L}]))?|\d{2}-\d{3}|\d{3}[ \t]\d{2}"
_LOCALITY = (
    r"(?:"
    r""
    + _PLACE
    + r"[ \t]*,?[ \t]+(?:"
    + _US_STATE_ZIP
    + r"|"
    + _UK_POSTCODE
    + r"|"
    + _CA_POSTCODE
    + r"|(?:[A-Z]{2}[ \t]+)?"
    + _CA_POSTCODE
    + r"|[A-Z]{2}[ \t]+"
    + _UK_POSTCODE
    + r")"
    + r"|"
    + _PLACE
    + r"[ \t]*,[ \t]*[A-Z]{2}(?![\p{L}])"
    r"|(?:" + _EU_POSTCODE + r")[ \t]+" + _PLACE + r"|" + _PLACE + r"[ \t]+(?:" + _EU_POSTCODE + r")"
    r")"
)
_COUNTRY_TAIL = (
    r"(?:[ \t]*,[ \t]*(?:[A-Z]{2,3}|\p{Lu}[\p{L}]+(?:[ \t]\p{Lu}[\p{L}]+){0,2})(?=[ \t]*(?:[.,;!?)]|\r?\n|$)))?"
)
_LOCALITY_SAME_LINE_RE = regex.compile(r"[ \t]*,?[ \t]*(?:" + _LOCALITY + r")" + _COUNTRY_TAIL, regex.VERSION0)
_LOCALITY_NEXT_LINE_RE = regex.compile(
    r"[ \t]*,?[ \t]*\r?\n[ \t]*(?:" + _LOCALITY + r")" + _COUNTRY_TAIL, regex.VERSION0
)
# A bare town after a comma ("12 Oak Road, Leeds") when followed by punctuation or a line end.
_TOWN_RE = regex.compile(
    r"[ \t]*,[ \t]*\p{Lu}[\p{L}\p{M}'’\-]+(?:[ \t]\p{Lu}[\p{L}\p{M}'’\-]+)?(?=[ \t]*(?:[.;!?)]|,|\r?\n|$))"
)
_COUNTRY_LINE_RE = regex.compile(
    r"[ \t]*\r?\n[ \t]*(?:[A-Z]{2,3}|\p{Lu}[\p{L}]+(?:[ \t]\p{Lu}[\p{L}]+){0,2})[ \t]*(?=\r?\n|$)"
)

_NOT_STREET_NAMES = frozenset(
    "last first next previous my your our their the a an this that email phone text chat app web website "
    "number code card account order".split()
)
_STOP_NAME_WORDS = frozenset(
    "i you we they he she it my your our their the a an and or but is are was were have has had "
    "to for of on in at by with from this that these those be been do did does not no".split()
)


class StreetAddressRecognizer(SupportRecognizer):
    """Street lines (+ unit, locality, country), PO boxes and cued addresses."""

    ENTITIES = (STREET_ADDRESS,)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if not any(ch.isdigit() for ch in text):
            return []  # every form we recognize carries a number
        lowercase = not any(ch.isupper() for ch in text)
        if doc is not None and len(doc.text) == len(text) and lowercase:
            text = doc.text  # a lower-case message: its re-cased twin (same offsets)
        elif lowercase:
            from agentconsole.privacy.textprep import recase_shouting

            text = recase_shouting(text)
        results = []
        for match in _STREET_RE.finditer(text):
            street = match.group("street")
            if not self._plausible_street(street):
                continue
            results.append(self._extended(text, match.start(), match.end(), 0.9))
        for match in _PO_BOX_RE.finditer(text):
            results.append(self._extended(text, match.start(), match.end(), 0.85))
        for match in _CUE_RE.finditer(text):
            start, end = match.span("cued")
            results.append(self._extended(text, start, end, 0.6))
        return results

    @staticmethod
    def _plausible_street(street: str) -> bool:
        words = street.split()
        # "I have 3 of them on the way" and "the 2 of us st..." are not streets.
        inner = [w.casefold().strip(".,") for w in words[1:-1]]
        if any(w in _STOP_NAME_WORDS for w in inner):
            return False
        # "via last 4 of SSN": a street-type word first, then an ordinary word, is prose
        first = words[0].casefold().strip(".,")
        return not (first.isalpha() and len(words) > 1 and words[1].casefold().strip(".,") in _NOT_STREET_NAMES)

    def _extended(self, text: str, start: int, end: int, score: float) -> RecognizerResult:
        unit = _UNIT_LINE_RE.match(text, end)
        if unit:
            end = unit.end()
        found_locality = False
        for _ in range(3):  # "Little Whinging, Surrey GU1 3SX": town, then county + postcode
            same = _LOCALITY_SAME_LINE_RE.match(text, end)
            if same:
                end, found_locality = same.end(), True
                break
            town = _TOWN_RE.match(text, end)
            if town is None:
                break
            end = town.end()
        if not found_locality:
            nxt = _LOCALITY_NEXT_LINE_RE.match(text, end)
            if nxt:
                end, found_locality = nxt.end(), True
        country = _COUNTRY_LINE_RE.match(text, end)
        if country and found_locality:
            end = country.end()
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        unit_before = _UNIT_BEFORE_RE.search(before)
        if unit_before:
            start = line_start + unit_before.start()
        elif not before.strip() and line_start > 0:
            # a unit on the line above ("Flat 3\n12 High Street")
            prev_start = text.rfind("\n", 0, line_start - 1) + 1
            prev = text[prev_start : line_start - 1]
            if _UNIT_BEFORE_RE.fullmatch(prev.strip() + " ") or _UNIT_BEFORE_RE.fullmatch(prev.strip()):
                start = prev_start + (len(prev) - len(prev.lstrip()))
        while (
            end > start and text[end - 1] in " \t,.\r\n" and not text[start:end].endswith(("St.", "Ave.", "Rd.", "Dr."))
        ):
            end -= 1
        return self._result(STREET_ADDRESS, start, max(end, extend_address(text, start, end)), score)
