"""Is a one-word PERSON guess used as a thing or a place? (second stage, no name lists)

Products, themes, templates, plans, furniture ranges and servers are often
named with first names or places ("Winston is the default", "the Albert is the
two-seater", "the Madison cluster", "the supplier in Porto"). The NER reads
the word as a person; its neighbours say otherwise. A one-word guess is a thing
when, anywhere in the same text, the same word

* follows an article or a demonstrative ("the Albert", "a Camden", "this
  Holly"), which a person's name almost never does in English;
* is followed by a noun for a product, a software part or a site ("Madison
  cluster", "Holly template", "Chester sofa", "Bristol warehouse"), alone, with
  others ("the Phoenix and Austin data centres") or in apposition ("Oscar (our
  chatbot)", "Canvas, our new whiteboard");
* is the subject of a predicate only things take, alone or with others ("Winston
  is the default", "Grace is discontinued", "Sierra and Ventura are no longer
  supported", "Victoria ships with ...");

or, at this mention, it

* follows a place preposition ("in", "within", "across", "near"...), except
  after a verb that brings a person in ("loop in", "cc in", "bring in");
* sits inside a short quoted string or inline code with nothing around it
  that says "person" (an error message, a label: ``"Gateway unreachable"``).

Everything here is grammar: articles, prepositions and nouns for kinds of
things, never names.
"""

from __future__ import annotations

import regex

from agentconsole.privacy.recognizers.person_context import has_person_context, word_positions

_DETERMINER_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}\p{N}'’])(?:the|a|an|this|that|these|those|each|every|which)[ \t]+\Z"
)
# Nouns for kinds of things named like people: products and their parts, software, sites.
_THING_NOUNS = (
    "theme|themes|template|templates|layout|layouts|skin|skins|font|fonts|typeface|style|styles|preset|presets|"
    "plan|plans|tier|tiers|edition|editions|bundle|bundles|package|packages|licen[cs]e|subscription|"
    "range|ranges|series|model|models|collection|collections|variant|variants|version|versions|"
    "cluster|clusters|server|servers|instance|instances|node|nodes|database|environment|region|tenant|workspace|"
    "pipeline|runner|agent[ \t]+pool|repo|repository|branch|build|plugin|plugins|add-on|addon|extension|"
    "widget|module|library|framework|api|sdk|app|bot|chatbot|integration|connector|workflow|"
    "campaign|newsletter|dashboard|form|kit|sofa|sofas|couch|chair|chairs|desk|desks|table|tables|"
    "bed|beds|lamp|lamps|cushion|cushions|cabinet|shelf|shelves|rack|shoe|shoes|jacket|bag|"
    "router|routers|printer|printers|speaker|speakers|headset|dock|scanner|camera|reader|machine|device|devices|"
    "console|kiosk|tablet|laptop|charger|modem|remote|remotes|"
    # parts of a user interface and a service: "the Sync button", "Upload handler", "Mercury hosting"
    "button|buttons|tab|tabs|menu|menus|screen|screens|icon|icons|toggle|toggles|banner|banners|folder|folders|"
    "setting|settings|preferences|panel|panels|dialog|dialogue|window|handler|handlers|feature|features|mode|"
    "hosting|tariff|tariffs|notifications?|permissions?|shortcuts?|whiteboard|tool|tools|"
    "office|offices|store|stores|shop|branch|warehouse|depot|hub|site|campus|building|data[ \t]+cent(?:re|er)s?|"
    "datacent(?:re|er)s?|airport|station|mall"
)
# Not a verb: "Does Anna plan to renew?", "can Anna form the team"
_THING_NOUN_AFTER_RE = regex.compile(
    r"[ \t]+(?:" + _THING_NOUNS + r")(?![\p{L}\p{N}\-])"
    r"(?![ \t]+(?:to|the|a|an|my|our|your|his|her|their|it|them|this|that|these|those)(?![\p{L}]))"
)
# A thing's noun in apposition: "Oscar (our chatbot)", "Canvas, our new whiteboard".
_APPOSITION_AFTER_RE = regex.compile(
    r"[ \t]*[,(][ \t]*(?:our|the|a|an|your|their|my)[ \t]+(?:(?:new|own|old|internal|free)[ \t]+)?"
    r"(?:" + _THING_NOUNS + r")[ \t]*(?:[)\].,;:!?]|\n|\Z)"  # the noun ends it: "the new office manager" is a person
)
# Predicates only things take: "is the default", "is discontinued", "ships with".
_THING_PREDICATE_RE = regex.compile(
    r"[ \t]+(?:is|was|are|were)[ \t]+(?:(?:now|still|not|no[ \t]+longer|also)[ \t]+)?"
    r"(?:the[ \t]+default|default|deprecated|discontinued|pre-?installed|installed|uninstalled|enabled|disabled|"
    r"out[ \t]+of[ \t]+stock|in[ \t]+stock|sold[ \t]+out|back[ \t]+in[ \t]+stock|bundled|compatible|"
    r"(?:un)?supported|the[ \t]+(?:cheapest|cheaper|smaller|larger|bigger|lighter|heavier|newer|older)[ \t]+"
    r"(?:one|model|version|option))"
    r"|[ \t]+(?:ships|shipped|comes)[ \t]+with"
    r"|[ \t]+(?:supports|crashes|renders|syncs|integrates|reboots|freezes)(?![\p{L}])"
    r"|[ \t]+(?:keeps|kept)[ \t]+(?:crashing|freezing|rebooting|restarting|disconnecting|dropping|buffering)"
    r"|[ \t]+(?:won't|won’t|wont|will[ \t]+not|doesn't|doesn’t|isn't|isn’t)[ \t]+"
    r"(?:pair|pairing|connect|connecting|sync|syncing|load|loading|boot|booting|charge|charging|print|printing|"
    r"install|installing|update|updating|showing(?![ \t]+up))(?![\p{L}])",
    regex.IGNORECASE,
)
# Further capitalized words joined to a subject: ", Monterey and Ventura".
_CONJUNCTS_AFTER_RE = regex.compile(r"(?:[ \t]*(?:,|and|or|&)[ \t]+\p{Lu}[\p{L}\p{M}'\-]*){1,4}")
_PLACE_PREPOSITION_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}\p{N}])(?:(\p{L}+)[ \t]+)?(?:in|within|across|throughout|inside|outside|near|around)[ \t]+\Z",
    regex.IGNORECASE,
)
# Verbs that take a person with "in": "loop in Anna", "cc in Priya", "bring in Jonas".
_PERSON_IN_VERBS = frozenset(
    "loop looped looping cc cc'd ccd bring brought copy copied include included rope roped".split()
)
#: A possessive right after a word ("Anna's order", "the Jonases' account"): it keeps the word a person.
POSSESSIVE_AFTER_RE = regex.compile(r"(?:'s|’s|s'|’)(?![\p{L}])")
_KIN_GROUP_AFTER_RE = regex.compile(r"[ \t]+(?:family|families|household|twins|brothers|sisters|couple)(?![\p{L}])")
_QUOTE_PAIRS = {'"': '"', "“": "”", "„": "“", "«": "»", "`": "`"}
_MAX_QUOTED_WORDS = 6


def used_as_thing(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` (one capitalized word) is a product, site or label here (see the module)."""
    word = text[start:end]
    if POSSESSIVE_AFTER_RE.match(text, end) or _KIN_GROUP_AFTER_RE.match(text, end):
        return False  # "the Smith family", "Anna's order"
    if _after_place_preposition(text, start):
        return True
    if _in_short_quote(text, start, end):
        return True
    for at in word_positions(text, word):
        after = at + len(word)
        if POSSESSIVE_AFTER_RE.match(text, after) or _KIN_GROUP_AFTER_RE.match(text, after):
            continue
        line_start = text.rfind("\n", 0, at) + 1
        if _DETERMINER_BEFORE_RE.search(text[max(line_start, at - 20) : at]):
            return True
        if _THING_NOUN_AFTER_RE.match(text, after) or _THING_PREDICATE_RE.match(text, after):
            return True
        if _APPOSITION_AFTER_RE.match(text, after):
            return True  # "Oscar (our chatbot)", "Canvas, our new whiteboard"
        joined = _CONJUNCTS_AFTER_RE.match(text, after)  # "Sierra and Ventura are no longer supported"
        if (
            joined is not None
            and joined.end() > after
            and (_THING_PREDICATE_RE.match(text, joined.end()) or _THING_NOUN_AFTER_RE.match(text, joined.end()))
        ):
            return True  # also "the Phoenix and Austin data centres"
    return False


def _after_place_preposition(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    match = _PLACE_PREPOSITION_BEFORE_RE.search(text[max(line_start, start - 30) : start])
    return match is not None and (match.group(1) or "").casefold() not in _PERSON_IN_VERBS


def _in_short_quote(text: str, start: int, end: int) -> bool:
    """Inside `code`, or a short quoted string with nothing around the word that says "person"."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    for opener_at in range(start - 1, line_start - 1, -1):
        closer = _QUOTE_PAIRS.get(text[opener_at])
        if closer is None:
            continue
        if closer == text[opener_at] and text.count(closer, line_start, opener_at) % 2:
            return False  # the closing mark of an earlier quote: the word is outside it
        close_at = text.find(closer, end, line_end)
        if close_at == -1:
            return False
        quoted = text[opener_at + 1 : close_at]
        if text[opener_at] == "`":
            return True  # inline code: a key, a value, a command
        if len(quoted.split()) > _MAX_QUOTED_WORDS:
            return False
        # the model took one word of the quote: a capitalized neighbour in it is no surname ('"Quota Exceeded"')
        return not has_person_context(quoted, start - opener_at - 1, end - opener_at - 1, beside=False)
    return False
