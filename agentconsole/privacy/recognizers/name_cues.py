"""The conversational cue grammar of :class:`~agentconsole.privacy.recognizers.names.ContextNameRecognizer`.

Words that announce a name ("my name is", "Dear", "ask for", sign-offs) and
the shapes around one (a name before a verb of contact, before an address or
phone, alone at a line's end, "Last, First"). Grammar only: no names.
"""

from __future__ import annotations

import regex

from agentconsole.privacy.lexicon import HONORIFICS

# Cue strength: "strong" cues announce a name outright (lower case allowed);
# "weak" ones often precede a name but also ordinary words (capitalized proper
# noun required); "signoff" closes a message (name must end its line).
_STRONG = [
    r"my\s+n(?:ame|mae|aem|ane|am)\s+is",
    r"my\s+name's",
    r"my\s+names",
    r"(?:the\s+)?name\s+is",
    r"name's",
    r"(?:full\s+|first\s+|last\s+|customer\s+|client\s+|contact\s+|account\s+|holder'?s?\s+)?name\s*[:=\-–]",
    r"full\s+name\s+is",
    r"thanks\s+to",
    r"thank\s+you\s+to",
    r"name\s+on\s+(?:the\s+|my\s+)?(?:account|card|file|booking|order|reservation|ticket|invoice|policy)"
    r"(?:\s+(?:is|was|reads|says|shows))?\s*:?",
    r"account\s+holder(?:'s\s+name)?(?:\s+is)?",
    r"card\s?holder(?:'s\s+name)?(?:\s+is)?",
    r"call\s+me",
    r"ask\s+for",
    r"asked\s+for",
    r"asking\s+for",
    r"speak\s+(?:to|with)",
    r"spoke\s+(?:to|with)",
    r"talk(?:ed)?\s+(?:to|with)",
    r"talking\s+(?:to|with)",
    r"contact\s+person(?:\s+is)?",
    r"attn[:.]?",
    r"attention[:]",
    r"c/o",
    r"care\s+of",
    r"on\s+behalf\s+of",
    r"authori[sz]ed\s+user(?:\s+is)?",
    r"dear",
    HONORIFICS + r"\.?",
    r"my\s+(?:wife|husband|son|daughter|partner|mother|mom|mum|father|dad|brother|sister|colleague|"
    r"manager|boss|friend|neighbou?r|assistant|landlord|tenant|grandmother|grandfather|aunt|uncle|"
    r"cousin|fianc[ée]e?|girlfriend|boyfriend|spouse)(?:'s\s+name\s+is|\s+is\s+called|,)?",
    r"i\s+am",
    r"i'm",
    r"i’m",
    r"im",
    r"this\s+is",
    r"it's",
    r"its",
    r"it\s+is",
    r"here\s+is",
]
_ROLE = [
    r"hi",
    r"hello",
    r"hey",
    r"hiya",
    r"good\s+(?:morning|afternoon|evening)",
    r"agent",
    r"rep",
    r"representative",
    r"technician",
    r"engineer",
    r"courier",
    r"driver",
    r"installer",
    r"colleague",
    r"customer",
    r"client",
    r"caller",
    r"named",
    r"called",
    r"thanks\s+to",
    r"reporter",
    r"requester",
    r"tenant",
    r"landlord",
    r"patient",
    r"guest",
    r"passenger",
    r"recipient",
    r"sender",
    r"user",
    r"buyer",
    r"seller",
    r"owner",
    r"cardholder",
    r"manager",
    r"supervisor",
    r"accountant",
    r"assistant",
    r"name",
    r"names",
]
_PREP = [r"from", r"with", r"for", r"by", r"to", r"cc", r"and", r"per", r"under", r"via"]
# Verbs whose object is usually a person ("tell Kenji", "emailed Ortega"): unlike a
# preposition, a place after them is unlikely, so spaCy's GPE guess does not veto.
_VERB = [
    r"tell",
    r"told",
    r"ask",
    r"email(?:ed)?",
    r"e-mailed",
    r"text(?:ed)?",
    r"ping(?:ed)?",
    r"message[d]?",
    r"thank(?:ed)?",
    r"remind(?:ed)?",
    r"contact(?:ed)?",
    r"assign(?:ed)?",
    r"inform(?:ed)?",
    r"meet",
    r"met",
    r"phoned",
    r"help(?:ed)?",
    r"helping",
    r"paid",
    r"refund(?:ed)?",
    r"invoice[d]?",
    r"escalate[d]?",
    r"verified",
    r"authenticated",
    r"transferred\s+to",
    r"forwarded\s+to",
    r"add",
    r"added",
    r"remove[d]?",
    r"invite[d]?",
]
_SIGNOFF = [
    r"(?:kind|best|warm|warmest|many|with)\s+(?:regards|wishes|thanks)",
    r"regards",
    r"thanks",
    r"thank\s+you",
    r"thx",
    r"cheers",
    r"sincerely",
    r"yours\s+(?:sincerely|truly|faithfully)",
    r"best",
    r"respectfully",
    r"br",
    r"take\s+care",
    r"cordially",
    r"--",
    r"—",
]
CUE_RE = regex.compile(
    r"(?<![\p{L}\p{N}])(?:(?P<strong>"
    + "|".join(_STRONG)
    + r")|(?P<signoff>"
    + "|".join(_SIGNOFF)
    + r")|(?P<role>"
    + "|".join(_ROLE)
    + r")|(?P<prep>"
    + "|".join(_PREP)
    + r")|(?P<verb>"
    + "|".join(_VERB)
    + r"))(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
# Between a cue and the name: "is", a colon or comma; after a sign-off also one line break.
AFTER_CUE_RE = regex.compile(r"[ \t]*[:,\-]?[ \t]*")
AFTER_SIGNOFF_RE = regex.compile(r"[ \t]*[,.!:]?[ \t]*(?:\r?\n[ \t]*)?")
LINE_END_RE = regex.compile(r"[ \t]*[,.!]?[ \t]*(?:\r?\n|$)")
PUNCT_AFTER_RE = regex.compile(r"[ \t]*[,.!?;:)]")
GREETING_RE = regex.compile(
    r"(?:hi|hello|hey|hiya|dear|thanks|thank\s+you|cheers|good\s+(?:morning|afternoon|evening))[ \t,:\-]*",
    regex.IGNORECASE,
)


# "Kenji called yesterday", "Maria Lopez said...": a name right before a verb of contact.
NAME_BEFORE_VERB_RE = regex.compile(
    r"(?<![\p{L}\p{N}@.])(?P<name>\p{Lu}[\p{L}'’\-]+(?:[ \t]+\p{Lu}[\p{L}'’\-]+){0,2})[ \t]*(?<=[ \t]|(?=[(,]))"
    r"(?:said|says|called|calls|wrote|writes|asked|asks|mentioned|told|tells|replied|emailed|e-mailed|phoned|"
    r"texted|confirmed|reported|complained|explained|requested|contacted|visited|signed|paid|ordered|bought|"
    r"returned|received|approved|agreed|promised|insisted|rang|messaged|left\s+a|needs|wants|wanted|"
    r"will\s+(?:call|email|send|pick|come|visit|sign|pay)|has\s+(?:called|asked|paid|moved|left)|"
    r"is\s+(?:the\s+)?(?:account\s+holder|cardholder|customer|owner|tenant|on\s+leave|away|out)|"
    # appositions: "Yusuf (my flatmate)", "Anna, my wife,", "Priya from your team"
    r"[(,][ \t]*(?:my|our|the)[ \t]+(?:wife|husband|partner|son|daughter|mother|mom|mum|father|dad|brother|"
    r"sister|flatmate|roommate|housemate|colleague|manager|boss|friend|neighbou?r|assistant|landlord|tenant|"
    r"account\s+holder|cardholder|customer|client|technician|agent|accountant)|"
    r"from[ \t]+(?:your|the|our)[ \t]+(?:team|support|office|company|side|billing|store|shop|department|"
    r"dept|branch|help\s*desk))(?![\p{L}])"
)
# A name alone at the end of a message or line, after a comma or dash ("call me back asap, Nadia").
TRAILING_NAME_RE = regex.compile(
    r"(?:,|[ \t]-|–|—)[ \t]*(?P<name>\p{Lu}[\p{L}'’\-]+(?:[ \t]+\p{Lu}[\p{L}'’\-]+)?)[ \t]*[.!]?[ \t]*(?=\r?\n|\Z)"
)
# "(Ingeborg Svensson)": two or three capitalized words alone in parentheses.
PAREN_NAME_RE = regex.compile(r"\((?P<name>\p{Lu}[\p{L}'’\-]+(?:[ \t]+\p{Lu}[\p{L}'’\-]+){1,2})\)")
# A name right before contact details: a signature or postal block ("Anna Berg\n42 Elm St"),
# a CRM line ("priya karimi - (862) 063-6949"), an addressee ("to Tomasz Redcloud, 431 Ridgecrest Way").
NAME_BEFORE_CONTACT_RE = regex.compile(
    r"(?<![\p{L}\p{N}.@])(?P<name>(?:\p{Lu}\.|\p{Lu}[\p{L}'’\-]+)(?:[ \t]+(?:\p{Lu}\.|\p{Lu}[\p{L}'’\-]+|"
    r"van|von|de|da|del|della|der|den|la|le|bin|al)){1,3})"
    r"[ \t]*(?:[,|;\-–][ \t]*|\r?\n[ \t]*)"
    r"(?=\d{1,6}[A-Za-z]?[ \t]+\p{Lu}\p{Ll}|\+?[ \t]?\(?\d[\d \t()\-.]{6,}\d|[^\s@]+@|[Pp]\.?[ \t]?[Oo]\.?[ \t]?[Bb]ox)",
)
# "Sorensen, Zanele - requested closure": a CRM-style "Last, First" opening a line.
LAST_FIRST_RE = regex.compile(
    r"(?m)^[ \t]*(?P<name>\p{Lu}[\p{L}'’\-]+[ \t]*,[ \t]*\p{Lu}[\p{L}'’\-]+)(?=[ \t]*(?:[-–|:;(]|\r?\n|$))"
)
