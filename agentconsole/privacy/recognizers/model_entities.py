"""PERSON and STREET_ADDRESS from our trained NER, cleaned into whole spans.

The model was trained on whole address blocks and names (scripts/train_pii_model.py);
here its spans are only tidied: a name never includes a greeting word's
punctuation, an address that stops at a line end takes the postcode/city/country
line after it (a partial address leaves the most identifying part in clear).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from presidio_analyzer import RecognizerResult

from agentconsole.privacy.lexicon import (
    CALENDAR_WORDS,
    COURTESY_WORDS,
    DEPARTMENT_WORDS,
    HOLIDAY_WORDS,
    NAME_PARTICLES,
    NOT_NAME_WORDS,
    ORGANIZATION_WORDS,
    PLACE_OPENING_WORDS,
    STREET_COMPOUND_ENDINGS,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    SUPPORT_WORDS,
    UNIT_WORDS,
    WEEKDAY_WORDS,
    word_key,
)
from agentconsole.privacy.recognizers.address_blocks import extend_address, extend_address_back
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.label_context import used_as_label
from agentconsole.privacy.recognizers.person_context import (
    FAREWELL_WORDS,
    addressed_as_person,
    has_person_context,
    verb_as_name,
    with_verb_as_name,
    word_positions,
)
from agentconsole.privacy.recognizers.places import listed_with_places, used_as_place
from agentconsole.privacy.recognizers.script_names import refine_other_scripts
from agentconsole.privacy.recognizers.thing_context import used_as_thing
from agentconsole.privacy.recognizers.word_shapes import not_a_name_here

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

PERSON = "PERSON"
STREET_ADDRESS = "STREET_ADDRESS"


class ModelEntityRecognizer(SupportRecognizer):
    """The trained NER's PERSON and STREET_ADDRESS spans (needs the spaCy doc)."""

    ENTITIES = (PERSON, STREET_ADDRESS)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if doc is None:
            return []
        found = model_spans(doc, text) + id_owner_spans(text)
        return [self._result(label, start, end, score) for start, end, label, score in found]


# "user ID 55102934 (Ingeborg Svensson)", "order 1182 (Anna Berg)": a full name in brackets after a number.
_ID_OWNER_RE = regex.compile(r"\d[ 	]*\((\p{Lu}\p{Ll}+(?:[ 	]+\p{Lu}[\p{Ll}'’\-]+){1,2})\)")


def id_owner_spans(text: str) -> list[tuple[int, int, str, float]]:
    """Names in brackets right after an id or number (the model reads few of these)."""
    found = []
    for match in _ID_OWNER_RE.finditer(text):
        keys = [word_key(w) for w in match.group(1).split()]
        if any(k in NOT_NAME_WORDS or k in ORGANIZATION_WORDS or k in CALENDAR_WORDS for k in keys):
            continue
        found.append((match.start(1), match.end(1), PERSON, 0.85))
    return found


_CODE_CHAR_RE = regex.compile(r"[\p{N}_/\\=]")
# Endings of English abstract and collective nouns that no personal name has ("-tion", "-ment" after
# four letters, "-ship", "-ology", "-ware", "-ture", "-ities", "-ics", "-ator", "-izer"): departments, topics, tools.
_ABSTRACT_NOUN_RE = regex.compile(
    r"^\p{Lu}\p{Ll}+(?:tions?|sions?|(?<=\p{L}{4})ments?|ships?|ology|ologies|wares?|tures?|ities|(?<=\p{L}{5})ics|(?<=\p{L}{5})(?:ators?|i[sz]ers?)"
    # the same in other languages (not "-ción": "Concepción", "Asunción" are names): "-zione", "-tie"/"-ties" (nl), "-ung"/"-heit"/"-keit"/"-schaft" (de)
    r"|zione|sione|(?<=\p{L}{4})ties?|(?<=\p{L}{5})ung|heit|keit|schaft)$"
)
_NAME_WORD_RE = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’.\-]*")
_NUMBER_AFTER_RE = regex.compile(r"[ \t]?\d")
# A step of a menu path ("Settings > Apps > Notifications"): a name is never one.
_PATH_BEFORE_RE = regex.compile(r"[\p{L}\p{N})][ \t]*[>›»→][ \t]*\Z")
_PATH_AFTER_RE = regex.compile(r"[ \t]*[>›»→][ \t]*[\p{L}\p{N}]")
_SENTENCE_OPENING_RE = regex.compile(r"(?m)(?:^|[.!?;:][ \t]+|^[ \t]*[-*•>][ \t]*)\Z")
# An object and a particle after a sentence's first word: "Forward this to", "Send it over", "Pass them on".
_IMPERATIVE_AFTER_RE = regex.compile(
    r"[ \t]+(?:this|it|them|these|those|that|everything|all)[ \t]+"
    r"(?:to|over|back|on|onto|into|with|for|up|out|off|across|along)(?![\p{L}])",
    regex.IGNORECASE,
)
# An article or a determiner right after a sentence's first word: "Drag a column", "Open the file".
_ARTICLE_AFTER_RE = regex.compile(r"[ \t]+(?:a|an|the|your|this|these|all)[ \t]+\p{L}")
_NEXT_WORD_RE = regex.compile(r"[ \t]([\p{L}][\p{L}\p{M}'’\-]*)")
# Words before a name that address or introduce a person; any other capitalized support
# word next to a one-word guess makes it a label ("Accounts Payable", "Revenue Operations").
_ADDRESSING_WORDS = frozenset(
    "hi hello hey hiya dear thanks thank cheers regards best mr mrs ms miss mx dr prof sir madam agent customer "
    "client colleague manager technician rep caller my our your from".split()
)
_HONORIFIC_KEYS = frozenset("mr mrs ms mx dr prof st jr sr".split())


def person_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The model's PERSON span checked against its context: the people in it, maybe none.

    Second-stage checks, none of them a name list: a span joined by a small word
    ("Ayesha and Bilal") is two people; support and courtesy words at the edges
    are trimmed ("Dear Anna" -> "Anna"); a part is dropped when it is only
    calendar words ("August"), opens like a place ("Northern Ireland"), ends in an
    organization word ("Contoso Support"), is followed by a model number ("Pixel
    8"), is lower case in a text that uses capitals ("loyalty id LOY-1"), or is
    one word the same text also uses in lower case ("Mark as read ... mark it"),
    or is one capitalized word with nothing around it that says "person"
    (``person_context.has_person_context``: "Excel", "Facilities", "Natürlich").
    A capitalized modal verb or "hope" is kept, or taken from right before the span, where
    grammar makes it a given name (``person_context.verb_as_name``: "Hi Will,", "Will Turner called").
    """
    words = [(m.start() + start, m.end() + start, m.group()) for m in _NAME_WORD_RE.finditer(text[start:end])]
    groups: list[list[tuple[int, int, str]]] = [[]]
    labels: list[bool] = [False]  # the group came right after a capitalized support word of the span
    for i, word in enumerate(words):
        key = word_key(word[2])
        if (
            key in NOT_NAME_WORDS
            and key not in NAME_PARTICLES
            and not _given_name_before_particle(words, i)
            and not verb_as_name(text, word[0], word[1])
        ):
            groups.append([])  # an edge word, or a joint between two names
            labels.append(word[2][:1].isupper() and key in SUPPORT_WORDS and key not in _ADDRESSING_WORDS)
        else:
            groups[-1].append(word)
    spans = []
    several = sum(1 for group in groups if group) > 1  # "Ayesha and Bilal": each is evidence for the other
    for group, after_label in zip(groups, labels, strict=True):
        if after_label and len(group) == 1:
            continue  # "Accounts Payable" minus "Accounts": a department, not a person
        span = _checked(text, group, need_context=not several)
        if span is not None:
            spans.append((with_verb_as_name(text, *span), span[1]))  # "Will Turner called": "Will" too
    return spans


def checked_person_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """One word another rule found in a person's position, through the same checks as the model's guesses.

    The position is the context, so the "does anything say person" check is not asked again.
    """
    return _checked(text, [(start, end, text[start:end])], need_context=False)


def _given_name_before_particle(words: list[tuple[int, int, str]], i: int) -> bool:
    """A capitalized calendar word followed by a name particle is a given name ("Jan van der Berg", "May de Vries")."""
    word = words[i][2]
    return (
        i + 1 < len(words)
        and word_key(word) in CALENDAR_WORDS
        and _titlecase(word)
        and word_key(words[i + 1][2]) in NAME_PARTICLES
        and words[i + 1][2].islower()
    )


_WEEKDAYS_AND_HOLIDAYS = WEEKDAY_WORDS | HOLIDAY_WORDS


def _month_addressed(text: str, words: list[tuple[int, int, str]], keys: list[str]) -> bool:
    """One month word a greeting or an introduction addresses on its line: a given name ("Hi Jun,", "Thanks, May")."""
    if len(words) != 1 or keys[0] in _WEEKDAYS_AND_HOLIDAYS or keys[0] in FAREWELL_WORDS:
        return False
    start, end, _ = words[0]
    line_start = text.rfind("\n", 0, start) + 1
    return bool(text[line_start:start].strip()) and addressed_as_person(text, start, end)


def _checked(text: str, words: list[tuple[int, int, str]], need_context: bool = True) -> tuple[int, int] | None:
    while len(words) > 1 and _lower_edge(words[0][2]) and any(w[:1].isupper() for _, _, w in words[1:]):
        words = words[1:]  # "term John Smith": a lower-case word before a capitalized name is not part of it
    while len(words) > 1 and _lower_edge(words[-1][2]) and any(w[:1].isupper() for _, _, w in words[:-1]):
        words = words[:-1]
    while len(words) > 1 and words[-1][2].islower() and word_key(words[-1][2]) in NAME_PARTICLES:
        words = words[:-1]  # "Reunión el": a name never ends with a particle
    if not words:
        return None
    if _CODE_CHAR_RE.search(text, words[0][0], words[-1][1]):
        return None  # "HL-L2350DW", "build_agent": a model number or an identifier, never a name
    if len(words) == 1 and _ABSTRACT_NOUN_RE.search(words[0][2]):
        return None  # "Infrastructure", "Operations", "Facilities": a department or a topic
    keys = [word_key(w) for _, _, w in words]
    if all(k in CALENDAR_WORDS or k in FAREWELL_WORDS for k in keys) and not _month_addressed(text, words, keys):
        return None  # "August", "Bye", "over Easter": a date, a holiday or a farewell
    if not_a_name_here(text, words[0][0], words[-1][1], keys):
        return None
    if used_as_label(text, words[0][0], words[-1][1]):
        return None  # "choose Remove All", "Parental Controls are reset", "upgrade to Plus"
    if len(words) == 2 and used_as_thing(text, words[0][0], words[-1][1]):
        return None  # "Kitchen Display integrates with …", "outside Return Window"
    if keys[0] in PLACE_OPENING_WORDS and len(keys) > 1:
        return None
    if keys[-1] in ORGANIZATION_WORDS and len(keys) > 1:
        return None
    cased = [
        w for (_, _, w), k in zip(words, keys, strict=True) if k not in NAME_PARTICLES and any(ch.islower() for ch in w)
    ]
    if cased and not any(ch.isupper() for w in cased for ch in w) and any(ch.isupper() for ch in text):
        return None  # "loyalty id LOY-1": a lower-case guess in a text that does use capitals
    start, end = words[0][0], words[-1][1]
    if len(words) <= 2 and _NUMBER_AFTER_RE.match(text, end):
        return None
    if any(w.endswith(".") and len(w) > 2 and word_key(w) not in _HONORIFIC_KEYS for _, _, w in words[:-1]):
        return None  # "XLSX. Exports": a sentence ends inside the guess
    line_start = text.rfind("\n", 0, start) + 1
    if len(words) == 1:
        if _PATH_BEFORE_RE.search(text, line_start, start) or _PATH_AFTER_RE.match(text, end):
            return None  # "Settings > Members": a step of a menu path
        if _SENTENCE_OPENING_RE.search(text, line_start, start) and (
            _IMPERATIVE_AFTER_RE.match(text, end) or _ARTICLE_AFTER_RE.match(text, end)
        ):
            return None  # "Forward this to ...", "Drag a column": a verb that opens the sentence
        following = _NEXT_WORD_RE.match(text, end)
        if following is not None and following.group(1)[:1].isupper():
            key = word_key(following.group(1))
            if key in SUPPORT_WORDS and key not in _ADDRESSING_WORDS:
                return None  # "Revenue Operations", "Technical Problems": a label, not a person
        if text[start - 1 : start] in ('"', "“", "'", "‘") and text[end : end + 1] in ('"', "”", "'", "’"):
            return None  # "Export", "Notifications": a quoted word is a label or a term
        if not text[:start].strip() and not text[end:].strip(" \t\r\n.!?:"):
            return None  # a message that is one word ("Drafts"): a title or a label, no context for a name
        if used_as_place(text, start, end):
            return None  # "within Germany and Austria": a country name used as a place
        if used_as_thing(text, start, end):
            return None  # "Winston is the default", "the Madison cluster", "in Porto", '"Gateway unreachable"'
    if len(words) == 1 and not text.islower():
        word = words[0][2].rstrip(".")
        lower = word.lower()
        if lower != word and word_positions(text, lower):
            return None
    if len(text[start:end].strip()) < 2:
        return None
    if (
        (REQUIRE_PERSON_CONTEXT or _title_like(text) or _form_value(text, start, end))
        and need_context
        and len(words) == 1
        and _titlecase(words[0][2])
        and not has_person_context(text, start, end)
    ):
        return None  # "Excel", "Facilities", "Natürlich": one capitalized word and nothing says it is a person
    return start, end


#: Off: the context check for one-word guesses (``person_context``) halves the false alarms
#: on PII-free text, but costs 6 points of PERSON recall on the never-seen split (docs/privacy.md).
#: It always applies to a title-like text (one line of at most four words).
REQUIRE_PERSON_CONTEXT = False


# "Kategorie: Technik", "Product: Sierra": a short value right after a form field's label.
_FIELD_LABEL_RE = regex.compile(r"[ \t]*(?:[-*•][ \t]*)?\p{L}[\p{L} /()'.\-]{0,29}[ \t]*:[ \t]*\Z")
_SHORT_REST_RE = regex.compile(r"[ \t]*(?:[\p{L}\p{N}][\p{L}\p{N}.'\-]*[ \t]*){0,3}[.,;!]?[ \t]*(?:\n|\Z)")


def _form_value(text: str, start: int, end: int) -> bool:
    """The guess is the value of a form line ("Kategorie: Technik"): a label, unless the field holds a person."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_FIELD_LABEL_RE.fullmatch(text, line_start, start)) and bool(_SHORT_REST_RE.match(text, end))


def _title_like(text: str) -> bool:
    """A case title or label ("Fast case", "Billing issue"): one short line, no context for the model."""
    return "\n" not in text.strip() and len(text.split()) <= 4


def _lower_edge(word: str) -> bool:
    return word.islower() and word_key(word) not in NAME_PARTICLES


def _titlecase(word: str) -> bool:
    return word[:1].isupper() and any(ch.islower() for ch in word[1:])


#: The base model's labels that make a PERSON guess a firm, product, place or date instead.
_NOT_PERSON_LABELS = frozenset(
    {"ORG", "PRODUCT", "GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "EVENT", "WORK_OF_ART", "LANGUAGE", "LAW"}
)


#: Our model's rehearsed labels for places, firms, products and languages: a one-word guess listed beside one is the same kind.
_LISTED_THING_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "LANGUAGE", "PRODUCT", "EVENT"})


def text_of(base: list[Span], start: int, end: int) -> str:
    doc = base[0].doc
    return doc.text[start:end]


def _base_says_not_a_person(base: list[Span], start: int, end: int) -> bool:
    """The general-purpose model covers the whole span with a non-person entity and sees no person there."""
    if " " in text_of(base, start, end):
        return False  # a full name the base model misreads as a firm is still a name: only one-word guesses
    overlapping = [e for e in base if e.start_char < end and start < e.end_char]
    if not overlapping or any(e.label_ == "PERSON" for e in overlapping):
        return False
    covered = sum(
        min(end, e.end_char) - max(start, e.start_char) for e in overlapping if e.label_ in _NOT_PERSON_LABELS
    )
    return covered >= 0.8 * (end - start)


def _name_shaped(value: str) -> bool:
    """Two to four capitalized words (name particles aside) on one line, no digit: the shape of a full name."""
    words = value.split()
    if "\n" in value.strip() or not 2 <= len(words) <= 4 or any(ch.isdigit() for ch in value):
        return False
    named = [w for w in words if word_key(w) not in NAME_PARTICLES]
    return len(named) >= 2 and all(_titlecase(w.strip(",.")) for w in named)


_STREET_WORD_RE = regex.compile(
    r"(?<![\p{L}])(?:" + STREET_SUFFIXES + "|" + STREET_PREFIXES + "|" + UNIT_WORDS + r"|p\.?\s?o\.?\s?box)(?![\p{L}])"
    r"|(?:" + STREET_COMPOUND_ENDINGS + r")(?![\p{L}])",
    regex.IGNORECASE,
)


_VERSION_RE = regex.compile(r"\d\.\d")
# A numbered step or a quantity: "3. Toggle", "2) Open", "2 x Chester".
_LIST_ITEM_RE = regex.compile(r"[ \t]*\d{1,3}(?:[.)][ \t]+\p{L}|[ \t]*[x×][ \t]+)")
# A house number next to a word: "Gasse 743", "12 Main".
_NUMBERED_STREET_RE = regex.compile(r"\p{L}[ \t]+\d{1,5}[\p{L}]?(?![\p{N}])|(?<![\p{N}])\d{1,5}[\p{L}]?[ \t]+\p{L}")


def _phrase_like(value: str) -> bool:
    """A greeting, closing or department word among the words, or, outside Latin script, mostly lower case.

    Address lines are mostly capitalized names of places; a sentence or a closing is not.
    """
    words = [w.strip(",.;:!?") for w in value.split()]
    words = [w for w in words if w[:1].isalpha()]
    if not words:
        return False
    if any(word_key(w) in COURTESY_WORDS or word_key(w) in DEPARTMENT_WORDS for w in words):
        return True
    latin = all(ch < "\u0250" for ch in value if ch.isalpha())  # "casa esquina, barrio Norte" is an address
    return not latin and sum(w[:1].islower() for w in words) * 2 > len(words)


_PART_RE = regex.compile(r"[^,;\n]+")


def _name_shaped_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The whole guess if it has a full name's shape, else its lines or comma-separated parts that do."""
    if _name_shaped(text[start:end]):
        return [(start, end)]
    parts = []
    for match in _PART_RE.finditer(text, start, end):
        value = match.group()
        if _name_shaped(value.strip()):
            lead = len(value) - len(value.lstrip())
            parts.append((match.start() + lead, match.start() + len(value.rstrip())))
    return parts


def _has_name_shaped_part(value: str) -> bool:
    return bool(_name_shaped_parts(value, 0, len(value)))


def _address_shaped(value: str, cased_text: bool = False) -> bool:
    """A number, a street/unit word, a second line or comma-separated parts: an address block has one.

    "Le bouton Télécharger", "после перезагрузки роутера": a phrase in another language is not.
    In a text that uses capitals, a one-line guess with no street/unit word and no
    capitalized word is a count ("48 chats, 31 emails", "10 more seats"), not a place.
    """
    if _STREET_WORD_RE.search(value):
        return True
    # Below, a guess with a part shaped like a full name keeps the address label: it covers that name
    # (the person checks alone would leave some of those in clear).
    if any(word_key(w.strip(",.;:")) in WEEKDAY_WORDS for w in value.split()) and not _has_name_shaped_part(value):
        return False  # "mercredi 12 à 14 h": a day and a time (months stay: "5 de Mayo" may be an address line)
    if not any(ch.isdigit() for ch in value) and _phrase_like(value) and not _has_name_shaped_part(value):
        return False  # "Cordiali saluti, Amministrazione", "Ошибка при оплате, бухгалтерия": a closing, a phrase
    if "\n" in value.strip():
        return True
    latin = all(ch < "\u0250" for ch in value if ch.isalpha())  # Georgian has only lower case, Thai none
    if cased_text and latin and all(w[:1].islower() for w in value.split() if w[:1].isalpha()):
        return False
    if any(ch.isdigit() for ch in value):
        # "Android 14", "Version 2405 Build 17628.20144": a product and its version number
        return len(value.split()) >= 3 and not _VERSION_RE.search(value)
    return "," in value and not any(ch in value for ch in "?!")


_TRAILING_WORD_RE = regex.compile(r"[ \t]+(\p{Ll}+)[ \t]*\Z")
_NEXT_NAME_RE = regex.compile(r"[ \t]+(\p{Lu}\p{Ll}[\p{L}\p{M}'’\-]*)")


def _address_end(text: str, start: int, end: int) -> int:
    """Without a trailing function word the model took along ("… D03 K2W7 by Friday")."""
    while (match := _TRAILING_WORD_RE.search(text, start, end)) is not None and match.group(1) in NOT_NAME_WORDS:
        if _STREET_WORD_RE.fullmatch(match.group(1)):
            break  # "12 rue de la paix": a lower-case street word ends it legitimately
        end = match.start()
    if text[end - 1 : end] == "." and not _STREET_WORD_RE.fullmatch(text[start : end - 1].split()[-1]):
        end -= 1  # a sentence's full stop, not an abbreviation ("St.") of the address
    return end


def _name_end(text: str, start: int, end: int) -> int:
    """A one-word guess followed by a capitalized word that is no support word: one name ("John" "Smith")."""
    if " " in text[start:end].strip():
        return end
    following = _NEXT_NAME_RE.match(text, end)
    if following is None:
        return end
    key = word_key(following.group(1))
    if key in NOT_NAME_WORDS or key in ORGANIZATION_WORDS or key in CALENDAR_WORDS:
        return end
    return int(following.end())


def _joined(doc: Doc, text: str) -> list[tuple[int, int, str]]:
    """Our labels' entities, neighbouring PERSON guesses with only spaces between joined ("John" "Clements")."""
    spans: list[tuple[int, int, str]] = []
    for ent in doc.ents:
        if ent.label_ not in (PERSON, STREET_ADDRESS):
            continue
        start, end, label = ent.start_char, ent.end_char, ent.label_
        if spans and label == PERSON and spans[-1][2] == PERSON and not text[spans[-1][1] : start].strip(" \t"):
            start = spans.pop()[0]
        if label == PERSON:
            end = _name_end(text, start, end)
        spans.append((start, end, label))
    return spans


def model_spans(doc: Doc, text: str) -> list[tuple[int, int, str, float]]:
    """(start, end, label, score) for the doc's PERSON and STREET_ADDRESS entities."""
    found = []
    base = list(doc.spans["base_ents"]) if "base_ents" in doc.spans else []
    places = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _LISTED_THING_LABELS]
    for start, end, label in refine_other_scripts(text, _joined(doc, text)):
        value = text[start:end]
        if label == PERSON and _NUMBERED_STREET_RE.search(value) and _STREET_WORD_RE.search(value):
            label = STREET_ADDRESS  # "Jonathan-Keller-Gasse 743 - 8122 Althofen": a street the model called a person
        if label == PERSON:
            if "@" in value or "://" in value:
                continue
            for span in person_spans(text, start, end):
                if base and _base_says_not_a_person(base, *span):
                    continue
                if " " not in text[span[0] : span[1]] and listed_with_places(text, *span, places):
                    continue  # "Orders from Zürich and Genève": one item of a list of places
                found.append((*span, PERSON, 0.85))
        else:
            end = _address_end(text, start, end)
            value = text[start:end]
            if len(value.strip()) < 6 or not _address_shaped(value, not text.islower()):
                for part_start, part_end in _name_shaped_parts(text, start, end):
                    # "Regards, Zoë Ní Bhriain", "Cordiali saluti,\nGiulia Ferrante": a name the model
                    # labelled as (part of) an address; the person checks decide
                    found.extend((*span, PERSON, 0.85) for span in person_spans(text, part_start, part_end))
                continue
            if _LIST_ITEM_RE.match(value) and not _STREET_WORD_RE.search(value):
                continue  # "3. Toggle Location", "2 x Chester cushion": a step or an order line
            last = value.split()[-1]
            if "\n" not in value.strip() and word_key(last) in SUPPORT_WORDS and not _STREET_WORD_RE.fullmatch(last):
                continue  # "Level 3 Support", "Floor 2 Billing": a team's name, not a place
            found.append((extend_address_back(text, start), extend_address(text, start, end), STREET_ADDRESS, 0.85))
    return found
