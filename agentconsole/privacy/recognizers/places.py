"""Country names used as places: a second-stage check on the NER's one-word PERSON guesses.

The model reads a country name as a person now and then ("within Germany and
Austria"). A one-word guess that is a country's English name is dropped when
its neighbours say "place": a place preposition right before it ("in",
"within", "across"...), or another country name joined to it by "and", "or" or
a comma ("Germany and Austria", "Austria, Switzerland"). "to" and "from" are not
such cues: "a message from Chad" or "send it to Jordan" is about a person.

The names come from libphonenumber's region display names (a dependency
already, through ``phonenumbers``): places, not a list of people.
"""

from __future__ import annotations

import functools

import regex

from agentconsole.privacy.recognizers.person_context import acts_after

_PLACE_PREPOSITIONS = frozenset("in within across outside inside throughout into".split())
_BEFORE_RE = regex.compile(r"(\p{L}+)(\s*(?:,|\band\b|\bor\b)\s*|\s+)$", regex.IGNORECASE)
_AFTER_RE = regex.compile(r"^\s*(?:,|\band\b|\bor\b)\s*(\p{L}+)", regex.IGNORECASE)


@functools.cache
def _locale_data() -> dict[str, dict[str, str]]:
    """libphonenumber's table of region names by language (``phonenumbers/geodata/locale.py``).

    The file is loaded on its own: importing it as ``phonenumbers.geodata.locale`` runs the
    package's ``__init__``, which loads the whole geocoding table (about 100 MB, 1 s) for a
    table of 250 entries (2 MB, 0.02 s).
    """
    import importlib.util
    from pathlib import Path

    import phonenumbers

    path = Path(phonenumbers.__file__).parent / "geodata" / "locale.py"
    spec = importlib.util.spec_from_file_location("_agentconsole_region_names", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken phonenumbers install
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "phonenumbers.geodata"  # its one import, ``from ..util import u``, is phonenumbers.util
    spec.loader.exec_module(module)
    table: dict[str, dict[str, str]] = module.LOCALE_DATA
    return table


@functools.cache
def country_names() -> frozenset[str]:
    """Casefolded one-word English names of the countries and territories libphonenumber knows."""
    names = set()
    for names_by_language in _locale_data().values():
        name = names_by_language.get("en", "")
        while name.startswith("*"):  # "*xx": the same as language xx
            name = names_by_language.get(name[1:], "")
        if name and " " not in name:
            names.add(name.casefold())
    return frozenset(names)


def used_as_place(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is a country name and its neighbours make it a place (see the module)."""
    if text[start:end].casefold() not in country_names():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = _BEFORE_RE.search(text[max(line_start, start - 40) : start])
    if before is not None:
        word, joint = before.group(1).casefold(), before.group(2).strip()
        if not joint and word in _PLACE_PREPOSITIONS:
            return True
        if joint and word in country_names():
            return True
    after = _AFTER_RE.match(text[end : end + 40])
    return after is not None and after.group(1).casefold() in country_names()


@functools.cache
def region_names_any_language() -> frozenset[str]:
    """Casefolded names of countries and territories in every language libphonenumber has ("österreich")."""
    names = set()
    for names_by_language in _locale_data().values():
        for name in names_by_language.values():
            if not name.startswith("*"):
                names.add(name.casefold())
    return frozenset(names)


_LEADING_WORDS_RE = regex.compile(r"[ \t]*(\p{L}[\p{L}\p{M}.'\-]*(?:[ \t]+\p{L}[\p{L}\p{M}.'\-]*){0,3})")


def leading_region_name(line: str) -> int:
    """Length of the country name that opens ``line`` ("Japan on Tuesday." -> 5), or 0."""
    match = _LEADING_WORDS_RE.match(line)
    if match is None:
        return 0
    words = list(regex.finditer(r"\S+", match.group(1)))
    names = region_names_any_language()
    for count in range(len(words), 0, -1):  # the longest name first: "United Kingdom" before "United"
        end = match.start(1) + words[count - 1].end()
        candidate = line[match.start(1) : end]
        if candidate.casefold() in names and candidate[:1].isupper():
            return int(end)
    return 0


# A list joint between two neighbours: "Zürich and Genève", "Bristol, Bath and Exeter", "Lyon or Nice".
_JOINT_RE = regex.compile(r"[ \t]*(?:,|&|/|,?[ \t]*(?<![\p{L}])(?:and|or)(?![\p{L}]))[ \t]*", regex.IGNORECASE)


def listed_with_places(text: str, start: int, end: int, places: list[tuple[int, int]]) -> bool:
    """``text[start:end]`` is joined by "and", "or" or a comma to a span the model reads as a place or a firm.

    A list holds one kind of thing: in "Orders from Zürich and Genève" the model's own reading of
    the neighbour (a place) outweighs its person guess on the other item; "Anna and Bob" are both
    people to it. A verb the person does after it opens a new clause ("Lisbon and Maria signed").
    ``places`` are the model's spans of places, firms, products and languages (its rehearsed labels).
    """
    if acts_after(text, end):
        return False  # "… went to Lisbon and Maria signed for it": a new clause, its subject a person
    for place_start, place_end in places:
        if place_end <= start and _JOINT_RE.fullmatch(text, place_end, start):
            return True
        if place_start >= end and _JOINT_RE.fullmatch(text, end, place_start):
            return True
    return False
