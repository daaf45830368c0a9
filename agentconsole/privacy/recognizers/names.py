"""People's names from conversational cues and shape, not from lists of names (off by default).

The previous engine's rule, kept for the benchmark's ablation
(``PrivacyEngine.from_settings(exclude=())`` turns it on); it needs the base
spaCy model's tagger. Two sources, combined by the engine's overlap resolution:

* conversational cues (``name_cues.py``): "my name is ...", "this is ... from",
  "Dear ...", "ask for ...", "Mr ...", sign-offs ("Regards,\\nAnna Berg"), where
  the words after the cue are checked for the shape of a name: capitalized,
  all-caps or, after a strong cue, lower-case words that are not function words
  (part-of-speech from the tagger);
* runs of two or more capitalized proper nouns that spaCy left unlabelled or
  labelled as something it often confuses with people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from presidio_analyzer import RecognizerResult

from agentconsole.privacy.lexicon import (
    NAME_PARTICLES,
    NON_NAME_POS,
    NOT_NAME_WORDS,
    ORGANIZATION_WORDS,
)
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.name_cues import (
    AFTER_CUE_RE,
    AFTER_SIGNOFF_RE,
    CUE_RE,
    GREETING_RE,
    LAST_FIRST_RE,
    LINE_END_RE,
    NAME_BEFORE_CONTACT_RE,
    NAME_BEFORE_VERB_RE,
    PAREN_NAME_RE,
    PUNCT_AFTER_RE,
    TRAILING_NAME_RE,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PERSON = "PERSON"

_WORD = regex.compile(r"\p{L}\.|\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")
_GAP = regex.compile(r"[ \t]{1,3}|\.[ \t]{1,2}")

# spaCy labels the small model confuses with people; an ORG/GPE in a name cue is a name.
_NER_OTHER = frozenset({"ORG", "PRODUCT", "GPE", "FAC", "LOC", "NORP", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
_SCORES = {"strong": 0.85, "signoff": 0.8, "role": 0.75, "prep": 0.7, "verb": 0.7}
_TIME_NOUNS = frozenset(
    "today tomorrow yesterday tonight morning afternoon evening night week weekend month year asap now".split()
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})


class _TokenView:
    """Part-of-speech and NER labels by character offset (empty without a spaCy doc)."""

    def __init__(self, doc: Doc | None) -> None:
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

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        view = _TokenView(doc)
        # A lower-case or shouted message was re-cased (same length) for spaCy: read the
        # shapes there too, but do not trust prepositions or proper-noun runs in it.
        recased = doc is not None and len(doc.text) == len(text) and doc.text != text
        shape_text = doc.text if doc is not None and recased else text
        results = []
        for cue in CUE_RE.finditer(shape_text):
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
        for match in NAME_BEFORE_VERB_RE.finditer(text if not recased else shape_text):
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
        for pattern, score in ((TRAILING_NAME_RE, 0.65), (NAME_BEFORE_CONTACT_RE, 0.7), (PAREN_NAME_RE, 0.65)):
            for match in pattern.finditer(shape_text):
                start, end = match.span("name")
                words = match.group("name").split()
                if any(w.casefold().rstrip(".") in NOT_NAME_WORDS or w.casefold() in ORGANIZATION_WORDS for w in words):
                    continue  # "Head of IT, Meridian Health": a firm
                if pattern is PAREN_NAME_RE and (
                    recased
                    or (view.has_doc and view.pos.get(start) != "PROPN")
                    or any(c in view.place_chars for c in range(start, end))
                ):
                    continue
                if any(c in view.firm_org_chars for c in range(start, end)):
                    continue  # (a country ending an address line is taken by the address, which outscores this)
                if _followed_by_organization_word(shape_text, end):
                    continue
                if (
                    pattern is TRAILING_NAME_RE
                    and view.has_doc
                    and not recased
                    and view.pos.get(start) not in ("PROPN", "NOUN", "X")
                    and start not in view.person_chars
                ):
                    continue
                results.append(self._result(PERSON, start, end, score))
        for match in LAST_FIRST_RE.finditer(shape_text):
            start, end = match.span("name")
            words = [w.strip() for w in match.group("name").split(",")]
            if all(w.casefold() not in NOT_NAME_WORDS and view.pos.get(start) != "VERB" for w in words) and not any(
                c in view.firm_org_chars for c in range(start, end)
            ):
                results.append(self._result(PERSON, start, end, 0.6))
        if not recased:
            results.extend(self._proper_noun_runs(text, doc, view))
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
        gap = (AFTER_SIGNOFF_RE if kind == "signoff" else AFTER_CUE_RE).match(text, pos)
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
            if text[end] == "." and not (end - match.start() == 1 or word.endswith(".")) and len(word) != 1:
                break  # "John." ends the sentence unless it is an initial
            cursor = gap.end()
        if not words:
            return None
        start, end = words[0][0], words[-1][1]
        name = text[start:end]
        if all(len(w) <= 2 for w in name.replace(".", " ").split()):
            return None  # initials alone
        if kind == "signoff" and not LINE_END_RE.match(text, end):
            return None  # "Best Buy told me..." is not a sign-off
        if after_signoff and not PUNCT_AFTER_RE.match(text, end):
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
        if (
            recased
            and kind in ("role", "prep", "verb")
            and len(words) < 2
            and start not in view.person_chars
            and not (GREETING_RE.fullmatch(text[cue_start:pos].strip()) and PUNCT_AFTER_RE.match(text, end))
        ):
            # re-cased text makes every word look proper: one word is too little,
            # unless a greeting addresses it ("hi sven, ...")
            return None
        return start, end

    def _proper_noun_runs(self, text: str, doc: Doc | None, view: _TokenView) -> list[RecognizerResult]:
        if doc is None:
            return []
        results = []
        run: list[Token] = []

        def close(next_token: Token | None = None) -> None:
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
