#!/usr/bin/env python3
"""Generate the labeled PII sets in tests/data/ (seeded, synthetic people only).

    .venv/bin/python scripts/make_pii_dataset.py          # writes tests/data/pii_{tune,heldout}.jsonl

Each line: {"id", "split", "style", "text", "entities": [{"start", "end", "type"}]}
with character offsets into "text".

Two splits with *disjoint templates and disjoint value pools*:

* ``tune``: the templates the recognizers were developed against;
* ``heldout``: templates written separately (other cues, layouts, formats)
  and values from other pools (including syllable-built names that exist in
  no list), never used while tuning. Report both.

The name and street vocabularies below exist only to *generate* text; the
engine has no name or street lists (it works from cues, shape and NER), and
these pools are hand-written here, not taken from a fake-data library.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data"

# --- value pools (generation only) ------------------------------------------------

FIRST_A = """Priya Jonas Mei Oluwaseun Ingrid Mateo Fatima Tomasz Aiyana Kenji Leila Dmitri Chiamaka
Sven Rosa Arjun Nadia Hamid Camille Bjorn Yusuf Lucia Kwame Hana Rafael Elif Anders Zanele Marek Ines""".split()
LAST_A = """Raghunathan Lindqvist Tanaka Adebayo Johansson Alvarez Haddad Wisniewski Redcloud Morimoto Farahani
Volkov Okonkwo Eriksen Castillo Menon Petrova Karimi Lefebvre Sorensen Demir Ferreira Mensah Novak
Kowalczyk Oyelaran Fitzgerald Abernathy Quintero Halvorsen""".split()
FIRST_B = """Amara Thabo Sigrid Ravi Noor Esteban Yuki Halima Bogdan Siobhan Teodora Kofi Anouk Idris Marisol
Henrik Lakshmi Tariq Oksana Benedikt Chidi Svetlana Joaquin Aroha Emeka Vesna Paolo Dagny Farid Zofia""".split()
LAST_B = """Nakamura Oyelowo Brandvold Chaudhry Vasquez Kiriakou Mbeki Lindgren Szabo Achterberg Moreau Nwosu
Takahashi Delgado Bergstrom Iyer Makarov Ortega Holmqvist Adeyemi Kovalenko Rahimi Lindahl Okafor
Castellanos Van Buren Haugland Oduya Pellegrini Strand""".split()
SYLL = "ka lo mi ren ta vo shi ne ra dun el ba ko ri sa mu ze lin tor ga hu yen pa dro qui fen".split()

STREETS_A = """Elm Maple Cedar Harbor Mill Orchard Willow Granite Juniper Chestnut Meadowbrook Sycamore Hawthorn
Lakeview Ridgecrest Aspen Bramble Copper Foxglove Larkspur""".split()
STREETS_B = """Tamarack Kestrel Bluebonnet Quarry Alder Wren Heron Saddleback Thistle Marigold Pinecone Osprey
Buttercup Silverbirch Cormorant Driftwood Moss Beacon Lantern Gannet""".split()
SUFFIX_A = "Street St. Avenue Ave Road Rd. Lane Drive Boulevard Court Way Place Terrace".split()
SUFFIX_B = "Street Avenue Road Lane Drive Close Crescent Parkway Trail Circle Grove Highway".split()
CITIES_A = [
    ("Springfield", "IL"),
    ("Riverton", "WY"),
    ("Fairview", "OR"),
    ("Georgetown", "TX"),
    ("Salem", "MA"),
    ("Madison", "WI"),
]
CITIES_B = [
    ("Clayton", "MO"),
    ("Ashland", "KY"),
    ("Dover", "DE"),
    ("Milford", "CT"),
    ("Franklin", "TN"),
    ("Bristol", "VA"),
]
UK_TOWNS = ["Leeds", "Bristol", "Norwich", "York", "Cardiff", "Bath", "Exeter", "Derby"]
DE_TOWNS = ["Berlin", "Hamburg", "Köln", "Leipzig", "Bremen", "Dresden"]
FR_TOWNS = ["Paris", "Lyon", "Nantes", "Lille", "Rennes"]
DOMAINS_A = ["example.com", "example.org", "mail.example.net", "inbox.test", "corp-mail.example"]
DOMAINS_B = ["example.co.uk", "post.example.de", "webmail.test", "example.io", "fastmail.example"]
MONTHS = "January February March April May June July August September October November December".split()

# --- value generators --------------------------------------------------------------


def syllable_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLL) for _ in range(rng.randint(2, 3))).capitalize()


def person(rng: random.Random, pool: str) -> str:
    first, last = (FIRST_A, LAST_A) if pool == "A" else (FIRST_B, LAST_B)
    f = rng.choice(first) if pool == "A" or rng.random() < 0.6 else syllable_name(rng)
    ln = rng.choice(last) if pool == "A" or rng.random() < 0.6 else syllable_name(rng)
    form = rng.random()
    if form < 0.55:
        return f"{f} {ln}"
    if form < 0.7:
        return f
    if form < 0.8:
        return f"{f[0]}. {ln}"
    if form < 0.9:
        return f"{f} {rng.choice(first)} {ln}"
    return f"{f} {ln}-{rng.choice(last)}" if pool == "A" else f"{f} de la {ln}"


def full_person(rng: random.Random, pool: str) -> str:
    name = person(rng, pool)
    while " " not in name:
        name = person(rng, pool)
    return name


def email(rng: random.Random, pool: str) -> str:
    first, last = (FIRST_A, LAST_A) if pool == "A" else (FIRST_B, LAST_B)
    f, ln = rng.choice(first).lower(), rng.choice(last).lower().replace(" ", "")
    handle = rng.choice(
        [f"{f}.{ln}", f"{f[0]}{ln}", f"{f}_{ln}{rng.randint(1, 99)}", f"{ln}.{f}", f"{f}{rng.randint(70, 99)}"]
    )
    return f"{handle}@{rng.choice(DOMAINS_A if pool == 'A' else DOMAINS_B)}"


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def phone(rng: random.Random, pool: str) -> str:
    a, b, c = f"{rng.randint(201, 989)}", digits(rng, 3), digits(rng, 4)
    formats_a = [
        f"({a}) {b}-{c}",
        f"{a}-{b}-{c}",
        f"+1 {a} {b} {c}",
        f"{a}.{b}.{c}",
        f"+44 20 {digits(rng, 4)} {digits(rng, 4)}",
        f"07700 {digits(rng, 6)}",
        f"+49 30 {digits(rng, 7)}",
        f"+33 6 {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
        f"({a}) {b}-{c} ext. {rng.randint(10, 999)}",
    ]
    formats_b = [
        f"+1-{a}-{b}-{c}",
        f"1 ({a}) {b}-{c}",
        f"+61 4{digits(rng, 2)} {digits(rng, 3)} {digits(rng, 3)}",
        f"+91 98{digits(rng, 3)} {digits(rng, 5)}",
        f"0{rng.randint(6, 7)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
        f"+31 6 {digits(rng, 8)}",
        f"0044 {digits(rng, 4)} {digits(rng, 6)}",
        f"{a} {b} {c}",
        f"+353 87 {digits(rng, 3)} {digits(rng, 4)}",
        f"{a}-{b}-{c} x{rng.randint(10, 99)}",
    ]
    return rng.choice(formats_a if pool == "A" else formats_b)


def street_line(rng: random.Random, pool: str) -> str:
    streets, suffixes = (STREETS_A, SUFFIX_A) if pool == "A" else (STREETS_B, SUFFIX_B)
    num = str(rng.randint(1, 9899))
    if rng.random() < 0.15:
        num += rng.choice("AB")
    name = rng.choice(streets)
    if rng.random() < 0.25:
        name = f"{rng.choice(['North', 'South', 'East', 'West', 'Old', 'Upper'])} {name}"
    line = f"{num} {name} {rng.choice(suffixes)}"
    if rng.random() < 0.3:
        line += rng.choice(
            [
                f", Apt {rng.randint(1, 40)}{rng.choice('ABC')}",
                f" Suite {rng.randint(100, 900)}",
                f", Unit {rng.randint(1, 30)}",
                f" #{rng.randint(2, 99)}",
            ]
        )
    return line


def us_address(rng: random.Random, pool: str, sep: str = ", ") -> str:
    city, state = rng.choice(CITIES_A if pool == "A" else CITIES_B)
    return f"{street_line(rng, pool)}{sep}{city}, {state} {digits(rng, 5)}"


def intl_address(rng: random.Random, pool: str) -> str:
    streets = STREETS_A if pool == "A" else STREETS_B
    kind = rng.randrange(6)
    if kind == 0:
        pc = f"{rng.choice(['LS', 'BS', 'NR', 'YO', 'CF'])}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        return f"{rng.randint(1, 300)} {rng.choice(streets)} {rng.choice(['Road', 'Lane', 'Street', 'Close'])}, {rng.choice(UK_TOWNS)} {pc}"
    if kind == 1:
        stem = rng.choice(["Linden", "Birken", "Garten", "Schiller", "Mühlen", "Rosen", "Eichen", "Berg"])
        return f"{stem}{rng.choice(['straße', 'weg', 'gasse', 'allee'])} {rng.randint(1, 120)}{rng.choice(['', 'a', 'b'])}, {digits(rng, 5)} {rng.choice(DE_TOWNS)}"
    if kind == 2:
        return f"{rng.randint(1, 90)} rue {rng.choice(['de la', 'des', 'du', 'de'])} {rng.choice(['Paix', 'Lilas', 'Moulin', 'Fontaine', 'Gare'])}, {digits(rng, 5)} {rng.choice(FR_TOWNS)}"
    if kind == 3:
        return f"{rng.choice(['Via', 'Calle', 'Rua'])} {rng.choice(['Roma', 'Mayor', 'Augusta', 'Garibaldi', 'Sol'])} {rng.randint(1, 200)}, {digits(rng, 5)} {rng.choice(['Roma', 'Madrid', 'Lisboa', 'Milano'])}"
    if kind == 4:
        return f"{rng.choice(['Keizers', 'Heren', 'Prinsen'])}gracht {rng.randint(1, 600)}, {digits(rng, 4)} {rng.choice(['AB', 'CJ', 'KL'])} Amsterdam"
    return f"P.O. Box {rng.randint(100, 99999)}, {rng.choice(CITIES_A if pool == 'A' else CITIES_B)[0]}"


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + digits(rng, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def card(rng: random.Random, pool: str) -> str:
    kind = rng.randrange(3)
    if kind == 2:
        n = luhn_complete("37", 15, rng)
        return f"{n[:4]} {n[4:10]} {n[10:]}"
    n = luhn_complete(rng.choice(["4", "51", "55"]), 16, rng)
    sep = rng.choice([" ", "-", ""])
    return sep.join(n[i : i + 4] for i in range(0, 16, 4))


def iban(rng: random.Random, pool: str) -> str:
    country, length = rng.choice([("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27)])
    if country == "GB" or country == "NL":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + digits(rng, length - 8)
    elif country == "IT":
        bban = rng.choice(string.ascii_uppercase) + digits(rng, length - 5)
    else:
        bban = digits(rng, length - 4)
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    compact = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def swift(rng: random.Random, pool: str) -> str:
    bank = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    code = (
        bank
        + rng.choice(["DE", "GB", "FR", "NL", "US", "CH"])
        + rng.choice(string.ascii_uppercase)
        + rng.choice("0123456789" + string.ascii_uppercase)
    )
    return code + (
        "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(3)) if rng.random() < 0.5 else ""
    )


def dob(rng: random.Random, pool: str) -> str:
    y, m, d = rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28)
    forms = [
        f"{m:02d}/{d:02d}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{MONTHS[m - 1]} {d}, {y}",
        f"{d} {MONTHS[m - 1]} {y}",
    ]
    if pool == "B":
        forms += [
            f"{d}/{m}/{y}",
            f"{d}{'th' if d > 3 else 'st'} of {MONTHS[m - 1]} {y}",
            f"{MONTHS[m - 1][:3]} {d} {y}",
        ]
    return rng.choice(forms)


def account(rng: random.Random, pool: str) -> str:
    forms_a = [
        digits(rng, 8),
        f"ACC-{digits(rng, 6)}",
        f"ORD-{rng.randint(2019, 2025)}-{digits(rng, 5)}",
        f"{digits(rng, 10)}",
        f"TKT-{digits(rng, 5)}",
        f"CUST{digits(rng, 6)}",
    ]
    forms_b = [
        f"{rng.choice('ABCDEFGHJK')}{digits(rng, 7)}",
        f"INV-{digits(rng, 6)}",
        f"{digits(rng, 4)}-{digits(rng, 4)}-{digits(rng, 2)}",
        f"SR{digits(rng, 8)}",
        digits(rng, 9),
        f"{rng.choice(['BK', 'RMA', 'REF'])}-{digits(rng, 6)}",
    ]
    return rng.choice(forms_a if pool == "A" else forms_b)


def passport(rng: random.Random, pool: str) -> str:
    return rng.choice(
        [
            f"{rng.choice('XCKPL')}{digits(rng, 7)}",
            digits(rng, 9),
            f"{rng.choice('ABCDEFG')}{rng.choice('ABCDEFG')}{digits(rng, 7)}",
        ]
    )


def licence(rng: random.Random, pool: str) -> str:
    return rng.choice(
        [
            f"D{digits(rng, 3)}-{digits(rng, 4)}-{digits(rng, 4)}",
            f"{rng.choice('ABCDEFGHSW')}{digits(rng, 7)}",
            "".join(rng.choice(string.ascii_uppercase) for _ in range(5))
            + digits(rng, 6)
            + "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
            + digits(rng, 1)
            + "".join(rng.choice(string.ascii_uppercase) for _ in range(2)),
        ]
    )


def ssn(rng: random.Random, pool: str) -> str:
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def ip(rng: random.Random, pool: str) -> str:
    return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


GENERATORS: dict[str, tuple[str, Callable[[random.Random, str], str]]] = {
    "NAME": ("PERSON", person),
    "FULLNAME": ("PERSON", full_person),
    "FIRST": ("PERSON", lambda rng, pool: rng.choice(FIRST_A if pool == "A" else FIRST_B)),
    "LAST": ("PERSON", lambda rng, pool: rng.choice(LAST_A if pool == "A" else LAST_B)),
    "EMAIL": ("EMAIL_ADDRESS", email),
    "PHONE": ("PHONE_NUMBER", phone),
    "ADDR": ("STREET_ADDRESS", us_address),
    "STREET": ("STREET_ADDRESS", street_line),
    "ADDR2": ("STREET_ADDRESS", lambda rng, pool: us_address(rng, pool, sep="\n")),
    "INTLADDR": ("STREET_ADDRESS", intl_address),
    "CARD": ("CREDIT_CARD", card),
    "IBAN": ("IBAN_CODE", iban),
    "SWIFT": ("SWIFT_CODE", swift),
    "DOB": ("DATE_OF_BIRTH", dob),
    "ACCT": ("ACCOUNT_NUMBER", account),
    "PASSPORT": ("PASSPORT", passport),
    "DL": ("DRIVER_LICENSE", licence),
    "SSN": ("US_SSN", ssn),
    "IP": ("IP_ADDRESS", ip),
}

# --- templates ----------------------------------------------------------------------
# {SLOT} is replaced by a generated value and labeled. Plain text is not PII.

TUNE_TEMPLATES = [
    "Hi, my name is {FULLNAME} and I can't log in to my account. My email is {EMAIL}.",
    "Hello, this is {NAME} from the billing side. Please call me back on {PHONE}.",
    "Dear Support,\n\nmy order {ACCT} still hasn't arrived. Shipping address: {ADDR}.\n\nRegards,\n{FULLNAME}",
    "hi my name is {FULLNAME} my phone is {PHONE} can someone help",
    "I moved! New address is {ADDR}. Please update account {ACCT}.",
    "Can you send the replacement to {ADDR2}? Thanks, {FIRST}",
    "Card {CARD} was charged twice for the same invoice. -- {FULLNAME}",
    "Please refund to IBAN {IBAN} (BIC {SWIFT}). Account holder: {FULLNAME}.",
    "For verification: DOB {DOB}, email {EMAIL}.",
    "Customer called about ticket {ACCT}. Spoke with {FULLNAME}, callback number {PHONE}.",
    "Ask for {FULLNAME} at the front desk, she has the parcel.",
    "My passport number is {PASSPORT} and my driver's license is {DL}.",
    "SSN on file should be {SSN}, can you check?",
    "Login attempts came from {IP} but I was asleep.",
    "Thanks {FIRST}! The router works now.",
    "Dear {FULLNAME}, your case has been escalated.",
    "MY NAME IS {FULLNAME} AND I WANT A REFUND FOR ORDER {ACCT}",
    "Call notes: caller {FULLNAME}, born {DOB}, lives at {INTLADDR}.",
    "Please deliver to {INTLADDR}. Contact: {PHONE}",
    "Best regards,\n{FULLNAME}\n{PHONE}\n{EMAIL}",
    "Hey, it's {FIRST}. Still no reply to my email ({EMAIL})",
    "I'm {FULLNAME}, account number {ACCT}. The app keeps crashing.",
    "Mr. {LAST} phoned again about the late delivery to {STREET}.",
    "Please update my mobile to {PHONE} and remove the old one.",
    "Reach me at {EMAIL} or {PHONE}, whichever is easier.",
    "my wife {FIRST} set up the account, her email is {EMAIL}",
    "the package was left at {STREET} but I live at {STREET}",
    "Order {ACCT} for {FULLNAME}, ship to {ADDR}",
    "date of birth: {DOB}\nname: {FULLNAME}\nphone: {PHONE}",
    "Pls help, card ending {CARD} declined at checkout",
    "Our accountant {FULLNAME} needs the invoice, send to {EMAIL}.",
    "Hello, I'm writing on behalf of {FULLNAME} who cannot type.",
    "Can {FULLNAME} pick up the device? Her number is {PHONE}.",
    "Kind regards, {FULLNAME}",
    "The technician {FULLNAME} never showed up at {ADDR}.",
    "wire the refund to {IBAN} please, thx",
]

# Second tuning batch: field layouts, e-mail headers, names without cues, lists of people.
TUNE_TEMPLATES_2 = [
    "From: {FULLNAME} <{EMAIL}>\nTo: support\nSubject: refund for {ACCT}",
    "Name: {FULLNAME}\nAddress: {ADDR}\nTel: {PHONE}",
    "{FULLNAME} called at 10:40 asking about the refund. Told her 3-5 business days.",
    "Forward this to {FULLNAME} please, she handles the Enterprise contracts.",
    "Is {FIRST} available tomorrow? The install at {STREET} needs two people.",
    "Customer Name - {FULLNAME} / Acct # {ACCT} / DOB {DOB}",
    "{LAST}, {FIRST} - requested account closure, phone {PHONE}",
    "Spoke to the customer ({FULLNAME}); confirmed identity with DOB {DOB} and last 4 of card.",
    "Both {FULLNAME} and {FULLNAME} are listed on the account.",
    "Per {FULLNAME}'s request I updated the billing email to {EMAIL}.",
    "Mrs {LAST} wants the engineer to call {PHONE} before arriving.",
    "Escalated by {FULLNAME} (team lead). Customer reachable on {PHONE} after 6pm.",
    "apartment {ACCT}? no sorry, my member number is {ACCT}",
    "Could you update the delivery address to Flat 2, {INTLADDR}?",
    "Dear Mr {LAST},\nThank you for contacting Northwind Support.",
    "Hi {FIRST}, thanks for reaching out to Contoso Help Desk!",
    "Refund card {CARD} exp 11/26 (cardholder {FULLNAME})",
    "Account holder {FULLNAME}, sort code 20-00-00, IBAN {IBAN}",
    "The Windows Update broke Outlook and my Surface Pro won't boot.",
    "Customer Service Team, Acme Corp, Level 3 Support",
    "Our Head of Finance approved the upgrade to the Premium plan on Tuesday.",
    "Please cancel order {ACCT} — bought the wrong size.",
]

# Third tuning batch: chat transcripts, call notes with abbreviations, typos.
TUNE_TEMPLATES_3 = [
    "[10:02] Customer: hi im {FULLNAME}\n[10:02] Agent: Hi {FIRST}, how can I help?\n[10:03] Customer: my card {CARD} got blocked",
    "Call notes - cust {FULLNAME}, cb {PHONE}, dob {DOB}, wants refund on {ACCT}",
    "my nmae is {FULLNAME} and my adress is {ADDR}",
    "pls call me back on {PHONE} asap, {FIRST}",
    "Hello,\nI am writing regarding my account ({EMAIL}).\nMany thanks,\n{FULLNAME}",
    "Agent note: verified {FULLNAME} via last 4 of SSN and DOB {DOB}. New address {INTLADDR}.",
    "{FULLNAME} - {PHONE} - {EMAIL}",
    "Can I change the name on the account from {FULLNAME} to {FULLNAME}?",
    "The invoice should be addressed to {FULLNAME}, {ADDR}",
    "Hi! Quick q: does {FIRST} from your team still work there? She helped me last week.",
    "Please don't call {PHONE} anymore, that's my old number. Use {PHONE}.",
    "Customer: {FULLNAME}\nOrder: {ACCT}\nIssue: damaged on arrival\nCallback: {PHONE}",
    "ok so {FIRST} (my flatmate) ordered it on my card {CARD}",
    "I was born on {DOB} if you need it for verification.",
    "Sent from my iPhone\n\n{FULLNAME}\n{ADDR2}",
]

HELDOUT_TEMPLATES = [
    "Good morning! {FULLNAME} here, I'm locked out again. You can text me at {PHONE}.",
    "To whom it may concern,\nplease close my membership ({ACCT}).\nSincerely,\n{FULLNAME}\n{ADDR2}",
    "yo its {FIRST} again lol. new mail: {EMAIL}",
    "CUSTOMER: {FULLNAME} | TEL: {PHONE} | ADDR: {ADDR}",
    "I spoke to {FULLNAME} yesterday and she promised a callback on {PHONE}.",
    "Forwarding for my dad, {FULLNAME}, his DOB is {DOB} and his account is {ACCT}.",
    "Update billing: {CARD}, exp 09/27. Name on card {FULLNAME}.",
    "please send the form to {INTLADDR}, attn {FULLNAME}",
    "New bank details -> {IBAN} / SWIFT {SWIFT}",
    "Reporter: {FULLNAME} <{EMAIL}>\nSubject: cannot reset password",
    "The courier says {STREET} doesn't exist?? it's right next to the school",
    "Cheers,\n{FIRST}",
    "i think my identity was stolen, passport {PASSPORT} and ssn {SSN}",
    "hey team, {FULLNAME} from accounts payable asked about invoice {ACCT}",
    "Driving licence no. {DL} — uploaded a scan yesterday.",
    "Is this {FULLNAME}'s ticket? Ref {ACCT}.",
    "Whoever handles this, my number changed to {PHONE}. {FULLNAME}",
    "THANK YOU {FULLNAME} FOR FIXING IT!!!",
    "Delivery instructions: leave at {INTLADDR} with the neighbour.",
    "Booked under {FULLNAME}, confirmation {ACCT}, arriving {DOB}? no wait thats my birthday lol",
    "server log shows {IP} hammering the login page",
    "Contact person for the site visit: {FULLNAME} ({PHONE}, {EMAIL})",
    "mailing address changed:\n{ADDR2}",
    "Warm regards,\n{FULLNAME}\nSenior Buyer",
]

NEGATIVE_TUNE = [
    "The app crashes on Android 14 when I open settings.",
    "I ordered 3 items on Monday and only 2 arrived. Total was $84.50.",
    "Is the Pro plan available in Germany or only in the US?",
    "Please reset my password, I tried 5 times already.",
    "Microsoft Teams integration stopped working after version 2.3.1.",
    "My invoice from March shows the wrong VAT rate (19%).",
    "Can I upgrade to the Family plan before Friday?",
    "Thanks for the quick help yesterday!",
    "The Galaxy Tab won't pair with the keyboard.",
    "We have 12 users on the Business tier and need 20 more seats.",
    "Error code E-1042 appears every morning at 9:30.",
    "Hello team, any update on this?",
    "I live in Canada, do you ship to Toronto?",
    "The New York office uses the same account as London.",
]
# More tuning negatives: products, firms, places, dates, amounts, versions (nothing to mask).
NEGATIVE_TUNE_2 = [
    "My Pixel 8 Pro keeps rebooting after the March security update.",
    "Tried Google Chrome and Mozilla Firefox, same error both times.",
    "The Samsung Galaxy Buds won't connect to my MacBook Air.",
    "Netflix and Disney Plus both buffer on the Fire TV Stick.",
    "Is Visa or Mastercard accepted for the Annual Plan?",
    "I paid with PayPal on 3 June and the receipt shows EUR 49.99.",
    "Deliveries to Northern Ireland take 5 to 7 working days, right?",
    "Your Berlin warehouse shipped the wrong colour again.",
    "The Zoom plugin for Outlook 365 crashes on startup.",
    "Salesforce sync stopped at 14:05 UTC with code 503.",
    "Our New York and San Francisco offices share one admin account.",
    "Apple Pay fails at checkout but Google Pay works fine.",
    "Please escalate to Tier 2, the Level 1 script did not help.",
    "Windows Defender flagged the installer as Trojan:Win32/Wacatac.",
    "The Premium Support add-on costs $12 per month per seat.",
    "Can I move from the Starter tier to Business Plus mid-cycle?",
    "Christmas orders placed after 18 December arrive in January.",
    "The Hue Bridge lost all my Living Room scenes.",
    "Battery health dropped to 81% within 6 months.",
    "Happy New Year! Any news on the Android beta?",
    "Ticket volume doubled since Black Friday, please add 3 seats.",
    "We use Microsoft Teams, Slack and Jira Service Management.",
    "Received 2 boxes instead of 3, the Large Frame Kit is missing.",
    "The Toronto data centre had an outage on Tuesday night.",
    "Settings > Privacy > Location Services is greyed out.",
    "Will the Smart Thermostat work with Amazon Alexa and Google Home?",
    "Invoice INV total shows 0.00 after the coupon SPRING25.",
    "The Dyson V15 charger is sparking, is that covered by warranty?",
    "Thanks a lot, Support Team! Great job.",
    "Running macOS Sonoma 14.4 on an Intel iMac from 2019.",
]

NEGATIVE_HELDOUT = [
    "Dark mode looks broken on the iPad since the update last week.",
    "Could you explain the difference between Standard and Premium?",
    "Hi there, the checkout page is stuck on the loading spinner.",
    "We bought 40 licenses in 2023 and need to renew by 31 December.",
    "Great service, thank you so much!",
    "Amazon delivered the box but the charger was missing.",
    "The Chrome extension shows 404 on Windows 11.",
    "Our Paris and Berlin teams both see the outage since 10:15 CET.",
]


def render(template: str, rng: random.Random, pool: str) -> tuple[str, list[dict[str, object]]]:
    text, entities, pos = "", [], 0
    while True:
        start = template.find("{", pos)
        if start == -1:
            text += template[pos:]
            break
        end = template.index("}", start)
        text += template[pos:start]
        entity_type, make = GENERATORS[template[start + 1 : end]]
        value = make(rng, pool)
        entities.append({"start": len(text), "end": len(text) + len(value), "type": entity_type})
        text += value
        pos = end + 1
    return text, entities


def restyle(text: str, entities: list[dict[str, object]], rng: random.Random) -> tuple[str, str]:
    """Case and typo styles that keep every offset (lower-casing, shouting)."""
    roll = rng.random()
    if roll < 0.12:
        return text.lower(), "lowercase"
    if roll < 0.17:
        return text.upper(), "uppercase"
    return text, "plain"


def build(
    templates: list[str], negatives: list[str], count: int, pool: str, split: str, seed: int
) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        template = templates[i % len(templates)]
        text, entities = render(template, rng, pool)
        if text.isupper():
            style = "uppercase"
        else:
            text, style = restyle(text, entities, rng)
        rows.append({"id": f"{split}-{i:04d}", "split": split, "style": style, "text": text, "entities": entities})
    for j, text in enumerate(negatives):
        rows.append({"id": f"{split}-neg-{j:03d}", "split": split, "style": "negative", "text": text, "entities": []})
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tune = build(TUNE_TEMPLATES, NEGATIVE_TUNE, 360, "A", "tune", seed=20261125)
    tune += [
        dict(r, id=r["id"].replace("tune-", "tune2-")) for r in build(TUNE_TEMPLATES_2, [], 132, "A", "tune", seed=77)
    ]
    tune += [
        dict(r, id=r["id"].replace("tune-", "tune3-")) for r in build(TUNE_TEMPLATES_3, [], 90, "A", "tune", seed=78)
    ]
    tune += [
        dict(r, id=r["id"].replace("tune-neg-", "tune-neg2-"))
        for r in build([], NEGATIVE_TUNE_2, 0, "A", "tune", seed=0)
    ]
    heldout = build(HELDOUT_TEMPLATES, NEGATIVE_HELDOUT, 240, "B", "heldout", seed=4242)
    for name, rows in (("pii_tune.jsonl", tune), ("pii_heldout.jsonl", heldout)):
        with (OUT / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} messages, {sum(len(r['entities']) for r in rows)} entities")


if __name__ == "__main__":
    main()
