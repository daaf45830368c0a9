"""Each shape recognizer alone, like Presidio's recognizer tests: ``(text, expected)`` cases.

``expected`` lists ``(entity_type, value)``; the value must occur exactly once in
the text, so each case pins the exact type and character span. A recognizer may
report one value twice or nested (two patterns agree); the engine merges those,
so the cases compare the recognizer's results as the engine merges them
(``resolve_overlaps``). Negatives (``[]``) are the look-alikes support text is
full of. The two recognizers that read a spaCy doc run on the real shipped
model: ``ModelEntityRecognizer`` (our trained NER's PERSON / STREET_ADDRESS
with its span checks) and ``ContextNameRecognizer`` (the previous engine's cue
rule, off by default, kept for the ablation; it needs the base model's tagger).
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from agentconsole.config import PrivacySettings
from agentconsole.privacy.detections import Detection, resolve_overlaps
from agentconsole.privacy.model import load_pipeline
from agentconsole.privacy.recognizers.addresses import StreetAddressRecognizer
from agentconsole.privacy.recognizers.base import SupportRecognizer
from agentconsole.privacy.recognizers.identifiers import (
    AccountNumberRecognizer,
    BankingRecognizer,
    CredentialRecognizer,
    DateOfBirthRecognizer,
    DocumentNumberRecognizer,
    EmailAddressRecognizer,
    WebLinkRecognizer,
)
from agentconsole.privacy.recognizers.model_entities import ModelEntityRecognizer
from agentconsole.privacy.recognizers.names import ContextNameRecognizer
from agentconsole.privacy.recognizers.phones import PhoneMatcherRecognizer
from agentconsole.privacy.textprep import detection_text

Expected = list[tuple[str, str]]


def _found(recognizer: SupportRecognizer, text: str, nlp: Language | None = None) -> list[tuple[str, int, int]]:
    if nlp is None:
        raw = recognizer.analyze(text, list(recognizer.ENTITIES), None)
    else:  # as the engine runs it: on the detection text (same offsets) and its doc
        prepared = detection_text(text)
        raw = recognizer.find(prepared, nlp(prepared))
    merged = resolve_overlaps(Detection(r.start, r.end, r.entity_type, r.score) for r in raw)
    return [(d.entity_type, d.start, d.end) for d in merged]


def _spans(text: str, expected: Expected) -> list[tuple[str, int, int]]:
    spans = []
    for entity_type, value in expected:
        assert text.count(value) == 1, f"test case: {value!r} must occur once"
        start = text.index(value)
        spans.append((entity_type, start, start + len(value)))
    return sorted(spans, key=lambda s: s[1])


def _check(recognizer: SupportRecognizer, text: str, expected: Expected, nlp: Language | None = None) -> None:
    assert _found(recognizer, text, nlp) == _spans(text, expected)


@pytest.fixture(scope="module")
def ner() -> Language:
    return load_pipeline()  # our NER alone, as the engine runs it by default


@pytest.fixture(scope="module")
def tagged() -> Language:
    return load_pipeline(PrivacySettings().spacy_model, base_ner=False, tagger=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to anna.berg@example.org please", [("EMAIL_ADDRESS", "anna.berg@example.org")]),
        ("ping ops@intranet.local or me", [("EMAIL_ADDRESS", "ops@intranet.local")]),  # internal domains count
        ("push to git@gitlab.example:platform/api.git now", []),  # an scp-style repository, not a mailbox
        ("mail anna@example.org: she knows", [("EMAIL_ADDRESS", "anna@example.org")]),
        ("it is john dot smith at example dot com", [("EMAIL_ADDRESS", "john dot smith at example dot com")]),
        ("anna [at] example [dot] org", [("EMAIL_ADDRESS", "anna [at] example [dot] org")]),
        ("meet at the cafe at noon", []),
        ("the @ key is broken", []),
        ("user@ alone", []),
        ("version 1.2@build", []),
        ("meet at noon dot", []),
        ("I'm at home", []),
    ],
)
def test_email_address_recognizer(text: str, expected: Expected) -> None:
    _check(EmailAddressRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see https://portal.example.com/cases/8812?ref=mail now",
            [("URL", "https://portal.example.com/cases/8812?ref=mail")],
        ),
        ("go to www.example.org/help", [("URL", "www.example.org/help")]),
        ("example.com is down", []),  # a bare domain is not personal
        ("mail me at anna@example.com", []),
        ("http:// alone", []),
    ],
)
def test_web_link_recognizer(text: str, expected: Expected) -> None:
    _check(WebLinkRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is Tr0ub4dor&3 thanks", [("PASSWORD", "Tr0ub4dor&3")]),
        ("PIN: 4821", [("PASSWORD", "4821")]),
        ("username: jsmith_77", [("USERNAME", "jsmith_77")]),
        ("login: anna.berg", [("USERNAME", "anna.berg")]),
        ("reset your password in Settings", []),
        ("the password field is empty", []),
        ("username is required", []),
        ("the login works. Thanks!", []),  # a full stop is not a handle's dot
        ("login anna.berg please", [("USERNAME", "anna.berg")]),
        ("The password is shown under Details.", []),  # a participle and more sentence: a predicate
        ("Login is timing out for everyone here", []),
        ("my password is frozen", [("PASSWORD", "frozen")]),  # a participle at the end may be the value
        ('my password is "hidden" and it fails', [("PASSWORD", "hidden")]),  # quoted: the value
    ],
)
def test_credential_recognizer(text: str, expected: Expected) -> None:
    _check(CredentialRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my account number is 48291033", [("ACCOUNT_NUMBER", "48291033")]),
        ("order no.: 55821-A", [("ACCOUNT_NUMBER", "55821-A")]),
        ("ticket #8812 still open", [("ACCOUNT_NUMBER", "8812")]),
        ("booking ref ABX7K2", [("ACCOUNT_NUMBER", "ABX7K2")]),
        ("PNR: KXTHRW", [("ACCOUNT_NUMBER", "KXTHRW")]),
        ("Buchungsnummer: QX7R2P", [("ACCOUNT_NUMBER", "QX7R2P")]),
        ("ORD-2024-55821 was shipped", [("ACCOUNT_NUMBER", "ORD-2024-55821")]),
        ("customer CUST00123 called", [("ACCOUNT_NUMBER", "CUST00123")]),
        ("acct# 00449921", [("ACCOUNT_NUMBER", "00449921")]),
        ("ref 123456789012", [("ACCOUNT_NUMBER", "123456789012")]),
        ("any news on ticket #8812?", [("ACCOUNT_NUMBER", "8812")]),
        ("customer number CUST-48213", [("ACCOUNT_NUMBER", "CUST-48213")]),
        ("order 20240517 arrived", [("ACCOUNT_NUMBER", "20240517")]),
        ("see you on #general", []),
        ("the booking is CONFIRMED", []),
        ("version 2.3 of the app", []),
        ("order 3 items", []),
        ("ticket is open", []),
        ("in 2024 we moved", []),
        ("Windows 11 update", []),
        ("the app (build 81400312) crashes", []),  # a build number after its word
        ("error code 80070643 on install", []),
        ("serial 81400312 is on the label", [("ACCOUNT_NUMBER", "81400312")]),  # a device's own number stays
    ],
)
def test_account_number_recognizer(text: str, expected: Expected) -> None:
    _check(AccountNumberRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB: 14/03/1985", [("DATE_OF_BIRTH", "14/03/1985")]),
        ("born 3 May 1990 in a small town", [("DATE_OF_BIRTH", "3 May 1990")]),
        ("date of birth March 14, 1985", [("DATE_OF_BIRTH", "March 14, 1985")]),
        ("14.03.1985 (DOB)", [("DATE_OF_BIRTH", "14.03.1985")]),
        ("my birthday is on the 14th of March", [("DATE_OF_BIRTH", "the 14th of March")]),
        ("delivered on 14/03/2024", []),
        ("the order from 3 May 1990", []),
    ],
)
def test_date_of_birth_recognizer(text: str, expected: Expected) -> None:
    _check(DateOfBirthRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("passport no. X1234567", [("PASSPORT", "X1234567")]),
        ("national insurance number QQ 12 34 56 C", [("NATIONAL_ID", "QQ 12 34 56 C")]),
        ("SSN 123-45-6789", [("US_SSN", "123-45-6789")]),
        ("tax id 12-3456789", [("NATIONAL_ID", "12-3456789")]),
        ("my national insurance number is QQ 12 34 56 C", [("NATIONAL_ID", "QQ 12 34 56 C")]),
        ("NI number: AB123456C", [("NATIONAL_ID", "AB123456C")]),
        ("tax ID is 12/345/67890", [("NATIONAL_ID", "12/345/67890")]),
        ("the tax was 20%", []),
        ("passport expired last year", []),
        ("the SSN field", []),
    ],
)
def test_document_number_recognizer(text: str, expected: Expected) -> None:
    _check(DocumentNumberRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN DE89 3704 0044 0532 0130 00 for the refund", [("IBAN_CODE", "DE89 3704 0044 0532 0130 00")]),
        ("iban: GB29NWBK60161331926819", [("IBAN_CODE", "GB29NWBK60161331926819")]),
        ("SWIFT: DEUTDEFF", [("SWIFT_CODE", "DEUTDEFF")]),
        ("BIC COBADEFFXXX", [("SWIFT_CODE", "COBADEFFXXX")]),
        ("card 4111 1111 1111 1111 expires", [("CREDIT_CARD", "4111 1111 1111 1111")]),
        ("visa ending 4111111111111111", [("CREDIT_CARD", "4111111111111111")]),
        ("the IBAN field is empty", []),
        ("DEUTDEFF alone", []),
        ("Ab12 3456 word", []),
    ],
)
def test_banking_recognizer(text: str, expected: Expected) -> None:
    _check(BankingRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on +44 20 7946 0958 tomorrow", [("PHONE_NUMBER", "+44 20 7946 0958")]),
        ("my number: (555) 010-0199", [("PHONE_NUMBER", "(555) 010-0199")]),
        ("mobile 06 12 34 56 78", [("PHONE_NUMBER", "06 12 34 56 78")]),
        ("Tel. 030 1234567 (office)", [("PHONE_NUMBER", "030 1234567")]),
        ("tel 0049 30 1234567", [("PHONE_NUMBER", "0049 30 1234567")]),
        ("reach me at +66 (0) 4874 4834", [("PHONE_NUMBER", "+66 (0) 4874 4834")]),
        (
            "ring me oh seven seven double oh nine one two three four five six",
            [("PHONE_NUMBER", "oh seven seven double oh nine one two three four five six")],
        ),
        ("account 4829103312 is closed", []),
        ("tracking 1Z999AA10123456784", []),
        ("ticket #88123456", []),
        ("number is 0 7 7 0 0 9 0 0 1 2 3", [("PHONE_NUMBER", "0 7 7 0 0 9 0 0 1 2 3")]),
        ("order 12345678 shipped", []),
        ("on 12/05/2023 I paid 1.234,56", []),
        ("version v12.3.4 build 12345", []),
        ("we are seven or eight people", []),
        # versions, builds, codes and release stamps are not phones; a phone's extension is part of it
        ("It says Version 2405 Build 17628.20144.", []),
        ("Reproduced on Chrome 121.0.6167.85 and in 5.15.133.1", []),
        ("Kernel version is 22631.3007 now", []),
        ("since deploy 2024.02.13-1 the API fails", []),
        ("the app (build 81400312) crashes", []),
        ("exit code 1370044 again", []),
        (
            "call me on 555.010.0199 or 1.800.555.0199",
            [("PHONE_NUMBER", "555.010.0199"), ("PHONE_NUMBER", "1.800.555.0199")],
        ),
        ("Tel: (527)588-0169x4130 | Product", [("PHONE_NUMBER", "(527)588-0169x4130")]),
        ("callback number (460) 788-9682 ext. 495.", [("PHONE_NUMBER", "(460) 788-9682 ext. 495")]),
        ("release notes: call +44 20 7946 0958", [("PHONE_NUMBER", "+44 20 7946 0958")]),
    ],
)
def test_phone_matcher_recognizer(text: str, expected: Expected) -> None:
    _check(PhoneMatcherRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ship to 1600 Pennsylvania Ave NW, Washington, DC 20500",
            [("STREET_ADDRESS", "1600 Pennsylvania Ave NW, Washington, DC 20500")],
        ),
        ("Hauptstraße 5, 10115 Berlin", [("STREET_ADDRESS", "Hauptstraße 5, 10115 Berlin")]),
        ("PO Box 1234, Springfield", [("STREET_ADDRESS", "PO Box 1234, Springfield")]),
        ("open the Main Street store page", []),
        ("via last 4 of SSN", []),
        ("we have 3 Street Fighter licences", []),
        ("step 2 Road map", []),
    ],
)
def test_street_address_recognizer(text: str, expected: Expected) -> None:
    _check(StreetAddressRecognizer(), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, my name is Jonathan Whitaker and I can't log in.", [("PERSON", "Jonathan Whitaker")]),
        ("Dear Priya,\nthanks for the update.", [("PERSON", "Priya")]),
        ("Kind regards,\nAnna Berg", [("PERSON", "Anna Berg")]),
        ("hi this is maria lopez, my order never arrived", [("PERSON", "maria lopez")]),
        ("Spoke with Арина Соколова about the refund.", [("PERSON", "Арина Соколова")]),
        (
            "Please ship it to 27 Seafield Crescent, Dublin 3, D03 K2W7 by Friday.",
            [("STREET_ADDRESS", "27 Seafield Crescent, Dublin 3, D03 K2W7")],
        ),
        (
            "New address:\nFlat 2, 14 High Street\nLondon\nSW1A 1AA",
            [("STREET_ADDRESS", "Flat 2, 14 High Street\nLondon\nSW1A 1AA")],
        ),
        ("Hauptstraße 5\n10115 Berlin\nGermany", [("STREET_ADDRESS", "Hauptstraße 5\n10115 Berlin\nGermany")]),
        # look-alikes: UI labels, products, brands, places and months used generically, greetings
        ("Mark as resolved once the customer confirms.", []),
        ("The Outlook plugin crashes on Monday mornings.", []),
        ("Our office in Cork is closed in August.", []),
        ("I bought a Pixel 8 at John Lewis.", []),
        ("Привет! Спасибо за помощь.", []),
        ("Export to CSV, then click Save and Close.", []),
        # second-stage checks on the model's guesses (no name lists)
        ("Pastes", []),  # a one-word message is a title or label
        ("Open Settings > Members, find the colleague, and change their role to Admin.", []),  # a menu path
        ("Kind regards,\nRevenue Operations", []),  # a department signs
        ('Click "Export", then press Download.', []),  # a quoted term
        ("Notifications on Android 14 need the new permission.", []),  # a product and its version
        ("Ask Anna Berg > she knows the account.", [("PERSON", "Anna Berg")]),  # a full name next to ">" stays
        ("Thanks,\nMarta", [("PERSON", "Marta")]),  # a one-word sign-off stays
        ("Fast case", []),  # a case title: a one-word guess needs a person cue there
        ("Hi Marta", [("PERSON", "Marta")]),  # ... which a greeting is
        ("Shift summary: 48 chats, 31 emails, 6 phone callbacks.", []),  # counts, not an address
        ("Please add 10 more seats on the Standard plan.", []),
        ("Refund for order 1182 (Anna Berg) approved.", [("PERSON", "Anna Berg")]),  # a name after an id
        ("Version 2405 (Monthly Enterprise Channel) is current.", []),  # a label in brackets after a number
        # used as a thing or a place (thing_context.py), code-like, or an abstract noun: not a person
        ("Winston is the default, but you can upload your own fonts under Branding > Fonts.", []),
        ("Internal: the supplier in Porto has delays.", []),
        ("Yes, the Victoria is the three-seater and the Albert is the two-seater of the same range.", []),
        ("Is Madison available in the EU region yet? We'd like to host the Madison cluster in Frankfurt.", []),
        ("Our Brother HL-L2350DW prints blank pages since the toner swap.", []),
        ("Hello Service Desk,\n\nThe backup failed again.\n\nThanks,\nInfrastructure", []),
        ("Winston is the account owner, please call him.", [("PERSON", "Winston")]),
        ("I spoke to Porto yesterday, he is in billing.", [("PERSON", "Porto")]),
        ("Hi Madison, the cluster is ready.", [("PERSON", "Madison")]),
        ("Thanks,\nClement", [("PERSON", "Clement")]),
        # a street the model called a person; whole blocks around a detected line
        (
            "it's Jonathan-Keller-Gasse 743 - 8122 Althofen, the blue door",
            [("STREET_ADDRESS", "Jonathan-Keller-Gasse 743 - 8122 Althofen")],
        ),
        (
            "The engineer should visit 3 Chome-5-2 Nishi-Shinjuku\nShinjuku City, Tokyo 160-0023\nJapan on Tuesday.",
            [("STREET_ADDRESS", "3 Chome-5-2 Nishi-Shinjuku\nShinjuku City, Tokyo 160-0023\nJapan")],
        ),
        (
            "Please use Mariahilfer Straße 88\n1070 Wien\nÖsterreich from now on.",
            [("STREET_ADDRESS", "Mariahilfer Straße 88\n1070 Wien\nÖsterreich")],
        ),
        ("Order summary:\n2 x Chester cushion\n1 x Oak side table\nTotal 249.00 EUR", []),  # order lines
        # a verb opening the sentence, a farewell, a tool's agent noun, a team's name: not people or places
        (
            "Forward this to Ingrid Halvorsen please, she handles the contracts.",
            [("PERSON", "Ingrid Halvorsen")],
        ),
        ("Anna, send it to me please.", [("PERSON", "Anna")]),
        ("Ok thanks. Bye!", []),
        ("Scan the new QR code with Authenticator.", []),
        ("Thanks,\nSalvator", [("PERSON", "Salvator")]),
        ("Customer Service Team, Acme Corp, Level 3 Support", []),
        # a form value needs a field that holds a person
        ("Produkt: Sierra\nPriorität: Hoch", []),
        ("Kunde: Anna\nTicket: 4471", [("PERSON", "Anna")]),
        ("Sierra and Ventura are no longer supported by the app.", []),
        ("Please send it to Level 3, 12 High Street, Leeds", [("STREET_ADDRESS", "Level 3, 12 High Street, Leeds")]),
        (
            "Şərur rayonu, Məlikçobanli kəndi, TƏBRİZ pr.",
            [("STREET_ADDRESS", "Şərur rayonu, Məlikçobanli kəndi, TƏBRİZ pr")],
        ),  # no digit, but comma-separated parts
        # a full name the model labels as an address: no address shape, so the person checks decide
        ("Regards, Zoë Ní Bhriain", [("PERSON", "Zoë Ní Bhriain")]),
        ("We ship from Northern Ireland and Wales.", []),
        # a calendar word before a name particle is a given name
        ("Best regards, Jan van der Berg", [("PERSON", "Jan van der Berg")]),
        ("Meeting in May de facto cancelled", []),
    ],
)
def test_model_entity_recognizer(ner: Language, text: str, expected: Expected) -> None:
    _check(ModelEntityRecognizer(), text, expected, ner)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My name is Jonathan Whitaker.", [("PERSON", "Jonathan Whitaker")]),
        ("Kind regards,\nAnna Berg", [("PERSON", "Anna Berg")]),
        ("Please ask for Mr Okafor at the desk.", [("PERSON", "Okafor")]),
        ("Sorensen, Zanele - requested closure", [("PERSON", "Sorensen, Zanele")]),
        ("Mark as resolved", []),
        ("Thanks Again for the quick fix", []),
        ("I spoke with Live Chat yesterday", []),
        ("Contoso Support will reply", []),
        ("Update to Windows 11 first.", []),
    ],
)
def test_context_name_recognizer(tagged: Language, text: str, expected: Expected) -> None:
    _check(ContextNameRecognizer(), text, expected, tagged)
