"""Is a PERSON guess (one word or more) a label, a feature or a plan here? (second stage, no name lists)

Product and help-desk text capitalizes its own vocabulary: buttons and menu items
("choose Remove All"), features ("Parental Controls are reset"), plans ("upgrade
from Starter to Growth"), error messages (``"Licence Limit Reached"``). The NER
reads many of these as people. A guess is a label when

* a verb of the user interface or for software comes right before it ("click",
  "tap", "press", "select", "choose", "toggle", "tick", "enable", "disable",
  "install", "download", "launch", "reboot", "restart", "reset"), unless a role
  follows ("select Anna as the approver"), or opens a guess of several words
  ("Install Authenticator");
* a subject pronoun comes right before it ("once they Settle"): it is a verb;
* it is a status read off a screen: right after "says", "shows", "reads" or
  "displays" and ending its clause ("it says Ready.");
* it is the subject of a plural verb ("Parental Controls are", "Bank Feeds were"),
  which one person never is (after a comma or "and" it may end a list of people:
  "Anna and Bob are"; "Priya are you there?" is a question to her);
* a change of plan points at it ("upgrade to Plus", "downgrade from Premium to Basic");
* it fills a quoted string right after a word for an error or a message
  (``fails with "Licence Limit Reached"``);
* it is several words and the last has an ending no surname has ("Overdraft Protection"; "-tion",
  "-sion", "-ment" after four letters, "-ship", "-ology", "-ware", "-ities");
* it is an all-capitals word right after a time ("01:00-03:00 UTC"): a time zone;
* it is one word and a heading: followed by a colon after a sentence's end or a list
  number on its line ("… on Thursday. Agenda: …", "3. Roadmap: …"; a speaker opens the line);
* it is one word opening its line as a form field's label in any language: a number right
  after its colon ("Telefone: +351 …"), a value with a digit and no lower-case word
  ("Maintenance: Tuesday 01:00 UTC"), or lower-case words between it and the colon that are
  not a speaking verb ("Adresse de livraison :"; "Anna: hi" and "Anna wrote:" are speakers);
* it is one gerund of ten letters or more ("Fundraising", "Bookkeeping");
* a hyphenated part before its last is an English function word of three letters or
  more ("Off-Peak", "Pay-As-You-Go"; "Do-Yun", "So-Yeon" have shorter parts).

A possessive after it ("select Anna's account") keeps it a person. Everything here is grammar: verbs, agreement, punctuation and word endings, never names.
"""

from __future__ import annotations

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from agentconsole.privacy.lexicon import FOREIGN_SPEAKING_VERBS, IRREGULAR_FINITE_VERBS, alternation
from agentconsole.privacy.recognizers.thing_context import POSSESSIVE_AFTER_RE

_UI_VERBS = (
    r"click|clicks|clicked|clicking|tap|taps|tapped|tapping|press|pressed|pressing|"
    r"select|selects|selected|selecting|choose|chooses|chose|choosing|toggle|toggled|tick|ticked|untick|unticked|"
    r"uncheck|unchecked|enable|enabled|enabling|disable|disabled|disabling|"
    # verbs for software: "Install Authenticator", "Reset MFA", "reboot Orion"
    r"(?:re|un)?install(?:s|ed|ing)?|download(?:s|ed|ing)?|(?:re)?launch(?:es|ed|ing)?|reboot(?:s|ed|ing)?|"
    r"restart(?:s|ed|ing)?|reset(?:s|ting)?"
)
_UI_VERB_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}\p{N}'’])(?:" + _UI_VERBS + r")(?:[ \t]+on)?[ \t]+\Z", regex.IGNORECASE
)
_UI_VERB_RE = regex.compile(_UI_VERBS, regex.IGNORECASE)
# "select Anna as the approver": a person picked for a role.
_ROLE_AFTER_RE = regex.compile(r"[ \t]+as[ \t]+(?:the|a|an|our|my|your)?[ \t]*\p{Ll}")
# A plural verb after the guess, not a question to the person ("Priya are you there?").
_PLURAL_VERB_AFTER_RE = regex.compile(
    r"[ \t]+(?:are|were|have[ \t]+been|aren't|aren’t|weren't|weren’t)(?![\p{L}])"
    r"(?![ \t]+(?:you|u|we|they|ya)(?![\p{L}]))",
    regex.IGNORECASE,
)
_JOINED_BEFORE_RE = regex.compile(r"(?:,|&|\+|/|(?<![\p{L}])(?:and|or|nor))[ \t]*\Z", regex.IGNORECASE)
_PLAN_CHANGE_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}])(?:upgrad|downgrad)(?:e|es|ed|ing)[ \t]+(?:(?:my|our|the|your)[ \t]+"
    r"(?:plan|account|subscription|package|licen[cs]e)[ \t]+)?(?:from[ \t]+\p{Lu}[\p{L}\-]*[ \t]+)?(?:to|from)[ \t]+\Z",
    regex.IGNORECASE,
)
_ERROR_WORD_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}])(?:error|errors|message|warning|alert|banner|pop-?up|prompt|status|notice|"
    r"fails[ \t]+with|failed[ \t]+with|failing[ \t]+with|returns|returned|throws|threw|gives|gave|giving|"
    r"displays|displayed|displaying)[ \t:]*[\"“'‘]\Z",
    regex.IGNORECASE,
)
_SUBJECT_PRONOUN_BEFORE_RE = regex.compile(r"(?:^|[^\p{L}'’])(?:they|we|it|he|she)[ \t]+\Z", regex.IGNORECASE)
_STATUS_VERB_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}])(?:says|shows|showed|showing|reads|displays|displayed|displaying)[ \t]+\Z", regex.IGNORECASE
)
_CLAUSE_END_RE = regex.compile(r"[ \t]*(?:[.,;!?)]|\n|\Z)")
# Before a "Word:" heading on its line: a sentence's end, or a list number.
_HEADING_BEFORE_RE = regex.compile(r"(?m)(?:\S[ \t]*[.!?]|^[ \t]*\d{1,2}[.)])[ \t]+\Z")
_QUOTE_CLOSERS = frozenset("\"”'’")
# Endings of English abstract and collective nouns, for the last word of a several-word guess.
_ABSTRACT_LAST_RE = regex.compile(
    r"\p{L}{2}(?:tions?|sions?|(?<=\p{L}{4})ments?|ships?|ology|wares?|ities)$", regex.IGNORECASE
)
# A form field's label at the start of its line, in any language: a number right after the colon
# ("Telefone: +351 …", "Teléfono: 612 …") or a value with a digit and no lower-case word
# ("Maintenance: Tuesday 01:00-03:00 UTC"), or lower-case words before it ("Adresse de livraison :",
# "numéro client : 8810"). A speaker's name is followed by the colon and words ("Anna: hi") or by a
# speaking verb ("Anna wrote:"), which ends in -s or -ed or is one of the irregular ones.
_FIELD_LEAD_RE = regex.compile(r"[ \t]*(?:[-*•][ \t]*)?")
# A number-first value is a field when no word follows the number, or when it is a long number or
# a date ("Dates: 2025-01-14 to …"); "Anna: 2 more failed" and "Priya: 10:15 works" are a chat
# speaker's lines.
_NUMBER_FIELD_AFTER_RE = regex.compile(
    r"[ \t]*:[ \t]*(?:[+(]?\d[\d \t.:/+-]*+(?![\p{L}])"  # a number with no word after it
    r"|[+(]?\d{4}|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"  # a long number, a date
    r"|(?=[^\n]*\d)(?![^\n]*(?<![\p{L}'’])\p{Ll}{2})\S)"  # or a digit and no lower-case word
)
_WORDS_FIELD_AFTER_RE = regex.compile(
    r"(?:[ \t]+(?!\p{Ll}+(?:ed|s)(?![\p{L}])|(?:"
    + alternation(IRREGULAR_FINITE_VERBS + FOREIGN_SPEAKING_VERBS + ("from", "at", "here"))
    + r")(?![\p{L}]))\p{Ll}+){1,2}[ \t]*:(?![\p{L}\p{N}])"
)
_TIME_BEFORE_RE = regex.compile(r"(?:\d[:.]\d\d|\d[ \t]*(?:am|pm))[ \t]*\Z", regex.IGNORECASE)
_ALL_CAPS_RE = regex.compile(r"\p{Lu}{2,5}")
# A gerund of ten letters or more ("Fundraising", "Bookkeeping"): a department or an activity.
_LONG_GERUND_RE = regex.compile(r"\p{Lu}\p{Ll}{6,}ing")


def used_as_label(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` (a PERSON guess after trimming) is a label, feature or plan here (see the module)."""
    if POSSESSIVE_AFTER_RE.match(text, end):
        return False  # "select Anna's account", "reset Jonas's password"
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 60) : start]
    if _SUBJECT_PRONOUN_BEFORE_RE.search(before):
        return True  # "once they Settle": a verb
    if _STATUS_VERB_BEFORE_RE.search(before) and _CLAUSE_END_RE.match(text, end):
        return True  # "it says Ready.", "the tile shows Unmatched,": a status
    if _UI_VERB_BEFORE_RE.search(before) and not _ROLE_AFTER_RE.match(text, end):
        return True
    if _PLAN_CHANGE_BEFORE_RE.search(before):
        return True
    if _PLURAL_VERB_AFTER_RE.match(text, end) and not _JOINED_BEFORE_RE.search(before):
        return True
    value = text[start:end]
    words = value.split()
    if len(words) > 1 and _UI_VERB_RE.fullmatch(words[0]):
        return True  # "Install Authenticator", "Reset MFA": the verb opens the guess
    if len(words) > 1 and _ERROR_WORD_BEFORE_RE.search(before) and text[end : end + 1] in _QUOTE_CLOSERS:
        return True
    if len(words) > 1 and _ABSTRACT_LAST_RE.search(words[-1]):
        return True
    if len(words) == 1 and text[end : end + 1] == ":" and _HEADING_BEFORE_RE.search(text, line_start, start):
        return True  # "… Thursday. Agenda: …", "3. Roadmap: …": a heading, not a speaker (they open a line)
    if (
        len(words) == 1
        and _FIELD_LEAD_RE.fullmatch(text, line_start, start)
        and (_NUMBER_FIELD_AFTER_RE.match(text, end) or _WORDS_FIELD_AFTER_RE.match(text, end))
    ):
        return True  # "Telefone: +351 …", "Adresse de livraison :": a form field's label
    if len(words) == 1 and _LONG_GERUND_RE.fullmatch(value):
        return True
    if any(part.casefold() in STOP_WORDS and len(part) >= 3 for part in value.split("-")[:-1]):
        return True
    return bool(_ALL_CAPS_RE.fullmatch(value) and _TIME_BEFORE_RE.search(before))
