"""Identifiers from their shape and the words around them.

Account, customer, order and ticket numbers, dates of birth, passports,
driving licences, national ids, IBAN (checksum-valid or shaped right for its
country), SWIFT/BIC, card numbers that fail Luhn but sit next to "card", and
phone numbers in international and national forms. A shape that is common in
ordinary text (a bare 8-digit number) counts only next to its context words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from presidio_analyzer import RecognizerResult

from agentconsole.privacy.lexicon import ACCOUNT_CONTEXT
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.phones import after_version_cue

if TYPE_CHECKING:
    from spacy.tokens import Doc


# Small words between a context word and its value: "account number is", "order no.:", "ending in".
_CONNECT = (
    r"(?:[ \t]*(?:numbers?|num|no\.?|nr\.?|n°|id|code|ref|reference|is|was|are|ending|ends|in|with|of|my|"
    r"our|the|your|details|#|:|=|-|–|\(|\.)){0,5}[ \t]*"
)
# An id may be typed in groups: "AB-1234-5678", "MBR 2231 8890", "ab12 cd34 ef56" (a group after a
# space has 2+ characters and a digit within its first five, so "order 4471 yesterday" and
# "order 4402 3 days ago" stop at the number).
_ID = (
    r"(?P<id>#?[A-Za-z0-9](?:[A-Za-z0-9]|[-/_.](?=[A-Za-z0-9])|[ ](?=[A-Za-z]{0,4}\d)(?=[A-Za-z0-9]{2})){2,29})"
    r"(?![\p{L}\p{N}])"
)
_B = r"(?<![\p{L}\p{N}])"
# The same cues in other languages' forms: compounds ("Kundennummer", "klantnummer", "asiakasnumero",
# "ügyfélszám"), "number of the customer/order/contract" ("numéro client", "n° de commande",
# "número de pedido", "codice cliente", "numer zamówienia", "číslo objednávky"), and Baltic forms
# ("klienta numurs", "užsakymo numeris", "tellimuse number"). Small words follow in _CONNECT.
_FOREIGN_ACCOUNT_CONTEXT = (
    r"(?:kunden|kund|kunde|klant|klient|client|vertrags|vertrag|contract|kontrakt|avtals?|bestell|bestel|"
    r"auftrags|order|ordre|mitglieds|medlems|lid|rechnungs|factuur|faktura|buchungs|boekings|referenz|"
    r"polis|polic|policen|versicherungs|schadens?|vorgangs|ticket|konto|abo|abonnements?|dossier)"
    r"[-]?(?:nummer|nr\.?)"
    r"|(?:asiakas|tilaus|sopimus|jäsen|lasku|varaus)(?:numero|tunnus)"
    r"|(?:ügyfél|megrendelés|rendelés|szerződés|számla)(?:szám|azonosító)"
    r"|(?:n[uú]mero|num\.?|n[°º]\.?|nr\.?|no\.?|codice|c[oó]digo|r[ée]f[ée]rence|referencia|riferimento|"
    r"identifiant|numer|číslo|cislo|č\.)[ \t]+(?:(?:de|del|da|do|du|di|dell[ao]?)[ \t]+|d'|d’)?(?:la[ \t]+|le[ \t]+)?"
    r"(?:client[ea]?|clients|commande|pedido|encomenda|contrat|contrato|contratto|ordine|ordem|dossier|"
    r"r[ée]servation|reserva|prenotazione|abonn[ée]|socio|membre|s[oó]cio|p[oó]liza|polizza|ap[oó]lice|"
    r"facture|factura|fattura|fatura|klienta|zamówienia|zamowienia|umowy|faktury|rezerwacji|zákazníka|"
    r"zakaznika|objednávky|objednavky|zmluvy|smlouvy|rezervace|rezervácie)"
    r"|(?:klienta|pasūtījuma|līguma|rēķina|kliento|užsakymo|sutarties|kliendi|tellimuse|lepingu)"
    r"[ \t]+(?:numurs|numeris|number|nr\.?)"
)
# Small words of other languages between the cue and the value: "lautet", "est le", "es", "è", "jest"
# (whole words only: "ES-77120-3" keeps its "ES").
_FOREIGN_CONNECT = (
    r"(?:[ \t]*(?:(?:lautet|ist|est|es|è|é|je|jest|ir|on|er|is|le|el|la|il|lo|o|de|van|von)(?=[ \t:])|:|#|-|\.))"
    r"{0,4}[ \t]*"
)

_ACCOUNT_RE = regex.compile(_B + r"(?:" + ACCOUNT_CONTEXT + r")(?![\p{L}\p{N}])" + _CONNECT + _ID, regex.IGNORECASE)
_FOREIGN_ACCOUNT_RE = regex.compile(
    _B + r"(?:" + _FOREIGN_ACCOUNT_CONTEXT + r")(?![\p{L}\p{N}])" + _FOREIGN_CONNECT + _ID, regex.IGNORECASE
)
_PREFIXED_ID_RE = regex.compile(
    _B + r"(?P<id>(?:ACC|ACCT|CUST|CUS|CID|ORD|ORDER|TKT|TCK|TICKET|INV|REF|CASE|CS|SR|INC|RMA|MEM|MBR|BK|PNR|"
    r"CLM|POL|SUB|USR|UID)[-_#]?\d{3,}(?:[-_][A-Z0-9]+)*)(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
# A code in capitals with a digit, like a record locator ("my account is X5CKBY"): an id even with one digit.
_CODE_SHAPE_RE = regex.compile(r"#?(?=[A-Z0-9]*\d)(?=(?:[0-9]*[A-Z]){2})[A-Z0-9]{5,10}")
# Booking codes and record locators: "booking ref ABX7K2", "PNR: KXTHRW", "Buchungsnummer 7HQ2LM".
_BOOKING_CUE = (
    _B + r"(?:booking|reservation|confirmation|pnr|record[ \t]+locator|locator|voucher|ref|reference|"
    r"buchung(?:snummer)?|r[ée]f[ée]rence|r[ée]servation|dossier|localizador|codice|order|bestellung|commande)(?![\p{L}])"
    + _CONNECT
)
_BOOKING_RE = regex.compile(_BOOKING_CUE + r"(?P<id>(?-i:[A-Z0-9]{5,10}))(?![\p{L}\p{N}])", regex.IGNORECASE)
# ... and typed in lower case ("booking ref q7hk2m"): then it needs two digits and two letters.
_LOWER_BOOKING_RE = regex.compile(
    _BOOKING_CUE + r"(?P<id>(?-i:(?=(?:[a-z]*\d){2})(?=(?:\d*[a-z]){2})[a-z0-9]{5,10}))(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
# A bare run of 8+ digits in support text is some customer's number (order, account,
# phone...); amounts and years have separators or fewer digits.
_LONG_NUMBER_RE = regex.compile(r"(?<![\p{L}\p{N}.,:/+\-])#?(?P<id>\d{8,20})(?![\p{L}\p{N}]|[.,]\d)")
# "any news on #832371?", "close #12483": a case or order number without its word; not after a word
# for a build, run, issue or pull request ("Build #4521", "PR #20417"; see also after_version_cue).
_HASH_NUMBER_RE = regex.compile(r"(?<![\p{L}\p{N}&/#])#(?P<id>\d{5,12})(?![\p{L}\p{N}]|[.,]\d)")
# Several of them in a row ("merged #40021 and #40022", "#51200, #51201"): the team's bookkeeping.
_HASH_LIST_RE = regex.compile(r"#\d{5,12}(?:[ \t]*(?:,|and|or|&|/)[ \t]*#\d{5,12})+")
_NOT_CASE_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:issue|issues|pr|pull[ \t]+request|mr|merge[ \t]+request|run|job|pipeline|step|line|row|item|"
    r"page|rank|no|nr|number|color|colour)[ \t]*\Z",
    regex.IGNORECASE,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?P<date>\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"
    r"|(?:the[ \t]+)?\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?" + _MONTH + r",?(?:[ \t]+\d{4})?"
    r"|" + _MONTH + r"[ \t]+\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]+\d{4})?)(?!\d)"
)
_DOB_RE = regex.compile(
    _B + r"(?:born|dob|d\.o\.b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|birthday|b-day|bday)(?![\p{L}])"
    r"[^\n\d]{0,30}?" + _DATE,
    regex.IGNORECASE,
)

_PASSPORT_RE = regex.compile(_B + r"passport" + _CONNECT + _ID, regex.IGNORECASE)
_LICENSE_RE = regex.compile(
    _B + r"(?:driver'?s?|driving|drivers’|driver’s)[ \t]+licen[cs]e|" + _B + r"(?:DL|D/L)(?![\p{L}])",
    regex.IGNORECASE,
)
_LICENSE_VALUE_RE = regex.compile(
    _CONNECT
    + r"(?P<id>[A-Z0-9](?:[A-Z0-9*]|[- ](?=[A-Z0-9]*\d)[A-Z0-9]){3,22}|[a-z0-9][a-z0-9\-]{4,20})(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
_NATIONAL_ID_RE = regex.compile(
    _B
    + r"(?P<ctx>ssn|social[ \t]+security(?:[ \t]+(?:number|no\.?|#))?|national[ \t]+(?:id|identity|insurance)(?:[ \t]+(?:card|number|no\.?))?|"
    r"ni[ \t]+(?:number|no\.?)|nino|sin|social[ \t]+insurance(?:[ \t]+number)?|tax[ \t]+(?:id|file[ \t]+number|number)|"
    r"tin|tfn|nif|nie|dni|bsn|personnummer|pesel|aadhaar|aadhar|cpf|curp|id[ \t]+(?:card[ \t]+)?(?:number|no\.?)|identity[ \t]+card(?:[ \t]+number)?)"
    + _CONNECT
    + r"(?P<id>(?-i:[A-Z0-9](?:[A-Z0-9]|[-. /](?=[A-Z0-9])){4,19}))(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
_SSN_SHAPE_RE = regex.compile(_B + r"(?P<id>\d{3}-\d{2}-\d{4})(?![\p{N}\-])")

_IBAN_RE = regex.compile(
    _B + r"(?P<id>[A-Z]{2}\d{2}(?:[ \t]?[A-Z0-9]{4}){2,8}(?:[ \t]?[A-Z0-9]{1,3})?)(?![\p{N}])", regex.IGNORECASE
)
_IBAN_CONTEXT_RE = regex.compile(r"iban|account|bank|transfer|sepa|wire", regex.IGNORECASE)
_SWIFT_RE = regex.compile(
    _B
    + r"(?:swift|bic)(?:[ \t]*/[ \t]*(?:swift|bic))?(?:[ \t]+code)?"
    + _CONNECT
    + r"(?P<id>[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
_CARD_RE = regex.compile(
    _B + r"(?:card|visa|mastercard|master[ \t]+card|amex|american[ \t]+express|discover|credit|debit|cc)(?![\p{L}])"
    r"[^\n\d]{0,25}?(?P<id>\d{4}(?:[ \t\-]?\d{4}){2}[ \t\-]?\d{1,7}|\d{4}[ \t\-]?\d{6}[ \t\-]?\d{4,5})(?![\p{N}])",
    regex.IGNORECASE,
)

# IBAN lengths by country (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}


def _iban_checksum_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def _digit_count(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _near(pattern: regex.Pattern[str], text: str, start: int, end: int, before: int = 40, after: int = 0) -> bool:
    return pattern.search(text, max(0, start - before), min(len(text), end + after)) is not None


_EMAIL_RE = regex.compile(
    r"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}][\p{L}\p{N}._%+\-]{0,63}@[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,62}[\p{L}\p{N}])?"
    r"(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,62}[\p{L}\p{N}])?)+"
)


# An scp-style remote after user@host ("git@github.com:org/repo.git"): a path, not a mailbox.
_SCP_PATH_RE = regex.compile(r":[\w.~\-]*/")

# "brandon.k.lee at gmail dot com", "anna [at] example [dot] org": spelled out to dodge filters.
_SPELLED_EMAIL_RE = regex.compile(
    r"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}][\p{L}\p{N}._%+\-]{0,63}(?:[ \t]+dot[ \t]+[\p{L}\p{N}_%+\-]{1,63}){0,3}"
    r"[ \t]*(?:\[at\]|\(at\)|[ \t]at[ \t])[ \t]*"
    r"[\p{L}\p{N}\-]{1,63}(?:[ \t]*(?:\[dot\]|\(dot\)|[ \t]dot[ \t]|\.)[ \t]*[\p{L}\p{N}\-]{1,63}){1,3}(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)


class EmailAddressRecognizer(SupportRecognizer):
    """E-mail addresses by shape, also on internal or test domains Presidio's TLD check rejects."""

    ENTITIES = ("EMAIL_ADDRESS",)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        found = []
        if "@" in text:
            found += [
                self._span_result("EMAIL_ADDRESS", m.span(), 0.9)
                for m in _EMAIL_RE.finditer(text)
                if not _SCP_PATH_RE.match(text, m.end())  # "git@gitlab.example:team/api.git": a repository
            ]
        low = text.casefold()
        if " at " in low or "[at]" in low or "(at)" in low:
            for match in _SPELLED_EMAIL_RE.finditer(text):
                if "dot" in match.group(0).casefold() or "[" in match.group(0) or "(" in match.group(0):
                    found.append(self._span_result("EMAIL_ADDRESS", match.span(), 0.75))
        return found


_URL_RE = regex.compile(r"(?<![\p{L}\p{N}])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]{2,2000}", regex.IGNORECASE)


class WebLinkRecognizer(SupportRecognizer):
    """Links with a scheme or ``www.`` (a bare domain, such as an e-mail's, is not personal)."""

    ENTITIES = ("URL",)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        if "://" not in text and "www." not in text.casefold():
            return []
        return [self._span_result("URL", m.span(), 0.6) for m in _URL_RE.finditer(text)]


_CREDENTIAL_RE = regex.compile(
    _B
    + r"(?:(?P<pw>(?:new[ \t]+|old[ \t]+|temporary[ \t]+|temp[ \t]+)?(?:password|passwd|pwd|passcode|pass[ \t]?phrase|pin(?:[ \t]?code)?))"
    r"|(?P<user>user[ \t]?name|user[ \t]?id|login(?:[ \t]+(?:name|id))?|handle|gamertag))(?![\p{L}])"
    r"(?:[ \t]+(?:is|was|will[ \t]+be|should[ \t]+be)[ \t]*[:=]?[ \t]*|[ \t]*[:=][ \t]*|[ \t]+(?=[\"'“‘`])"
    # "username marcus_t91": no connector, but the value looks like a handle
    r"|(?<=name|id|login)[ \t]+(?=[^\s]*(?:[\d_@]|\.[^\s.,;:!?])))"
    r"(?P<q>[\"'“‘`]?)(?P<value>[^\s\"'”’`]{3,64}?)(?P=q)(?=[.,;!?)]*(?:\s|$))",
    regex.IGNORECASE,
)
_NOT_CREDENTIAL = frozenset(
    "is was has had and but the a an for to of on in at my your our it this that not been being reset "
    "expired wrong incorrect correct changed required please thanks again anymore field box".split()
)

# An unquoted lower-case participle followed by more of the sentence is a predicate ("is shown under").
_PARTICIPLE_RE = regex.compile(r"\p{Ll}{2,}(?:ing|ed|en|wn)")
_SENTENCE_GOES_ON_RE = regex.compile(r"[ \t]+\p{Ll}")


class CredentialRecognizer(SupportRecognizer):
    """Passwords, PINs and user names a customer types into a ticket ("my password is ...")."""

    ENTITIES = ("PASSWORD", "USERNAME")

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        results = []
        for match in _CREDENTIAL_RE.finditer(text):
            value = match.group("value")
            if value.casefold().strip(".,;!?") in _NOT_CREDENTIAL:
                continue
            if (
                not match.group("q")
                and _PARTICIPLE_RE.fullmatch(value)
                and _SENTENCE_GOES_ON_RE.match(text, match.end())
            ):
                continue  # "the password is shown under Details", "Login is timing out": a verb, not a value
            kind = "PASSWORD" if match.group("pw") else "USERNAME"
            if kind == "PASSWORD" and match.group("pw").casefold().startswith("pin") and not value.isdigit():
                continue
            results.append(self._span_result(kind, match.span("value"), 0.75))
        return results


class AccountNumberRecognizer(SupportRecognizer):
    """Customer, account, order, ticket and reference numbers next to their words."""

    ENTITIES = ("ACCOUNT_NUMBER",)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        results = []
        # A form label of another language names the number outright ("Vertragsnummer", "numer umowy"): it
        # outranks a name or address guess that swallowed the label.
        matches = [(m, 0.8) for m in _ACCOUNT_RE.finditer(text)]
        matches += [(m, 0.9) for m in _FOREIGN_ACCOUNT_RE.finditer(text)]
        for match, score in matches:
            value = match.group("id")
            digits = _digit_count(value)
            if (digits < 3 or (digits < 4 and len(value.strip("#")) < 5)) and not _CODE_SHAPE_RE.fullmatch(value):
                continue
            start, end = match.span("id")
            results.append(self._result("ACCOUNT_NUMBER", start, end, score))
        for match in _BOOKING_RE.finditer(text):
            value = match.group("id")
            if value.isalpha() and len(value) != 6:
                continue  # a shouted word, not a code (record locators are six letters)
            results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.75))
        for match in _LOWER_BOOKING_RE.finditer(text):  # typed in lower case: "booking ref q7hk2m"
            results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.7))
        for match in _PREFIXED_ID_RE.finditer(text):
            results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.7))
        listed = [m.span() for m in _HASH_LIST_RE.finditer(text)] if text.count("#") > 1 else []
        for match in _HASH_NUMBER_RE.finditer(text):
            before = text[max(0, match.start() - 30) : match.start()]
            if after_version_cue(text, match.start()) or _NOT_CASE_CUE_RE.search(before):
                continue
            if not any(s <= match.start() < e for s, e in listed):
                results.append(self._span_result("ACCOUNT_NUMBER", match.span(), 0.6))
        for match in _LONG_NUMBER_RE.finditer(text):
            if after_version_cue(text, match.start()):
                continue  # "build 81400312", "error code 80070643": a build or a code, nobody's account
            results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.45))
        return results


# The cue after the date: "03/04/1990? no wait that's my birthday", "14.3.85 (DOB)".
_DOB_AFTER_RE = regex.compile(
    _DATE + r"[ \t]*(?:[(\-–—,:?!.]+[ \t]*)?(?:no[ \t,]+wait[ \t,]+)?"
    r"(?:(?:that'?s|that[ \t]+is|it'?s|it[ \t]+is|is|was|=|being)[ \t]+)?(?:(?:my|his|her|their|the|our)[ \t]+)?"
    r"(?:birthday|birth[ \t]?date|date[ \t]+of[ \t]+birth|dob|d\.o\.b\.?)(?![\p{L}])"
    r"(?![ \t]+(?:is|was|falls|will|party|present|gift|card|cake))",
    regex.IGNORECASE,
)


class DateOfBirthRecognizer(SupportRecognizer):
    """Dates announced as a birth date, before or after ("DOB: 1985-03-14", "3 May 1990 is my birthday")."""

    ENTITIES = ("DATE_OF_BIRTH",)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        found = [self._span_result("DATE_OF_BIRTH", m.span("date"), 0.85) for m in _DOB_RE.finditer(text)]
        found += [self._span_result("DATE_OF_BIRTH", m.span("date"), 0.7) for m in _DOB_AFTER_RE.finditer(text)]
        return found


class DocumentNumberRecognizer(SupportRecognizer):
    """Passport, driving licence and national id numbers after their words."""

    ENTITIES = ("PASSPORT", "DRIVER_LICENSE", "NATIONAL_ID", "US_SSN")

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        results = []
        for match in _PASSPORT_RE.finditer(text):
            value = match.group("id").lstrip("#")
            if 6 <= len(value) <= 12 and _digit_count(value) >= 2:
                results.append(self._span_result("PASSPORT", match.span("id"), 0.8))
        for match in _LICENSE_RE.finditer(text):
            value_match = _LICENSE_VALUE_RE.match(text, match.end())
            if value_match and _digit_count(value_match.group("id")) >= 3:
                results.append(self._span_result("DRIVER_LICENSE", value_match.span("id"), 0.8))
        for match in _NATIONAL_ID_RE.finditer(text):
            value = match.group("id")
            if _digit_count(value) < 5:
                continue
            ctx = match.group("ctx").casefold()
            kind = "US_SSN" if ctx.startswith(("ssn", "social security")) else "NATIONAL_ID"
            results.append(self._span_result(kind, match.span("id"), 0.85))
        for match in _SSN_SHAPE_RE.finditer(text):
            area = match.group("id")[:3]
            if area not in ("000", "666") and not area.startswith("9"):
                results.append(self._span_result("US_SSN", match.span("id"), 0.5))
        return results


class BankingRecognizer(SupportRecognizer):
    """IBAN (valid checksum, or right length for its country), SWIFT/BIC, card numbers by context."""

    ENTITIES = ("IBAN_CODE", "SWIFT_CODE", "CREDIT_CARD")

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        results = []
        for match in _IBAN_RE.finditer(text):
            found = self._iban(text, match.start("id"), match.group("id"))
            if found:
                results.append(found)
        for match in _SWIFT_RE.finditer(text):
            code = match.group("id")
            if code.isupper() or code.islower():
                results.append(self._span_result("SWIFT_CODE", match.span("id"), 0.85))
        for match in _CARD_RE.finditer(text):
            if 13 <= _digit_count(match.group("id")) <= 19:
                results.append(self._span_result("CREDIT_CARD", match.span("id"), 0.75))
        return results

    def _iban(self, text: str, start: int, raw: str) -> RecognizerResult | None:
        if not (raw.isupper() or raw.islower()) and not raw[:2].isupper():
            return None  # "Ab12 ..." mixed case: a word, not an IBAN
        raw = raw.upper()
        country = raw[:2]
        length = _IBAN_LENGTHS.get(country)
        if length is None:
            return None
        # Keep exactly `length` alphanumerics: a greedy match may have eaten the next word.
        count, cut = 0, None
        for i, ch in enumerate(raw):
            if ch.isalnum():
                count += 1
                if count == length:
                    cut = i + 1
                    break
        if cut is None:
            return None
        if cut < len(raw) and raw[cut].isalnum():
            return None  # a longer run of characters: not this IBAN
        compact = "".join(ch for ch in raw[:cut] if ch.isalnum())
        if _iban_checksum_ok(compact):
            score = 0.95
        elif _near(_IBAN_CONTEXT_RE, text, start, start + cut, before=40, after=20):
            score = 0.8  # typed with a typo, or a made-up example: still an account
        else:
            score = 0.6
        return self._result("IBAN_CODE", start, start + cut, score)
