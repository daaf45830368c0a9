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
# for a build, run, issue or pull request ("Build #4521", "PR #20417"; see also after_version_cue), nor
# after a word for stock or a thing's own number ("SKU #44120", "Part #55120-A", "Batch #20931").
_HASH_NUMBER_RE = regex.compile(r"(?<![\p{L}\p{N}&/#])#(?P<id>\d{5,12})(?![\p{L}\p{N}]|[.,]\d)")
# Several of them in a row ("merged #40021 and #40022", "#51200, #51201"): the team's bookkeeping.
_HASH_LIST_RE = regex.compile(r"#\d{5,12}(?:[ \t]*(?:,|and|or|&|/)[ \t]*#\d{5,12})+")
_NOT_CASE_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:issue|issues|pr|pull[ \t]+request|mr|merge[ \t]+request|run|job|pipeline|step|line|row|item|"
    r"page|rank|no|nr|number|color|colour|sku|part|model|store|shop|batch|lot|serial|bug|task|story|epic|"
    r"change|commit|test|rule|gate|seat|room)[ \t]*\Z",
    regex.IGNORECASE,
)

# "#333333 on a #F5F5F5 background": a colour (another hex colour or a colour word nearby).
_COLOUR_NEAR_RE = regex.compile(
    r"#(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{3,8}(?![\p{L}\p{N}])|(?<![\p{L}])(?:colou?rs?|hex|rgba?|css|accent|hover)(?![\p{L}])",
    regex.IGNORECASE,
)
# After "order", "return", "invoice", "claim": a count and what is counted ("order 2 15m cables",
# "return 3 128GB cards", "order of 1500 units", "an invoice of 1200 EUR"): a quantity or an amount.
_UNIT_GROUP_RE = regex.compile(
    r"\d+(?:[.,]\d+)?-?(?:mm|cm|m|km|g|kg|mg|ml|cl|l|gb|tb|mb|kb|ghz|mhz|w|kw|v|mah|in|inch|inches|ft|packs?|pk|"
    r"pcs|pc|x|k|p|h|hrs?|mins?|ms|s|st|nd|rd|th|port|way|days?|months?|years?)",
    regex.IGNORECASE,
)
# A parcel's tracking number is the carrier's, not the customer's ("tracking #4471209", "tracking ref: LX19...").
_TRACKING_CUE_RE = regex.compile(
    r"(?<![\p{L}])(?:tracking|shipment|parcel|consignment|waybill|courier)(?:[ \t]+(?:number|no\.?|nr\.?|id|code))?"
    r"[ \t]*[:#]?[ \t]*\Z",
    regex.IGNORECASE,
)
_COUNTED_RE = regex.compile(
    r"[ \t]*(?:x[ \t]|units|items|pieces|pcs|licen[cs]es|seats|copies|boxes|bags|packs|pallets|cartons|users|"
    r"devices|eur|usd|gbp|chf|euros?|dollars?|pounds?)(?![\p{L}])|[ \t]*[€$£]",
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
# A UK National Insurance number whose first letters read as a small word ("is NR 71 03 44 D": "nr").
_NINO_SHAPE_RE = regex.compile(r"[A-Z]{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-D](?![\p{L}\p{N}])")
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
    entry[:2]: int(entry[2:])
    for entry in (
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 "
        "ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 "
        "LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 "
        "RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20"
    ).split()
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


def _after_tracking_word(text: str, start: int) -> bool:
    return _TRACKING_CUE_RE.search(text, max(0, start - 40), start) is not None


def _cut_counted_groups(value: str) -> str:
    """An id typed in groups, less the groups that count things ("2 15m", "10 500g", "25 27-inch" -> "2", "10", "25").

    A lone digit before a space is a count, not an id's first group.
    """
    groups = value.split(" ")
    if len(groups) > 1 and len(groups[0]) == 1 and groups[0].isdigit():
        return groups[0]
    for i, group in enumerate(groups[1:], 1):
        if _UNIT_GROUP_RE.fullmatch(group):
            return " ".join(groups[:i])
    return value


class AccountNumberRecognizer(SupportRecognizer):
    """Customer, account, order, ticket and reference numbers next to their words."""

    ENTITIES = ("ACCOUNT_NUMBER",)

    def find(self, text: str, doc: Doc | None) -> list[RecognizerResult]:
        results = []
        # A form label of another language names the number outright ("Vertragsnummer", "numer umowy"): it
        # outranks a name or address guess that swallowed the label.
        # Overlapped: a cue the previous match swallowed as its value still counts ("my claim. Claim number
        # CL/2291/0044", "order confirmation: 114-2290183-7746021").
        matches = [(m, 0.8) for m in _ACCOUNT_RE.finditer(text, overlapped=True)]
        matches += [(m, 0.9) for m in _FOREIGN_ACCOUNT_RE.finditer(text, overlapped=True)]
        for match, score in matches:
            if _after_tracking_word(text, match.start()):
                continue
            start, end = match.span("id")
            value = _cut_counted_groups(text[start:end])
            end = start + len(value)
            digits = _digit_count(value)
            if (digits < 3 or (digits < 4 and len(value.strip("#")) < 5)) and not _CODE_SHAPE_RE.fullmatch(value):
                continue
            if value.isdigit() and (
                (len(value) <= 5 and _COUNTED_RE.match(text, end))
                or text[match.start() : start].casefold().endswith(" of ")
            ):
                continue  # "order of 1500 units", "an invoice of 1200 EUR": a quantity or an amount
            results.append(self._result("ACCOUNT_NUMBER", start, end, score))
        for match in _BOOKING_RE.finditer(text):
            value = match.group("id")
            if value.isalpha() and len(value) != 6:
                continue  # a shouted word, not a code (record locators are six letters)
            if not _after_tracking_word(text, match.start()):
                results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.75))
        for match in _LOWER_BOOKING_RE.finditer(text):  # typed in lower case: "booking ref q7hk2m"
            if not _UNIT_GROUP_RE.fullmatch(match.group("id")) and not _after_tracking_word(text, match.start()):
                results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.7))  # not "in 24hrs"
        for match in _PREFIXED_ID_RE.finditer(text):
            results.append(self._span_result("ACCOUNT_NUMBER", match.span("id"), 0.7))
        listed = [m.span() for m in _HASH_LIST_RE.finditer(text)] if text.count("#") > 1 else []
        for match in _HASH_NUMBER_RE.finditer(text):
            before = text[max(0, match.start() - 30) : match.start()]
            if after_version_cue(text, match.start()) or _NOT_CASE_CUE_RE.search(before):
                continue
            if _after_tracking_word(text, match.start()):
                continue
            if len(match.group("id")) in (6, 8) and _near(_COLOUR_NEAR_RE, text, match.start(), match.end(), 40, 40):
                continue  # "#333333 on a #F5F5F5 background": a colour
            if not any(s <= match.start() < e for s, e in listed):
                results.append(self._span_result("ACCOUNT_NUMBER", match.span(), 0.6))
        for match in _LONG_NUMBER_RE.finditer(text):
            if after_version_cue(text, match.start()) or _after_tracking_word(text, match.start()):
                continue  # "build 81400312", "error code 80070643", "tracking 00340434": nobody's account
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
            start, end = match.span("id")
            for back in (3, 2):  # the small-word reading took the letters: take them back
                nino = _NINO_SHAPE_RE.match(text, start - back) if start >= back else None
                if nino and nino.end() >= end:
                    start, end = nino.span()
                    break
            results.append(self._result(kind, start, end, 0.85))
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
