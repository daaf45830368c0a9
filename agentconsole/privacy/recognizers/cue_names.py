"""One-word names in unambiguous person positions, which the trained NER never proposed (on by default).

The strict successor of the previous engine's cue rule (``names.py``, off by
default): only places where a capitalized word can hardly be anything but a
person, and every candidate then passes the same second-stage checks as the
model's own one-word guesses (``model_entities.checked_person_span``: grammar,
calendar and department words, labels, things, the word in lower case
elsewhere in the text). The positions:

* a salutation opening a line: "Hi Camille,", "Dear Connor", "Hello Anouk!";
* a name alone on the line after a closing: "Thanks,\\nConnor";
* an introduction: "my name is Ines", "this is Ines from ...", "Ines here";
* a request about a person: "ask/cc/ping/tell/loop in Ines" followed by
  punctuation or a small word ("the", "about", "who", ...); "speak with / check
  with / assigned to Ines" only before a question mark or a small word (a team
  is spoken to and assigned to as well: "Spoke to Warehouse,");
* a relative or colleague named: "our manager Ines needs ...".

Left out: a verb of speaking after the word ("Ines said"): firms speak too
("Microsoft said the license is fine").

Grammar only: no list of names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex

from agentconsole.privacy.lexicon import (
    CALENDAR_WORDS,
    NOT_NAME_WORDS,
    SPEAKING_VERBS,
    alternation,
    word_key,
)
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.model_entities import checked_person_span
from agentconsole.privacy.recognizers.person_context import TEAM_AFTER, verb_as_name

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult
    from spacy.tokens import Doc

PERSON = "PERSON"
_NAME = r"(?P<name>\p{Lu}\p{Ll}[\p{Ll}\p{M}]*(?:['’\-]\p{Lu}?\p{Ll}[\p{Ll}\p{M}]*)?)"
# punctuation, or a lower-case word, right after the name ("tell Ines the ...", "ask Ines?")
_AFTER_OK = r"(?=[ \t]*[,.!?;:)](?![\p{L}\p{N}_/\\])|[ \t]+\p{Ll}|[ \t]*(?:\r?\n|\Z))"
# after a request: punctuation, or a small word that cannot be part of a thing's name
# ("tell Ines the ...", "ask Ines about ...", but not "told Nonprofit pricing applies")
_SMALL_WORDS = (
    r"[ \t]+(?:the|a|an|to|that|about|if|whether|when|what|how|why|for|on|in|again|so|and|or|who|i|we|you|he|"
    r"she|they|it|me|us|my|our|your|his|her|their|is|was|has|had|will|can|could|would|needs|wants|said|says|"
    r"asked)(?![\p{L}])"
)
_SMALL_AFTER = r"(?=[ \t]*[,.!?;:)](?![\p{L}\p{N}_/\\])|[ \t]*(?:\r?\n|\Z)|(?:'s|’s)(?![\p{L}])|" + _SMALL_WORDS + ")"
_SMALL_WORD_AFTER = r"(?=[ \t]*[?!]|(?:'s|’s)(?![\p{L}])|" + _SMALL_WORDS + ")"
# Words a person follows inside a sentence: a question's auxiliary ("Could Will from …"), "to", verbs
# of contact ("ask Ines from billing"); not a verb that takes a thing ("got Feedback from the Sales team").
_TAKES_A_PERSON = (
    r"(?<![\p{L}])(?i:could|can|would|will|did|does|has|had|may|might|should|is|was|to|ask|asked|tell|told|"
    r"call|called|cc|ping|pinged|e-?mail|e-?mailed|message|messaged|contact|contacted|remind|reminded|thank|thanked)"
)
_CUE_RES = (
    # a salutation opening a line, the name ending the greeting
    regex.compile(
        r"(?im)^[ \t]*(?:hi|hello|hey|hiya|dear|good[ \t]+(?:morning|afternoon|evening))[ \t]+"
        + _NAME
        + r"(?=[ \t]*[,!:\-–—](?![\p{L}\p{N}])|[ \t]*(?:\r?\n|\Z))"
    ),
    # a closing line, then the name alone on the next line
    regex.compile(
        r"(?im)^[ \t]*(?:thanks|thank[ \t]+you|many[ \t]+thanks|cheers|regards|best|best[ \t]+regards|"
        r"kind[ \t]+regards|warm[ \t]+regards|sincerely|yours[ \t]+(?:sincerely|truly|faithfully))[ \t]*[,.!]?"
        r"[ \t]*\r?\n[ \t]*" + _NAME + r"[ \t]*[.!]?[ \t]*(?=\r?\n|\Z)"
    ),
    # an introduction
    regex.compile(r"(?i:(?<![\p{L}])my[ \t]+name[ \t]+is[ \t]+)" + _NAME + _AFTER_OK),
    regex.compile(
        r"(?i:(?<![\p{L}])this[ \t]+is[ \t]+)"
        + _NAME
        + r"(?=[ \t]+(?i:from|here)(?![\p{L}])|[ \t]*[,!](?![\p{L}\p{N}]))"
    ),
    regex.compile(r"(?m)(?:^|(?<=[.!?,][ \t]+))" + _NAME + r"(?=[ \t]+here[ \t]*(?:[,.!\-–—]|\r?\n|\Z))"),
    # a request about a person, or a person one speaks with
    regex.compile(
        r"(?i:(?<![\p{L}])(?:ask|asked|cc|ping|pinged|tell|told|loop[ \t]+in|looped[ \t]+in)[ \t]+)"
        + _NAME
        + _SMALL_AFTER
    ),
    # a team can be spoken to or assigned too ("Spoke to Warehouse,", "assigned to Networks."): only with a
    # question or a small word after it
    regex.compile(
        r"(?i:(?<![\p{L}])(?:(?:speak|spoke|talk|talked|check|checked)[ \t]+(?:with|to)|assigned[ \t]+to)[ \t]+)"
        + _NAME
        + _SMALL_WORD_AFTER
    ),
    # a member of a team, after a word that takes a person: "Could Will from your Billing team call me",
    # "send it to Hope in our Legal team", "ask Ines from billing"
    regex.compile(r"(?<=" + _TAKES_A_PERSON + r"[ \t]+)" + _NAME + r"(?=[ \t]+" + TEAM_AFTER + r")"),
    # … or opening a sentence, with a speaking verb after the team: "Mark from Sales says the router is fine"
    # (a speaking verb alone is no cue: firms and products speak too, "Kindle says it's your fault")
    regex.compile(
        r"(?<![\p{L}\p{N}'’.\-])"
        + _NAME
        + r"(?=[ \t]+"
        + TEAM_AFTER
        + r"[ \t]+(?:"
        + alternation(SPEAKING_VERBS)
        + r")(?![\p{L}]))"
    ),
    # a relative or colleague, named: "our manager Ines needs"
    regex.compile(
        r"(?i:(?<![\p{L}])(?:my|our|your)[ \t]+(?:manager|colleague|boss|supervisor|wife|husband|partner|son|"
        r"daughter|mother|father|mum|mom|dad|brother|sister|friend|flatmate|roommate|neighbou?r)[ \t]+)"
        + _NAME
        + _SMALL_AFTER
    ),
)


class CueNameRecognizer(SupportRecognizer):
    """A capitalized word in a position only a person takes, checked like the model's own one-word guesses."""

    ENTITIES = (PERSON,)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if text.isupper():
            return []  # shouting: every word is capitalized
        found: dict[tuple[int, int], RecognizerResult] = {}
        for pattern in _CUE_RES:
            for match in pattern.finditer(text):
                start, end = match.span("name")
                key = word_key(match.group("name"))
                if (start, end) in found or (
                    key in NOT_NAME_WORDS and key not in CALENDAR_WORDS and not verb_as_name(text, start, end)
                ):
                    continue  # (a calendar word is left to the checks: a name when a greeting addresses it, "Hi Jun,";
                    # a modal verb or "hope" to grammar: "Could Will from billing …", not "Will you …")
                if checked_person_span(text, start, end) is None:
                    continue
                found[(start, end)] = self._result(PERSON, start, end, 0.7)
        return list(found.values())
