"""People's names from context and shape, not from lists of names.

Three sources, combined by the engine's overlap resolution:

* spaCy's PERSON entities, cleaned (greetings and honorifics trimmed, junk
  such as "Regards" or an e-mail fragment rejected);
* conversational cues: "my name is ...", "this is ... from", "Dear ...",
  "ask for ...", "Mr ...", sign-offs ("Regards,\\nAnna Berg"), where the words
  after the cue are checked for the shape of a name: capitalized, all-caps or,
  after a strong cue, lower-case words that are not function words
  (part-of-speech from the tagger);
* runs of two or more capitalized proper nouns that spaCy left unlabelled or
  labelled as something it often confuses with people.
"""

from __future__ import annotations

from typing import Any

import regex

from agentconsole.privacy.lexicon import (
    HONORIFICS,
    NAME_PARTICLES,
    NON_NAME_POS,
    NOT_NAME_WORDS,
    ORGANIZATION_WORDS,
)
from agentconsole.privacy.recognizers.base import SupportRecognizer

PERSON = "PERSON"

_WORD = regex.compile(r"\p{L}\.|\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")
_GAP = regex.compile(r"[ \t]{1,3}|\.[ \t]{1,2}")

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
_CUE_RE = regex.compile(
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
_AFTER_CUE = regex.compile(r"[ \t]*[:,\-]?[ \t]*")
_AFTER_SIGNOFF = regex.compile(r"[ \t]*[,.!:]?[ \t]*(?:\r?\n[ \t]*)?")
_LINE_END = regex.compile(r"[ \t]*[,.!]?[ \t]*(?:\r?\n|$)")
_PUNCT_AFTER = regex.compile(r"[ \t]*[,.!?;:)]")
_GREETING_RE = regex.compile(
    r"(?:hi|hello|hey|hiya|dear|thanks|thank\s+you|cheers|good\s+(?:morning|afternoon|evening))[ \t,:\-]*",
    regex.IGNORECASE,
)

# spaCy labels the small model confuses with people; an ORG/GPE in a name cue is a name.
_NER_OTHER = frozenset({"ORG", "PRODUCT", "GPE", "FAC", "LOC", "NORP", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
_SCORES = {"strong": 0.85, "signoff": 0.8, "role": 0.75, "prep": 0.7, "verb": 0.7}
# Words that may open a PERSON entity and be trimmed off it: greetings, sign-offs with a
# name, honorifics, roles ("Hi John", "Dear Anna", "Dr Patel", "Agent Smith").
_ADDRESS_WORDS = frozenset(
    "hi hello hey dear thanks thank cheers regards mr mrs ms miss mx dr prof sir madam agent customer client "
    "colleague manager technician rep caller my our your".split()
)
_TIME_NOUNS = frozenset(
    "today tomorrow yesterday tonight morning afternoon evening night week weekend month year asap now".split()
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
# "Kenji called yesterday", "Maria Lopez said...": a name right before a verb of contact.
_NAME_BEFORE_VERB_RE = regex.compile(
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
_TRAILING_NAME_RE = regex.compile(
    r"(?:,|[ \t]-|–|—)[ \t]*(?P<name>\p{Lu}[\p{L}'’\-]+(?:[ \t]+\p{Lu}[\p{L}'’\-]+)?)[ \t]*[.!]?[ \t]*(?=\r?\n|\Z)"
)
# "(Ingeborg Svensson)": two or three capitalized words alone in parentheses.
_PAREN_NAME_RE = regex.compile(r"\((?P<name>\p{Lu}[\p{L}'’\-]+(?:[ \t]+\p{Lu}[\p{L}'’\-]+){1,2})\)")
# A name right before contact details: a signature or postal block ("Anna Berg\n42 Elm St"),
# a CRM line ("priya karimi - (862) 063-6949"), an addressee ("to Tomasz Redcloud, 431 Ridgecrest Way").
_NAME_BEFORE_CONTACT_RE = regex.compile(
    r"(?<![\p{L}\p{N}.@])(?P<name>(?:\p{Lu}\.|\p{Lu}[\p{L}'’\-]+)(?:[ \t]+(?:\p{Lu}\.|\p{Lu}[\p{L}'’\-]+|"
    r"van|von|de|da|del|della|der|den|la|le|bin|al)){1,3})"
    r"[ \t]*(?:[,|;\-–][ \t]*|\r?\n[ \t]*)"
    r"(?=\d{1,6}[A-Za-z]?[ \t]+\p{Lu}\p{Ll}|\+?[ \t]?\(?\d[\d \t()\-.]{6,}\d|[^\s@]+@|[Pp]\.?[ \t]?[Oo]\.?[ \t]?[Bb]ox)",
)
# "Sorensen, Zanele - requested closure": a CRM-style "Last, First" opening a line.
_LAST_FIRST_RE = regex.compile(
    r"(?m)^[ \t]*(?P<name>\p{Lu}[\p{L}'’\-]+[ \t]*,[ \t]*\p{Lu}[\p{L}'’\-]+)(?=[ \t]*(?:[-–|:;(]|\r?\n|$))"
)


class _TokenView:
    """Part-of-speech and NER labels by character offset (empty without a spaCy doc)."""

    def __init__(self, doc: Any) -> None:
        self.pos: dict[int, str] = {}
        self.person_chars: set[int] = set()
        self.other_ent_chars: set[int] = set()
        # non-person entities that are surely not a misread name: one word, or ending in "Bank", "Support"...
        self.firm_other_chars: set[int] = set()
        self.firm_org_chars: set[int] = set()  # the same, minus places
        self.place_chars: set[int] = set()  # GPE/LOC/FAC/NORP of any length
        self.has_doc = doc is not None
        if doc is None:
            return
        for token in doc:
            self.pos[token.idx] = token.pos_
        for ent in doc.ents:
            chars = range(ent.start_char, ent.end_char)
            if ent.label_ == "PERSON":
                self.person_chars.update(chars)
            elif ent.label_ in _NER_OTHER:
                self.other_ent_chars.update(chars)
                if ent.label_ in _PLACE_LABELS:
                    self.place_chars.update(chars)
                if len(ent) == 1 or ent[-1].text.casefold() in ORGANIZATION_WORDS:
                    self.firm_other_chars.update(chars)
                    if ent.label_ not in _PLACE_LABELS:
                        self.firm_org_chars.update(chars)


_NEXT_WORD = regex.compile(r"[ \t]+(\p{L}+)")
_NUMBER_AFTER = regex.compile(r"[ \t]+\d")


_DETERMINER_BEFORE = regex.compile(
    r"(?<![\p{L}])(?:a|an|the|these|those|its|my|our|your|their|his|her)[ \t]+\Z", regex.IGNORECASE
)


def _after_determiner(text: str, start: int) -> bool:
    """ "the Wrong Size", "our Finance": a determiner does not precede a person's name."""
    return bool(_DETERMINER_BEFORE.search(text[max(0, start - 12) : start]))


def _followed_by_organization_word(text: str, end: int) -> bool:
    """ "Contoso| Help Desk", "Northwind| Support": the name is a firm's."""
    match = _NEXT_WORD.match(text, end)
    return bool(match and match.group(1)[:1].isupper() and match.group(1).casefold() in ORGANIZATION_WORDS)


def _is_capitalized(word: str) -> bool:
    return word[:1].isupper()


def _looks_like_name_word(word: str, lowercase_ok: bool, pos: str | None, recased: bool = False) -> bool:
    if len(word) == 2 and word.endswith("."):
        return word[0].isupper() or lowercase_ok  # an initial
    low = word.casefold()
    if low in NOT_NAME_WORDS or (len(word) < 2 and not word.isupper()):
        return False
    if recased:  # capitals were added by us: judge it like a lower-case word
        return pos not in NON_NAME_POS and pos not in ("ADJ", "ADV")
    if word.isupper() and len(word) <= 3:
        return False  # "INV", "USA": an acronym
    if _is_capitalized(word):
        return pos not in ("AUX", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART")
    if not lowercase_ok or not word.islower():
        return False
    return pos not in NON_NAME_POS and pos not in ("ADJ", "ADV")


class ContextNameRecognizer(SupportRecognizer):
    """Names announced by conversational cues, and runs of capitalized proper nouns."""

    ENTITIES = (PERSON,)
    MAX_WORDS = 4

    def find(self, text: str, nlp_artifacts: Any) -> list[Any]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        view = _TokenView(doc)
        # A lower-case or shouted message was re-cased (same length) for spaCy: read the
        # shapes there too, but do not trust prepositions or proper-noun runs in it.
        recased = doc is not None and len(doc.text) == len(text) and doc.text != text
        shape_text = doc.text if recased else text
        results = []
        for cue in _CUE_RE.finditer(shape_text):
            kind = cue.lastgroup or "prep"
            if recased and kind in ("prep", "verb"):
                continue
            if kind == "verb" and view.has_doc and view.pos.get(cue.start()) not in ("VERB", None):
                continue  # "the Help Center": a capitalized noun, not the verb "help"
            span = self._name_after(shape_text, cue.end(), kind, view, recased=recased, cue_start=cue.start())
            if span is None and kind == "signoff":
                span = self._name_after(
                    shape_text, cue.end(), "role", view, after_signoff=True, recased=recased, cue_start=cue.start()
                )
            if span is None:
                continue
            start, end = span
            results.append(self._result(PERSON, start, end, _SCORES[kind]))
        for match in _NAME_BEFORE_VERB_RE.finditer(text if not recased else shape_text):
            start, end = match.span("name")
            words = match.group("name").split()
            # drop a sentence-opening word that is not a name ("Yesterday Kenji called")
            while words and words[0].casefold() in NOT_NAME_WORDS:
                start += len(words[0]) + (
                    len(text[start + len(words[0]) :]) - len(text[start + len(words[0]) :].lstrip(" \t"))
                )
                words.pop(0)
            if not words or any(w.casefold() in NOT_NAME_WORDS for w in words):
                continue
            if any(c in view.firm_org_chars for c in range(start, end)) or _after_determiner(text, start):
                continue
            if view.has_doc and view.pos.get(start) != "PROPN" and start not in view.person_chars:
                continue
            if recased and len(words) < 2 and start not in view.person_chars:
                continue
            results.append(self._result(PERSON, start, end, 0.7))
        for pattern, score in ((_TRAILING_NAME_RE, 0.65), (_NAME_BEFORE_CONTACT_RE, 0.7), (_PAREN_NAME_RE, 0.65)):
            for match in pattern.finditer(shape_text):
                start, end = match.span("name")
                words = match.group("name").split()
                if any(w.casefold().rstrip(".") in NOT_NAME_WORDS or w.casefold() in ORGANIZATION_WORDS for w in words):
                    continue  # "Head of IT, Meridian Health": a firm
                if pattern is _PAREN_NAME_RE and (
                    recased
                    or (view.has_doc and view.pos.get(start) != "PROPN")
                    or any(c in view.place_chars for c in range(start, end))
                ):
                    continue
                if any(c in view.firm_org_chars for c in range(start, end)):
                    continue  # (a country ending an address line is taken by the address, which outscores this)
                if _followed_by_organization_word(shape_text, end):
                    continue
                if pattern is _TRAILING_NAME_RE and view.has_doc and not recased:
                    if view.pos.get(start) not in ("PROPN", "NOUN", "X") and start not in view.person_chars:
                        continue
                results.append(self._result(PERSON, start, end, score))
        for match in _LAST_FIRST_RE.finditer(shape_text):
            start, end = match.span("name")
            words = [w.strip() for w in match.group("name").split(",")]
            if all(w.casefold() not in NOT_NAME_WORDS and view.pos.get(start) != "VERB" for w in words):
                if not any(c in view.firm_org_chars for c in range(start, end)):
                    results.append(self._result(PERSON, start, end, 0.6))
        if not recased:
            results.extend(self._proper_noun_runs(text, nlp_artifacts, view))
        return results

    def _name_after(
        self,
        text: str,
        pos: int,
        kind: str,
        view: _TokenView,
        after_signoff: bool = False,
        recased: bool = False,
        cue_start: int = 0,
    ) -> tuple[int, int] | None:
        gap = (_AFTER_SIGNOFF if kind == "signoff" else _AFTER_CUE).match(text, pos)
        pos = gap.end() if gap else pos
        lowercase_ok = kind in ("strong", "signoff")
        words: list[tuple[int, int]] = []
        pending_particles: list[tuple[int, int]] = []
        cursor = pos
        while len(words) < self.MAX_WORDS:
            match = _WORD.match(text, cursor)
            if match is None:
                break
            word = match.group(0)
            possessive = word.endswith(("'s", "’s")) and len(word) > 3
            if possessive:  # "Marek Halvorsen's request": the name stops before the 's
                word = word[:-2]
                match_span = (match.start(), match.end() - 2)
            else:
                match_span = match.span()
            if words and word.islower() and word in NAME_PARTICLES:
                pending_particles.append(match.span())
            elif _looks_like_name_word(word, lowercase_ok, view.pos.get(match.start()), recased):
                is_initial = len(word) == 2 and word.endswith(".")
                if not words and not lowercase_ok and view.has_doc and not is_initial:
                    # weak cue: the first word must be a proper noun or inside a PERSON entity
                    # ("Thanks Sven!" - after a sign-off word, a capitalized noun will do)
                    # (re-cased text makes every word look proper: see the two-word rule below)
                    any_pos = after_signoff and not recased
                    if (
                        not any_pos
                        and view.pos.get(match.start()) != "PROPN"
                        and match.start() not in view.person_chars
                    ):
                        return None
                    if kind == "prep" and (match.start() in view.firm_other_chars or match.start() in view.place_chars):
                        return None  # "from Microsoft", "to Northern Ireland": spaCy sees a firm or place
                    if kind == "verb" and match.start() in view.firm_org_chars:
                        return None  # "contacted Microsoft"
                if words and word.islower() != text[words[0][0] : words[0][1]].islower() and not pending_particles:
                    break  # "John smith"-style case switch ends the name
                words.extend(pending_particles)
                pending_particles = []
                words.append(match_span)
            else:
                break
            if possessive:
                break
            end = match.end()
            if (end < len(text) and text[end] in "@/\\_") or (end < len(text) and text[end].isdigit()):
                return None  # part of an address, handle or identifier
            gap = _GAP.match(text, end)
            if gap is None:
                break
            if text[end] == "." and not (end - match.start() == 1 or word.endswith(".")):
                # "John." ends the sentence unless it is an initial
                if not (len(word) == 1):
                    break
            cursor = gap.end()
        if not words:
            return None
        start, end = words[0][0], words[-1][1]
        name = text[start:end]
        if all(len(w) <= 2 for w in name.replace(".", " ").split()):
            return None  # initials alone
        if kind == "signoff" and not _LINE_END.match(text, end):
            return None  # "Best Buy told me..." is not a sign-off
        if after_signoff and not _PUNCT_AFTER.match(text, end):
            return None  # "Thanks Anders!" yes, "Thanks Again for" no
        if kind in ("role", "prep", "verb") and name.islower():
            return None
        if _followed_by_organization_word(text, end) or name.split()[-1].casefold() in ORGANIZATION_WORDS:
            return None  # "on behalf of Nnamdi Ventures"
        if kind in ("role", "prep", "verb") and _NUMBER_AFTER.match(text, end):
            return None  # "to Tier 2", "with Windows 11": a product or level
        if kind in ("prep", "verb") and not recased:
            following = _NEXT_WORD.match(text, end)
            if following and following.group(1)[:1].isupper() and following.group(1).casefold() in NOT_NAME_WORDS:
                return None  # "from Live Chat", "to Premium Support": a title-cased feature, not a person
            if (
                following
                and following.group(1).islower()
                and view.pos.get(following.start(1)) == "NOUN"
                and (following.group(1) not in _TIME_NOUNS)
            ):
                return None  # "paid Stripe fees": a name that modifies a noun is a firm or product
        if recased and kind in ("role", "prep", "verb") and len(words) < 2 and start not in view.person_chars:
            # re-cased text makes every word look proper: one word is too little,
            # unless a greeting addresses it ("hi sven, ...")
            if not (_GREETING_RE.fullmatch(text[cue_start:pos].strip()) and _PUNCT_AFTER.match(text, end)):
                return None
        return start, end

    def _proper_noun_runs(self, text: str, nlp_artifacts: Any, view: _TokenView) -> list[Any]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        if doc is None:
            return []
        results = []
        run: list[Any] = []

        def close(next_token: Any = None) -> None:
            if len(run) >= 2 and not (next_token is not None and next_token.pos_ in ("NOUN", "PROPN", "NUM")):
                # ("my Living Room scenes", "Pixel 8": a run that modifies a noun or number is a thing)
                start, end = run[0].idx, run[-1].idx + len(run[-1].text)
                last = run[-1].text.casefold()
                if (
                    not any(c in view.other_ent_chars for c in range(start, end))
                    and not _after_determiner(text, start)
                    and last not in ORGANIZATION_WORDS
                    and not _followed_by_organization_word(text, end)
                ):
                    results.append(self._result(PERSON, start, end, 0.6))
            run.clear()

        for token in doc:
            word = token.text
            ok = (
                token.pos_ == "PROPN"
                and word[:1].isupper()
                and not word.isupper()
                and word.isalpha()
                and len(word) > 1
                and word.casefold() not in NOT_NAME_WORDS
                and (not run or token.idx - (run[-1].idx + len(run[-1].text)) == 1)
                and (not run or text[run[-1].idx + len(run[-1].text)] == " ")
            )
            if ok:
                run.append(token)
            else:
                close(token)
        close()
        return results


def _name_token(token: Any) -> bool:
    word = token.text
    return (
        token.pos_ == "PROPN"
        and word[:1].isupper()
        and word.replace("-", "").replace("'", "").isalpha()
        and word.casefold() not in NOT_NAME_WORDS
    )


def _extend_with_proper_nouns(doc: Any, tokens: list[Any]) -> list[Any]:
    """Grow a PERSON span over adjacent capitalized proper nouns ("Leila" + "Aiyana Haddad")."""
    first, last = tokens[0].i, tokens[-1].i
    while last + 1 < len(doc) and last - first < 4 and _name_token(doc[last + 1]) and doc[last].whitespace_ == " ":
        last += 1
    while first > 0 and last - first < 4 and _name_token(doc[first - 1]) and doc[first - 1].whitespace_ == " ":
        if first - 1 == 0 or doc[first - 2].is_sent_start or doc[first - 2].text in ".!?\n":
            break  # a capitalized word opening a sentence may be anything
        first -= 1
    return [doc[i] for i in range(first, last + 1)]


class NerPersonRecognizer(SupportRecognizer):
    """spaCy PERSON entities with the small model's usual junk trimmed or rejected."""

    ENTITIES = (PERSON,)

    def find(self, text: str, nlp_artifacts: Any) -> list[Any]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        if doc is None:
            return []
        recased = len(doc.text) == len(text) and doc.text != text
        results = []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            tokens = list(ent)
            following = doc[ent.end] if ent.end < len(doc) else None
            if any(t.like_num for t in tokens) or (following is not None and following.like_num):
                continue  # "Tier 2", "Outlook 365", "Pixel 8": a product or a level, not a person
            if any(t.text[:1].islower() and any(ch.isupper() for ch in t.text) for t in tokens):
                continue  # "macOS Sonoma", "iMac": brand casing

            def junk(token: Any) -> bool:
                low = token.text.casefold().rstrip(".")
                return (
                    low in NOT_NAME_WORDS
                    or token.text in ("'s", "’s", "'")
                    or not any(ch.isalpha() for ch in token.text)
                )

            dropped_lead = None
            while tokens and junk(tokens[0]):
                dropped_lead = tokens.pop(0)
            if (
                dropped_lead is not None
                and dropped_lead.text[:1].isupper()
                and dropped_lead.text.casefold().rstrip(".") not in _ADDRESS_WORDS
                and dropped_lead.whitespace_ == " "
                and len(tokens) == 1
            ):
                continue  # "Best Buy" minus "Best" is not a person; "Hi John" minus "Hi" is
            dropped_tail = None
            while tokens and junk(tokens[-1]):
                dropped_tail = tokens.pop()
            if (
                dropped_tail is not None
                and dropped_tail.text[:1].isupper()
                and len(tokens) == 1
                and tokens[0].whitespace_ == " "
            ):
                continue  # "Dark Mode" minus "Mode" is not a person
            if not tokens or not any(t.pos_ == "PROPN" for t in tokens):
                continue  # "Whichever Is Easier": no proper noun, no name
            if recased and not all(t.pos_ == "PROPN" for t in tokens):
                continue  # re-cased text: "Bought The Wrong Size" is not a name
            if _after_determiner(doc.text, tokens[0].idx):
                continue  # "the Nonprofit plan"
            after = doc[tokens[-1].i + 1] if tokens[-1].i + 1 < len(doc) else None
            if after is not None and after.pos_ == "NOUN" and after.text.islower() and after.text not in _TIME_NOUNS:
                continue  # "QuietComfort headphones", "Nonprofit plan": a name that modifies a noun is a product
            if tokens[-1].text.casefold() in ORGANIZATION_WORDS or _followed_by_organization_word(
                text, tokens[-1].idx + len(tokens[-1].text)
            ):
                continue
            if not tokens:
                continue
            tokens = _extend_with_proper_nouns(doc, tokens)
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            value = text[start:end]
            if any(ch.isdigit() or ch in "@/\\_#" for ch in value) or "\n" in value:
                continue
            if len(value) < 2 or (not any(ch.isupper() for ch in value) and len(tokens) == 1):
                continue
            results.append(self._result(PERSON, start, end, 0.85))
        return results
