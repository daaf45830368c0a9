"""Does the context say a lone capitalized word is a person? (second stage, no name lists)

The NER reads capitalized single words that are not names ("Excel", "Facilities",
"Natürlich", "Recommended") as people. A one-word PERSON guess is kept only
with *evidence* around it: a word that addresses or introduces a person before it
("Hi", "Dear", "my name is", "ask for", "spoke to", "my sister"), a verb of
speaking or contact after it ("said", "called", "will call"), a position names
take (alone on a line or before a colon, as a sign-off or a speaker; after a
dash), or a second capitalized mention in the same text. Everything here is
grammar: words around names, never names.
"""

from __future__ import annotations

import regex

from agentconsole.privacy.lexicon import (
    IRREGULAR_FINITE_VERBS,
    MODAL_VERBS,
    NOT_NAME_WORDS,
    SPEAKING_VERBS,
    TEAM_NOUNS,
    alternation,
)

#: Farewells and cheers the shared grammar word list does not carry: a message's last word, never a name.
FAREWELL_WORDS = frozenset(
    "bye goodbye byebye cya ttyl cheerio ta congrats congratulations kudos bravo tschüss tschüs adios adiós adieu "
    "arrivederci hejdå doei dovidenia nashledanou viszlát".split()
)
# Words or phrases right before a name that address, introduce or point at a person.
_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}\p{N}])(?:"
    r"hi+|hello|hey|hiya|heya|dear|thanks|thank[ \t]+you|thx|ty|cheers|morning|evening|afternoon|night|"
    r"sorry|bye|welcome|congrats|regards|best|love|yours|sincerely|"
    r"hallo|hola|bonjour|ciao|salut|liebe[rs]?|sehr[ \t]+geehrte[rs]?|cher|chère|querid[oa]|estimad[oa]|"
    r"name(?:[ \t]+is|'s|’s)?|names|named|called|call(?:ed)?[ \t]+me|this[ \t]+is|it's|it’s|its|it[ \t]+is|"
    r"i'm|i’m|im|i[ \t]+am|am|me|"
    r"ask(?:ed)?[ \t]+for|speak[ \t]+(?:to|with)|spoke[ \t]+(?:to|with)|talk(?:ed)?[ \t]+(?:to|with)|"
    r"chat(?:ted)?[ \t]+(?:to|with)|over[ \t]+to|passed[ \t]+to|transfer(?:red)?[ \t]+to|"
    r"call(?:ed)?|ring|rang|phone[ \t]+|text(?:ed)?|e-?mail(?:ed)?|message[ \t]+|contact(?:ed)?|"
    r"tell|told|ask|asked|thank|remind|cc|attn|fao|per|via|signed[ \t]+(?:for[ \t]+)?by|"
    r"collected[ \t]+by|from|by|for|with|(?:it|this|them|that|letter|parcel)[ \t]+to|deliver(?:ed)?[ \t]+to|addressed[ \t]+to|"
    r"mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|mme|mlle|señora?|sra?|"
    r"customer|client|caller|agent|rep|colleague|manager|technician|engineer|driver|courier|owner|holder|"
    r"contact|user|member|guest|passenger|patient|tenant|applicant|recipient|sender|"
    # form fields that hold a person (English, German, French, Spanish, Italian, Dutch)
    r"assignee|assigned[ \t]+to|reporter|requester|requestor|(?:submitted|opened|raised|handled|created|"
    r"updated|closed|reported|requested|approved|escalated)[ \t]+by|kunde|kundin|vorname|nachname|"
    r"ansprechpartner(?:in)?|kontakt|empfänger|absender|nom|prénom|destinataire|expéditeur|interlocuteur|"
    r"nombre|apellidos?|contacto|destinatario|remitente|cognome|referente|naam|voornaam|achternaam|"
    r"(?:to|an|à|von|de|para|da|van|aan|cc|bcc)[ \t]*:|"  # e-mail header fields: "To: Anna", "Von: Jonas"
    r"my|our|his|her|their|your|"
    r"son|daughter|wife|husband|partner|mum|mom|mother|dad|father|brother|sister|friend|neighbou?r|boss|"
    r"grandma|grandmother|grandpa|grandfather|aunt|uncle|cousin|nephew|niece|carer|fianc[ée]e?|"
    r"ok|okay|yes|yeah|no|great|perfect|"
    r"\p{Lu}"  # an initial: "A. Eriksen", "M. Quintero"
    r")[ \t]*[.,:\-–—]?[ \t]*\Z",
    regex.IGNORECASE,
)
# Words right after a name: the person speaks, acts or is addressed.
_AFTER_RE = regex.compile(
    r"[ \t]*(?:'s|’s)?[ \t]*(?:" + alternation(SPEAKING_VERBS) + r"|wants|wanted|"
    r"needs|needed|will|would|can|could|should|has|had|was|is[ \t]+(?:on|off|away|out|back|my|our|the[ \t]+"
    r"(?:account|card)|going|calling|handling|looking|taking|expecting|waiting|asking|not|also|still)|"
    r"here|again|also|too|speaking|aware|available|covering|on[ \t]+(?:leave|holiday|vacation)|off[ \t]+sick|"
    r"from|and|&|or|on[ \t]+the[ \t]+line|left|joined|signed|collected|paid|ordered|"
    r"bought|moved|lives|lived|prefers|preferred|expects|expected|thinks|thought|knows|"
    r"who|whose|at|in[ \t]+(?:billing|accounts|returns|sales|support)|via|"
    r"\(|<|,[ \t]+(?:can|could|would|please|thanks|thank|i|we|you|my|our|his|her|the|is|are|yes|no|ok)\b"
    r")",
    regex.IGNORECASE,
)
_LINE_REST_RE = regex.compile(r"[ \t]*[,.!:;)]?[ \t]*(?:\r?\n|\Z)")
_SALUTATION_END_RE = regex.compile(r"[ \t]*[,!][ \t]*(?:\r?\n|\Z)")
_LINE_LEAD_RE = regex.compile(r"[ \t>*•\-–—@(\[\"'“]*\Z")
_WORD_BEFORE_RE = regex.compile(r"(?:^|(?<=[^\p{L}\p{M}'’\-]))([\p{L}][\p{L}\p{M}'’\-]*)[ \t]+\Z")
_WORD_AFTER_RE = regex.compile(r"[ \t]+([\p{L}][\p{L}\p{M}'’\-]*)")
_SENTENCE_START_RE = regex.compile(r"(?:^|[.!?][ \t]+)\Z")
_SPEAKER_RE = regex.compile(r"[ \t]*(?:\([^)\n]{0,30}\)[ \t]*)?:")


def has_person_context(text: str, start: int, end: int, *, beside: bool = True) -> bool:
    """Is there evidence that ``text[start:end]`` (one capitalized word) is a person?

    ``beside=False`` leaves out the evidence of another capitalized word next to it (in a
    quoted label, "Quota Exceeded", the neighbour is part of the label, not a surname).
    """
    line_start = max(text.rfind("\n", 0, start) + 1, 0)
    before = text[max(line_start, start - 60) : start]
    if _BEFORE_RE.search(before):
        return True
    if _AFTER_RE.match(text, end):
        return True
    at_line_start = _LINE_LEAD_RE.fullmatch(before) is not None
    if at_line_start and _LINE_REST_RE.match(text, end):
        return True  # alone on its line: a sign-off, a name under a greeting
    if _SALUTATION_END_RE.match(text, end) and len(text[line_start:start].split()) <= 3:
        return True  # "Dzień dobry Shannon,", "Tere Dániel,": a salutation line in any language
    if at_line_start and _SPEAKER_RE.match(text, end):
        return True  # "Anna: hi" / "Anna (customer): ..." a speaker in a chat log
    if beside and _name_beside(text, before, line_start, start, end):
        return True
    word = text[start:end]
    return len(word_positions(text, word)) >= 2


# A finite verb or a modal right after a word: it is the subject of a clause ("… and Maria signed").
_VERB_AFTER_RE = regex.compile(
    r"[ \t]+(?:will|would|can|could|should|must|may|might|has|had|was|is|did|does)(?![\p{L}])", regex.IGNORECASE
)


def acts_after(text: str, end: int) -> bool:
    """A verb right after ``text[:end]`` whose subject it is: a finite verb or a modal ("Maria signed", "Maria will")."""
    return bool(_FINITE_AFTER_RE.match(text, end) or _VERB_AFTER_RE.match(text, end))


def _name_like(word: str) -> bool:
    return word[:1].isupper() and word.casefold().strip("'’-") not in NOT_NAME_WORDS


def _name_beside(text: str, before: str, line_start: int, start: int, end: int) -> bool:
    """Another capitalized word right beside it, not a sentence opener: "Jonas Volkov", "John Clements"."""
    prev = _WORD_BEFORE_RE.search(before)
    if prev is not None and _name_like(prev.group(1)):
        opener_at = len(before) - len(prev.group(0))
        if not _SENTENCE_START_RE.search(before[:opener_at]) or not before[:opener_at].strip():
            return True
    nxt = _WORD_AFTER_RE.match(text, end)
    if nxt is not None and _name_like(nxt.group(1)):
        return not _SENTENCE_START_RE.search(before) or not before.strip()
    return False


def word_positions(text: str, word: str) -> list[int]:
    """Where ``word`` occurs in ``text`` as a whole word (no letter or digit either side)."""
    found = []
    at = text.find(word)
    while at != -1:
        after = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (after == len(text) or not text[after].isalnum()):
            found.append(at)
        at = text.find(word, at + 1)
    return found


# Words right before a name that can only address or introduce a person (greetings, honorifics,
# "my name is"): the strong evidence a word that is otherwise a date or an acronym needs ("Hi Mai,").
_ADDRESSED_BEFORE_RE = regex.compile(
    r"(?:^|[^\p{L}\p{N}])(?:"
    r"hi+|hello|hey|hiya|dear|thanks|thank[ \t]+you|cheers|hallo|hola|bonjour|ciao|salut|liebe[rs]?|"
    r"sehr[ \t]+geehrte[rs]?|cher|chère|querid[oa]|estimad[oa]|"
    r"name(?:[ \t]+is|'s|’s)?|named|call(?:ed)?[ \t]+me|this[ \t]+is|i'm|i’m|i[ \t]+am|"
    r"mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|mme|mlle|señora?|sra?|"
    r"ask(?:ed)?[ \t]+for|spoke[ \t]+(?:to|with)|speak[ \t]+(?:to|with)|talk(?:ed)?[ \t]+(?:to|with)|"
    r"my[ \t]+(?:son|daughter|wife|husband|partner|mum|mom|mother|dad|father|brother|sister|friend|colleague)"
    r")[ \t]*[.,:]?[ \t]*\Z",
    regex.IGNORECASE,
)


def addressed_as_person(text: str, start: int, end: int) -> bool:
    """Strong evidence only: a greeting, an honorific or an introduction before it, or alone on its line.

    For words that are something else first (a month of another language, an acronym),
    where the weaker cues of ``has_person_context`` ("for", a bracket after) are not enough.
    """
    line_start = max(text.rfind("\n", 0, start) + 1, 0)
    before = text[max(line_start, start - 60) : start]
    if _ADDRESSED_BEFORE_RE.search(before):
        return True
    if _LINE_LEAD_RE.fullmatch(before) is not None and _LINE_REST_RE.match(text, end):
        return True  # alone on its line: a sign-off
    return bool(_SALUTATION_END_RE.match(text, end) and len(text[line_start:start].split()) <= 3)


# After a modal verb used as a name: a finite verb, maybe with a surname between ("Will Turner
# called", "Hope said"); a modal opening a question takes a bare verb ("Will Turner call?").
_FINITE_AFTER_RE = regex.compile(
    r"(?:[ \t]+\p{Lu}[\p{L}'’\-]+)?[ \t]+(?:\p{Ll}{2,}(?:ed|s)|" + alternation(IRREGULAR_FINITE_VERBS) + r")(?![\p{L}])"
)
# A team a person is from or in: "from your Billing team", "in our Legal team", "from billing" (not
# a product named after one: "Copilot in Teams").
TEAM_AFTER = (
    r"(?i:(?:from|in|at)[ \t]+(?:(?:(?:your|our|the|my)[ \t]+)?(?:\p{L}[\p{L}\-]*[ \t]+){1,2}?"
    r"(?:team|department|dept|desk|squad)|(?:the[ \t]+)?(?:" + alternation(TEAM_NOUNS) + r"))(?![\p{L}]))"
)
_TEAM_AFTER_RE = regex.compile(r"[ \t]+" + TEAM_AFTER)
_CAPITALIZED_BEFORE_RE = regex.compile(r"(\p{Lu}\p{Ll}+)[ \t]+\Z")
_OPENING_BEFORE_RE = regex.compile(r"(?m)(?:^[ \t]*(?:[-*•>][ \t]*)?|[.!?:;][ \t]+)\Z")


def verb_as_name(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is a capitalized modal verb or "hope" that is a given name here.

    Addressed as a person ("Hi Will,", "Thanks, Hope!"), followed by a finite verb ("Will said",
    "Will Turner called") or by the team the person is in ("Will from the Payroll team"), or capitalized inside a sentence ("ask Will Turner"). "Will you …" and
    "Hope this helps" are none of these.
    """
    word = text[start:end]
    if word.casefold() not in MODAL_VERBS or not (word[:1].isupper() and word[1:].islower()):
        return False
    if addressed_as_person(text, start, end) or _FINITE_AFTER_RE.match(text, end) or _TEAM_AFTER_RE.match(text, end):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return not _OPENING_BEFORE_RE.search(text, line_start, start) and any(ch.islower() for ch in text[:start])


def with_verb_as_name(text: str, start: int, end: int) -> int:
    """The start of a name that a capitalized modal verb right before it opens ("Will Turner called")."""
    line_start = text.rfind("\n", 0, start) + 1
    before = _CAPITALIZED_BEFORE_RE.search(text, line_start, start)
    if before is None:
        return start
    at: int = before.start(1)
    return at if verb_as_name(text, at, before.end(1)) else start
