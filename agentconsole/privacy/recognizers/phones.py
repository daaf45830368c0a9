"""Phone numbers: libphonenumber's matcher over many regions, plus numbers written out.

``phonenumbers.PhoneNumberMatcher`` finds numbers that are *valid* for a region
(right length and prefix for its numbering plan), so order numbers and amounts
rarely pass. A number written with its ``+country`` code is checked once; a
national number is tried against each configured region. Customers also dictate
numbers: "oh seven seven double oh nine ..." and "0 7 7 0 0 9 ..." count too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import regex
from presidio_analyzer import RecognizerResult

from agentconsole.privacy.recognizers.base import SupportRecognizer

if TYPE_CHECKING:
    from spacy.tokens import Doc


#: Regions tried for numbers written without a country code (broad by default).
DEFAULT_PHONE_REGIONS = (
    "US",
    "GB",
    "IE",
    "CA",
    "AU",
    "NZ",
    "IN",
    "ZA",
    "NG",
    "KE",
    "DE",
    "AT",
    "CH",
    "FR",
    "BE",
    "NL",
    "LU",
    "ES",
    "PT",
    "IT",
    "PL",
    "CZ",
    "SK",
    "HU",
    "RO",
    "BG",
    "GR",
    "TR",
    "SE",
    "NO",
    "DK",
    "FI",
    "EE",
    "LV",
    "LT",
    "RU",
    "UA",
    "IL",
    "AE",
    "SA",
    "EG",
    "MX",
    "BR",
    "AR",
    "CL",
    "CO",
    "PE",
    "JP",
    "KR",
    "CN",
    "TW",
    "HK",
    "SG",
    "MY",
    "ID",
    "PH",
    "TH",
    "VN",
    "PK",
    "BD",
)
MIN_DIGITS = 7

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_WORD = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN_RE = regex.compile(
    r"(?<![\p{L}\p{N}])(?:(?:plus|\+)[ \t]*)?(?:(?:double|triple)[ \t]+)?"
    + _WORD
    + r"(?:[ \t,\-]+(?:(?:double|triple)[ \t]+)?"
    + _WORD
    + r"){6,20}(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
# Digits typed one by one: "0 7 7 0 0 9 0 0 1 2 3".
_SPACED_DIGITS_RE = regex.compile(r"(?<![\p{L}\p{N}])\+?\d(?:[ \t]\d){6,14}(?![\p{L}\p{N}])")
_PHONE_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:call|phone|ph|tel|telephone|mobile|mob|cell|number|no|text|sms|whatsapp|landline|ring|reach|"
    r"contact|callback|m|t|p|telefon|téléphone|portable|handy|numéro|nummer)(?![\p{L}])",
    regex.IGNORECASE,
)


def spoken_digits(value: str) -> str:
    """The digits a written-out number stands for ("double oh nine" -> "009")."""
    out: list[str] = []
    repeat = 1
    for word in regex.findall(r"[\p{L}]+|\d", value.casefold()):
        if word == "double":
            repeat = 2
            continue
        if word == "triple":
            repeat = 3
            continue
        digit = _DIGIT_WORDS.get(word, word if word.isdigit() else None)
        if digit is None:
            continue
        out.append(digit * repeat)
        repeat = 1
    return "".join(out)


# Something shaped like a phone number: digits with the separators people type.
_CANDIDATE_RE = regex.compile(
    r"(?<![\p{L}\p{N}+#@/.\-])(?:\+|00)?[ \t]?(?:\(\+?\d{1,4}\)[ \t\-.]?)?\(?\d(?:[\d \t\-.()/]|\.(?=\d)){5,22}\d\)?"
    r"(?!(?!(?i:x)\d)[\p{L}\p{N}@]|[.,]\d|/\d)"  # "...0169x4130": an extension may follow
)
_ID_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:order|account|acct|acc|customer|cust|invoice|inv|ticket|ref|reference|booking|case|member|"
    r"tracking|serial|imei|policy|claim|id|no\.|nr|#|amount|total|kundennummer|commande|client)(?![\p{L}])[^\n\d]{0,20}\Z",
    regex.IGNORECASE,
)
_SPOKEN_CUE_RE = regex.compile(r"(?i)\b(?:oh|double|seven|nine)\b")
_DATE_RE = regex.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")
# Words that name a version, build, code or port: the number after them is none of a phone's business
# ("Build 17628.20144", "driver version 6.0.9549.1", "exit code 1370044", "port 8443", "KB article 4021133").
_VERSION_WORDS = (
    r"build|version|ver|v|release|rev|revision|firmware|fw|bios|kernel|driver|patch|hotfix|kb|error|err|code|exit|"
    r"port|pid|deploy|deployment|commit|sdk|ios|android|windows|macos|chrome|firefox"
)
_CUE_TAIL = r")(?![\p{L}])(?:[ \t]+(?:is|was|no\.?|number|nr\.?|id|article))?[ \t]*[:=#(]?[ \t]*\Z"
_VERSION_CUE_RE = regex.compile(r"(?<![\p{L}])(?:" + _VERSION_WORDS + _CUE_TAIL, regex.IGNORECASE)
# ... and words for a device's own numbers ("serial 48213377", "model 5100-4471"): not a phone either.
_NOT_PHONE_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:" + _VERSION_WORDS + r"|serial|s/n|sku|model|part" + _CUE_TAIL, regex.IGNORECASE
)
# A date that opens a dotted or dashed run: a release or deploy stamp ("2024.02.13-1"), not a phone.
_DATE_STAMP_RE = regex.compile(r"(?:19|20)\d\d[./\-](?:0[1-9]|1[0-2])[./\-](?:0[1-9]|[12]\d|3[01])(?:\D|\Z)")
# An extension after a number: "x5979", "ext. 464", "extension 12", "poste 22", "Durchwahl 3".
# Also after a comma or in brackets ("..., ext. 12", "(ext. 12)") and as "#204".
_EXTENSION_RE = regex.compile(
    r"[ \t]*(?:,[ \t]*|(?P<open>\()[ \t]*)?(?:(?:x|ext\.?|extn\.?|extension|poste|durchwahl|dw\.?|int\.?)[ \t]*|#)"
    r"\d{1,6}(?![\p{L}\p{N}])(?(open)[ \t]*\))",
    regex.IGNORECASE,
)
# Copied numbers keep the page's no-break and thin spaces and typographic hyphens ("+41 44 668 18 00"
# from a signature, "06 12 34 56 78" in French typography): read as plain spaces and hyphens
# (same length, so offsets hold).
_PHONE_SPACES = str.maketrans(
    {ch: " " for ch in "\u00a0\u2007\u2009\u202f"} | {ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2212"}
)


def after_version_cue(text: str, start: int) -> bool:
    """The number at ``start`` follows a version, build, error-code or port word ("build 81400312")."""
    line_start = text.rfind("\n", 0, start) + 1
    return _VERSION_CUE_RE.search(text[max(line_start, start - 40) : start]) is not None


def version_like(value: str) -> bool:
    """Dots joining digit groups as versions do ("121.0.6167.85", "5.15.133.1", "22631.3007").

    Phones written with dots keep groups of 2-4 digits ("555.010.0199", "06.12.34.56.78");
    a one-digit group after the first, or two long groups and nothing else, is a version or build.
    """
    stripped = value.strip()
    if not regex.fullmatch(r"\d+(?:\.\d+)+", stripped):
        return False
    groups = stripped.split(".")
    if any(len(g) == 1 for g in groups[1:]):
        return True
    return len(groups) == 2 and len(groups[0]) >= 4 and len(groups[1]) >= 3


def _region_screens(regions: Iterable[str]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(region, trunk prefix, national number pattern) from libphonenumber's metadata."""
    from phonenumbers import PhoneMetadata

    screens = []
    for region in regions:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.general_desc is None or not meta.general_desc.national_number_pattern:
            continue
        screens.append((region, meta.national_prefix or "", re.compile(meta.general_desc.national_number_pattern)))
    return screens


class PhoneMatcherRecognizer(SupportRecognizer):
    """Valid phone numbers for any of ``regions``, and dictated ones next to a phone word."""

    ENTITIES = ("PHONE_NUMBER",)

    def __init__(self, regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> None:
        super().__init__()
        import phonenumbers

        # Keep libphonenumber's compiled metadata patterns: with 60 regions they overflow the
        # re module's cache and were recompiled on every number (~9% of a long paste's time).
        phonenumbers.enable_pattern_cache()
        self.regions = tuple(dict.fromkeys(r.upper() for r in regions))
        self._screens: list[tuple[str, str, re.Pattern[str]]] | None = None

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if sum(ch.isdigit() for ch in text) < MIN_DIGITS and not _SPOKEN_CUE_RE.search(text):
            return []
        results = [self._result("PHONE_NUMBER", s, e, score) for s, e, score in self.matches(text)]
        return results

    def valid(self, value: str, cue: bool) -> bool:
        """A valid number for its own country code or one of the regions (next to a phone word: a possible one)."""
        import phonenumbers

        compact = value.strip().replace("(0)", " ")
        if compact.startswith("00"):
            compact = "+" + compact[2:].lstrip()
        if compact.startswith("+"):
            try:
                number = phonenumbers.parse(compact, None)
            except phonenumbers.NumberParseException:
                return False
            return phonenumbers.is_valid_number(number) or phonenumbers.is_possible_number(number)
        digits = "".join(ch for ch in compact if ch.isdigit())
        for region in self._plausible_regions(digits):  # cheap regex screen, then the real check
            try:
                if phonenumbers.is_valid_number(phonenumbers.parse(compact, region)):
                    return True
            except phonenumbers.NumberParseException:
                continue
        return cue and 8 <= len(digits) <= 13 and digits.startswith("0")

    def _split_glued(self, text: str, start: int, end: int, cue: bool) -> list[tuple[int, int]]:
        """Two numbers typed one after the other ("020 7946 0958 0161 496 0000"): the valid runs of groups."""
        groups = [(m.start() + start, m.end() + start) for m in regex.finditer(r"\S+", text[start:end])]
        if len(groups) < 2 or len(groups) > 12:
            return []
        out = []
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                s, e = groups[i][0], groups[j - 1][1]
                if j - i == len(groups) or sum(ch.isdigit() for ch in text[s:e]) < MIN_DIGITS:
                    continue
                if self.valid(text[s:e], cue):
                    out.append((s, e))
                    i = j - 1
                    break
            i += 1
        return out

    @staticmethod
    def _not_a_phone(value: str, before: str, text: str, end: int) -> bool:
        """A version, build, code or release stamp, or a number inside a path, key or address."""
        value = value.strip()
        if value.startswith(("+", "(")):
            return False  # "+44 ...", "(555) ...": written as a phone
        if _NOT_PHONE_CUE_RE.search(before) or version_like(value) or _DATE_STAMP_RE.match(value):
            return True
        if text[end : end + 1] in ("\\", "_") or before[-1:] in ("_", "\\"):
            return True  # a path or a key: "log_20240213"
        token_start = max(before.rfind(" "), before.rfind("\t"), before.rfind("\n")) + 1
        token = before[token_start:]  # the word the number is glued into: a link, a path, a query string
        return ("/" in token or "=" in token or "?" in token) and not _PHONE_CUE_RE.search(token)

    def _plausible_regions(self, digits: str) -> list[str]:
        if self._screens is None:
            self._screens = _region_screens(self.regions)
        out = []
        for region, trunk, pattern in self._screens:
            national = digits[len(trunk) :] if trunk and digits.startswith(trunk) else digits
            if pattern.fullmatch(national):
                out.append(region)
        return out

    def matches(self, text: str) -> list[tuple[int, int, float]]:
        text = text.translate(_PHONE_SPACES)
        found: dict[tuple[int, int], float] = {}
        for match in _CANDIDATE_RE.finditer(text):
            value = match.group()
            if _DATE_RE.fullmatch(value) or not MIN_DIGITS <= sum(ch.isdigit() for ch in value) <= 17:
                continue
            start = match.start() + len(value) - len(value.lstrip())
            before = text[max(0, start - 40) : start]
            if self._not_a_phone(value, before, text, match.end()):
                continue
            cue = _PHONE_CUE_RE.search(before) is not None
            bare = value.strip().isdigit()
            if bare and not cue and _ID_CUE_RE.search(before[-30:]):
                continue  # "order 12345678": an identifier next to its word
            if self.valid(value, cue):
                end = match.end()
                extension = _EXTENSION_RE.match(text, end)
                if extension is not None:
                    end = extension.end()  # "(527)588-0169x4130": the extension is part of the number
                found[(start, end)] = 0.85 if cue or not bare else 0.7
                continue
            for piece_start, piece_end in self._split_glued(text, start, match.end(), cue):
                found[(piece_start, piece_end)] = 0.8
        for pattern in (_SPOKEN_RE, _SPACED_DIGITS_RE):
            for match in pattern.finditer(text):
                value = match.group()
                digits = spoken_digits(value) if pattern is _SPOKEN_RE else "".join(ch for ch in value if ch.isdigit())
                if not MIN_DIGITS <= len(digits) <= 15:
                    continue
                if pattern is _SPOKEN_RE and sum(ch.isalpha() for ch in value) == 0:
                    continue  # plain digits are the matcher's business
                near = _PHONE_CUE_RE.search(text, max(0, match.start() - 40), match.start())
                if near is None and not digits.startswith(("0", "+")) and not value.lstrip().startswith(("+", "plus")):
                    continue
                if any(s < match.end() and match.start() < e for s, e in found):
                    continue
                found[match.span()] = 0.75 if near else 0.6
        return [(s, e, score) for (s, e), score in sorted(found.items())]
