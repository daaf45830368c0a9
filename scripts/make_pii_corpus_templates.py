"""Hand-written support-message templates for scripts/make_pii_corpus.py (generation only).

Written for this project (no public PII benchmark's templates). One template per
line; ``¶`` is a line break. Slots:

  {P} {F} {L} {T}      the customer: full name, first name, last name, "Mr/Ms Last"
  {IN}                 the customer's initial + last name ("J. Whitaker")
  {P2} {F2} {L2}       a second person (colleague, partner, neighbour)
  {AG}                 an agent's first name (a person too)
  {A}                  a postal address block (multi-line or one line, any locale)
  {A1}                 a postal address on one line
  {PH} {E}             phone number, e-mail address
  {ID}                 a booking/customer/account code (masked)
  {TK}                 a ticket number like #8812 (masked: it sits next to its cue)
  {NI}                 a national insurance / tax number (masked)
  {BR} {PR} {PL}       brand, product, place used generically (not PII)
  {DAY} {MON}          weekday, month (not PII)
  {VER} {TRK} {AMT}    version number, parcel tracking number, amount (not PII)
  {GR}                 a greeting in another language (not PII)
  {CO}                 a company (not PII)
"""

from __future__ import annotations

CHAT = """
hi, this is {P}, my order never arrived
Hello, {F} here. The {PR} keeps disconnecting since the {VER} update
hey its {F} again, any news on {TK}?
Hi there, my name is {P} and I can't log into {BR}
Customer: hi im {P}¶Agent: Hi {F}, how can I help?¶Customer: my {PR} wont turn on
Agent: Thanks {F}, can you confirm the phone number on the account?¶Customer: {PH}
Customer: yes its {PH}, or mail me at {E}
[{DAY} 10:42] {P}: still waiting on the refund of {AMT}
{P} (customer): the courier left it at number 4 instead
good morning, {T} speaking, I called on {DAY} about the {PR}
Me: ok so who do I talk to?¶{AG}: I'll pass you to billing, {F}.
hello!! {F} {L} here. my parcel {TRK} says delivered but nothing
I'm writing for my mum, {P2}, she doesn't use email. Her number is {PH}
can you send it to my partner {F2} instead? same address
Hi {AG}, it's {P} from yesterday, you said you'd call back
{GR}! I am {P}, my account is {ID}
my name's {F}, the card got declined twice on {BR}
it's {F2} from accounts, calling about {P}'s refund
Thanks {AG}, you've been great. {F}
Hi, {P} here - please update my number to {PH}
Please call me back on {PH} before {DAY}
my email changed, it's {E} now
whats the status of booking {ID}? thanks, {F}
Agent {AG} joined the chat¶{AG}: Hi {F}! I see your ticket {TK}.
Customer {P} left the chat
Hello {AG}! Quick one: can {F2} also manage the {BR} account?
The {PR} arrived broken. Photo attached. {P}, {PH}
thx {AG}!! have a nice {DAY}
{F}: is there a store in {PL}?¶{AG}: Yes, on the high street.
cheers {AG}, talk soon - {F}
hi hi, it's {F} {L} again, same issue with {BR} as in {MON}
I bought the {PR} for my son {F2} in {MON}
Sorry for the typo, my name is {P} not {F2}
we moved! new address: {A1}
please deliver to {A1}, ring twice
the delivery address should be:¶{A}
my brother {P2} will pick it up, his phone is {PH}
Is {AG} available? She helped me last {DAY}.
I already talked to {P2} on the phone, he said {DAY}
{F} here, reference {ID}, still no refund
this is {T}, I'm the account holder
can you reset the password for {E}?
hello, my husband {P2} ordered a {PR} and it never came
Hi. {F}. Order {ID}. Broken hinge.
{P} - {PH} - {E}
so {F2} said I'd get a call but nobody called
yes that's me, {P}, date of the order was in {MON}
Could {AG} ring me on {PH}? I'm free after 5
im {F} and i need help with {BR} asap
just checking, is the {PL} branch open on {DAY}?
bonjour, je suis {P}, ma commande {ID} n'est pas arrivée
hallo, hier ist {P}, meine Nummer ist {PH}
hola, soy {P}, mi correo es {E}
ciao, sono {P}, il pacco non è arrivato
{P} wrote: the {PR} makes a buzzing noise
Who is {F2}? I don't know any {F2}.
""".strip().splitlines()

EMAIL_GREETING = """
Dear {AG},
Hi {AG},
Hello support team,
Dear Sir or Madam,
To whom it may concern,
Hi there,
Good afternoon {AG},
{GR} {AG},
Hello,
Dear Customer Service,
Hey team,
Dear {T},
""".strip().splitlines()

EMAIL_BODY = """
I am writing about my order {ID}, which still hasn't arrived although tracking number {TRK} says it was delivered.
My {PR} stopped charging after the {VER} update. I bought it in {MON} from your {PL} store.
Please change the delivery address on my account to:¶{A}
I moved last month; my new address is {A1}. Could you update it before the next shipment?
I was charged {AMT} twice for the same {BR} subscription. Please refund one of them.
My colleague {P2} ({E}) will handle this from now on, please copy her in.
You can reach me on {PH} between 9 and 5, {DAY} to Friday.
I spoke with {AG} on {DAY} and was promised a call back, but nobody called.
Attached is the invoice. The card holder is {P2}, my wife.
The engineer is welcome to come on {DAY}; please call {PH} when you are outside.
Please cancel booking {ID} and refund the deposit.
Can you confirm that ticket {TK} is still open? It has been three weeks.
I would like to close my account. My national insurance number is {NI} if you need it for the tax form.
My tax ID is {NI}. The invoice must show it, otherwise my accountant {P2} cannot use it.
Could you please send the replacement {PR} to my work address instead:¶{A}
The parcel should go to my neighbour {P2} at {A1} as I am away until {MON}.
I ordered a {PR} from {BR} in {MON} and it arrived with a cracked screen.
Your colleague {AG} told me the warranty covers this. Please advise.
The {PR} works again after the reset. Thank you for your help!
""".strip().splitlines()

EMAIL_SIGNOFF = """
Kind regards,¶{P}
Best,¶{F}
Thanks,¶{F}
Regards,¶{P}¶{PH}
Many thanks,¶{P}¶{A}
Sincerely,¶{P}¶{E}¶{PH}
Cheers,¶{F}
— {IN}
Best wishes,¶{F} {L}
Mit freundlichen Grüßen¶{P}
Cordialement,¶{P}
Sent from my {PR}
Thank you,¶{T}
{P}¶{CO}¶Tel: {PH}¶Email: {E}
--¶{P} | {CO}¶{A1}¶m: {PH}
Yours faithfully,¶{P}
""".strip().splitlines()

NOTES = """
Called {P} on {PH}, no answer, left voicemail.
Cust {P} confirmed address {A1}. Replacement sent.
Spoke to {F} - wants refund not replacement. Escalated to {AG2}.
Customer says {P2} (spouse) can discuss the account.
ID&V passed: name {P}, postcode and last 4 digits of the card.
Note: {F} prefers email ({E}), not phone.
Refund of {AMT} approved by {AG2}, {DAY}.
{T} called again re {TK}. Very upset. Call back {DAY} am.
cust moved to {A1} - updated in CRM
verified caller as {P}, DOB checked, NI {NI} on file
booking {ID} rebooked for {MON}, {P} informed by sms to {PH}
{AG2} to follow up with {P} about the {PR} fault
checked with {BR} - known issue in {VER}, no action for {F}
Returned item received at {PL} warehouse. Refund to {P}.
No PII given, customer just asked about {PR} stock.
cust {F} {L} wants callback tmrw on {PH}
Left msg for {F}: "call us back about {TK}"
shipping label for {P}:¶{A}
{P} escalated complaint; {AG2} on leave until {DAY}, {AG} covering.
Caller gave name as {F}, did not give surname.
Passed to {AG2} (tier 2). {F} aware.
Address check failed: system has {A1}, caller said another.
{T} disputes the {AMT} charge from {MON}.
spoke w/ {F2} (daughter of {P}), she'll send the POA
""".strip().splitlines()

HANDOVER = """
Handover for {AG2}: {P} ({PH}) is waiting on a replacement {PR}; ticket {TK}.
Shift notes - {DAY}:¶- {P}: refund pending¶- {P2}: address change to {A1}¶- {BR} outage: no action
@{AG2} can you take {F}'s case? She's expecting a call at 3
Open items from {AG}: call {T} back, check stock at {PL}, close {TK}
FYI {AG2}: {P} is the account holder, {P2} is only authorised for billing
Passing over: {F} {L}, booking {ID}, wants to change dates to {MON}
Next shift please chase courier for {P}, tracking {TRK}
{AG} -> {AG2}: customer {P} is VIP, handle with care
handover: cust {P} / {E} / {PH} - warranty claim for {PR}
Still open: {T} at {A1} never got the engineer visit
""".strip().splitlines()

FORMS = """
Name: {P}¶Phone: {PH}¶Email: {E}¶Issue: {PR} not charging
Full name: {P}¶Address: {A1}¶Order: {ID}
Customer: {P}¶Contact: {E}¶Booking ref: {ID}
First name: {F}¶Last name: {L}¶Mobile: {PH}
Name / Nom: {P}¶Adresse: {A1}¶Téléphone: {PH}
Nom : {L}¶Prénom : {F}¶Courriel : {E}¶Numéro de client : {ID}
Vorname: {F}¶Nachname: {L}¶Anschrift: {A1}¶Telefon: {PH}
Name: {P}¶Straße und Hausnummer, PLZ, Ort:¶{A}
Kunde: {P}¶Kundennummer: {ID}¶E-Mail: {E}
Contact name: {P} | Tel: {PH} | Product: {PR} {VER}
CUSTOMER: {P}¶ADDRESS:¶{A}¶PHONE: {PH}
Requester: {E}¶Subject: {PR} broken¶Priority: normal
Billing name: {P}¶Billing address: {A1}¶Amount: {AMT}
Ship to:¶{P}¶{A}
Caller: {P}¶Callback: {PH}¶Ticket: {TK}
NI number: {NI}¶Name: {P}
Tax number (Steuernummer): {NI}¶Name: {P}
Emergency contact: {P2}, {PH}
Reported by: {P} <{E}>
Name,Email,Phone¶{P},{E},{PH}
Destinataire : {P}¶Adresse de livraison :¶{A}
Lieferadresse:¶{P}¶{A}
""".strip().splitlines()

ADDRESS_BLOCKS = """
{A}
Address:¶{A}
please send to¶{A}
my address is {A1}
Deliver to: {A1}
new address -> {A}
{P}¶{A}
it's {A1}, the blue door
Return address:¶{P}¶{A}¶{PH}
Old address: {A1}¶New address: {A1b}
""".strip().splitlines()

NON_LATIN = """
My name is {NL}, I ordered a {PR} in {MON}.
Customer: {NL}¶Phone: {PH}
Please call {NL} back, she only speaks a little English.
Contact person: {NL} ({E})
Hi, this is {NL}. My package {TRK} is late.
Name: {NL}¶Booking: {ID}
The account belongs to my father, {NL}.
Regards,¶{NL}
""".strip().splitlines()

# PII-free support text: hard negatives in every register.
NEGATIVE = """
{GR}! The {PR} won't pair with my phone after the {VER} update.
Is the {PL} store open on {DAY}?
Will the {PR} be back in stock in {MON}?
I use {BR} on {PR}, the app crashes when I open settings.
Please mark as resolved. Thanks!
Tracking number {TRK} shows no movement since {DAY}.
The refund of {AMT} still hasn't arrived.
Can I return a {PR} bought in {PL} at another store?
Does {BR} support two-factor login?
Our {PL} office uses {BR} for calendars, is that compatible?
{DAY} works for the engineer visit, morning preferred.
The {PR} {VER} release notes mention a fix, but it still freezes.
Sorry, wrong chat. Have a nice {DAY}!
Just Checking In On The Status Of My Request.
Order arrived, all good. Thanks again team!
Is there a student discount for {BR} Premium?
Your website says {MON} delivery but the checkout says {DAY}.
I'd like to upgrade from Basic to Family plan.
Why was I charged {AMT} in {MON}?
The {PR} charger gets very hot. Is that normal?
Do you ship to {PL}?
I have the {BR} {PR}, which cable do I need?
Settings > Account > Privacy is greyed out.
The error says "Sync failed (code {VER})".
{GR}, quick question about the {PR} warranty.
Customer asked about {BR} compatibility. Sent KB article.
Outage in {PL} region resolved at 14:20, no customer impact.
Known issue with {PR} on {VER}; workaround is a restart.
Closed as duplicate. No further action.
Reminder: team meeting {DAY}, new returns policy from {MON}.
Refund policy is 30 days; customer was at day 32.
Sent replacement {PR}, tracking {TRK}.
Chrome, Firefox and Safari all show the same blank page.
Does the {PR} work with Alexa or Google Home?
Can Jasmine theme be applied to the {BR} dashboard?
Victoria line delays made the courier late, apparently.
Jack Daniel's gift set arrived without the glasses.
Happy New Year! Is the sale still on?
Please Advise Urgently, Invoice Missing.
URGENT: CANNOT LOG IN SINCE {DAY}!!!
ok thanks, that worked
nope still broken after reboot
The Model S charger adapter is sold out in {PL}.
Do Paris and Berlin stores share stock?
I picked up the order in Florence, Italy during my trip.
Grace period ends in {MON}.
Mark, Sort and File are the three buttons in the toolbar.
The Summer Sale ends on {DAY}.
Hope you are well. Any update?
Contact form was blank when submitted, please check.
""".strip().splitlines()

#: Training-free fillers for negative slots.
BRANDS = """Outlook Teams Alexa Siri Cortana Sonos Nest Ring Kindle Dell Lenovo Ford Tesla Mercedes Skype Zoom
Slack Jira Jenkins Ruby Gmail Spotify Netflix Garmin Fitbit Roku Bose Philips Miele Bosch Vodafone Orange
Oracle Adobe Shopify Klarna Revolut Monzo Wise Hermes DPD Royal Mail Deliveroo Uber Lyft Airbnb
Tommy Hilfiger Ralph Lauren Calvin Klein Hugo Boss Marks & Spencer John Lewis Ted Baker Jack Wolfskin
Ben & Jerry's Wendy's Domino's McDonald's Victoria's Secret Dr. Martens Philip Morris""".split("\n")
BRAND_LIST = [b for line in BRANDS for b in line.split(" ") if b] + [
    "Tommy Hilfiger",
    "Ralph Lauren",
    "Calvin Klein",
    "Hugo Boss",
    "Marks & Spencer",
    "John Lewis",
    "Ted Baker",
    "Jack Wolfskin",
    "Royal Mail",
    "Victoria's Secret",
    "Dr. Martens",
]
PRODUCTS = [
    "router",
    "Echo Dot",
    "Galaxy S23",
    "iPhone 14",
    "Pixel 8",
    "ThinkPad",
    "MacBook Air",
    "Surface Pro",
    "PlayStation 5",
    "Xbox",
    "smart plug",
    "thermostat",
    "washing machine",
    "Model S",
    "Kindle Paperwhite",
    "AirPods",
    "Apple Watch",
    "Fire TV Stick",
    "Roomba",
    "Dyson V11",
    "Nespresso",
    "Instant Pot",
    "Fitbit Charge",
    "Ring doorbell",
    "Sonos One",
    "Philips Hue bulb",
    "Chromecast",
    "Galaxy Tab",
    "Moto G",
    "OnePlus 11",
    "Premium plan",
    "Family plan",
    "gift card",
    "hoover",
    "dishwasher",
    "laptop",
    "printer",
    "headset",
]
PLACES = [
    "London",
    "Paris",
    "Berlin",
    "Cork",
    "Dublin",
    "Madrid",
    "Lisbon",
    "Vienna",
    "Zurich",
    "Milan",
    "Tokyo",
    "Sydney",
    "Toronto",
    "Chicago",
    "Austin",
    "Denver",
    "Manchester",
    "Leeds",
    "Lyon",
    "Munich",
    "Hamburg",
    "Warsaw",
    "Prague",
    "Oslo",
    "Stockholm",
    "Helsinki",
    "Athens",
    "Istanbul",
    "Dubai",
    "Mumbai",
    "Singapore",
    "downtown",
    "the airport",
    "Heathrow",
    "Victoria",
    "Florence",
    "Jersey",
    "Georgia",
    "Paris office",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "monday", "Fri", "Tue"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Aug",
    "Sept",
]
GREETINGS = [
    "Hola",
    "Bonjour",
    "Hallo",
    "Привет",
    "Ciao",
    "Hej",
    "Merhaba",
    "Namaste",
    "Salut",
    "Grüß Gott",
    "Olá",
    "Konnichiwa",
    "こんにちは",
    "你好",
    "Shalom",
    "Salaam",
    "Servus",
    "Moin",
    "Ahoj",
    "Cześć",
    "Γεια σας",
    "Sawubona",
    "Jambo",
    "Kia ora",
    "Dzień dobry",
    "Buongiorno",
    "Buenos días",
    "Hei",
    "Tere",
]
COMPANIES = [
    "Acme Ltd",
    "Globex GmbH",
    "Initech",
    "Northwind Traders",
    "Contoso",
    "Fabrikam Inc.",
    "Umbrella plc",
    "Stark Logistics",
    "Blue Harbor SARL",
    "Zenith BV",
]

CHAT += """
{F} again - the courier says {A1} doesn't exist??
Hi, I'm calling on behalf of {P}, I'm her carer
u there? its {F}. still no refund
pls send the invoice to {E} not my old one
name on the booking is {L}, {F} {L}
{L} is my surname, spelt {L}
My account is under my maiden name, {P2}
Yes, I'm {F}. Born in {MON}, if that helps.
{AG} said to ask for {AG2} in returns
can i speak with {AG2}? ticket {TK}
Thanks for the call earlier {AG}, {F} {L} here
I want to add {P2} as a second user
the parcel was signed for by a "{F2}", nobody here has that name
hi {AG} thanks for sorting it, {F}
Hi!! {P} again!! Nobody answered at {PH}
call me at {PH} or {PH2}
Whatsapp me on {PH}
my number's {PH}, landline
It's {F}. Hi {AG}, me again about the {PR}.
ok {AG} ill wait
{P} here, my email is {E} and the order is {ID}
Good evening. I am {P}, customer since 2015.
Reply to {E} please, not to {E2}
""".strip().splitlines()

NOTES += """
cb req'd - {F} {PH}
VM left for {T} at 11:05
{AG} spoke to cust ({P}); sending returns label to {E}
Cust says wrong name on invoice: should be {P}
Updated contact: {E}, {PH}
Complaint from {T} forwarded to {AG2}
Account {ID} frozen at request of {P}
{P2} rang on behalf of {P} - not authorised, no info given
Customer's new address: {A}
dispatch note: deliver to {P}, {A1}, call {PH} on arrival
{F} says {BR} support sent her to us
Ticket {TK} reopened by {F}.
""".strip().splitlines()

HANDOVER += """
Hi {AG2}, over to you: {P} at {A1}, engineer booked {DAY}
Waiting on {P} to send photos of the {PR}. Chase {DAY} if nothing. ({E})
Handover - {T} called 3x about {TK}, please call {PH} first thing
To do for {AG2}: refund {AMT} to {P}, booking {ID}
""".strip().splitlines()

FORMS += """
Name des Kunden: {P}¶Rückrufnummer: {PH}
Nom et prénom : {P}¶Adresse postale : {A1}¶Portable : {PH}
Account holder: {P}¶Account number: {ID}¶Sort code: 20-00-00
Passenger: {L}/{F} {TITLE}¶Booking reference: {ID}
From: {P} <{E}>¶To: support¶Subject: Order {ID}
Applicant: {P}¶National Insurance No: {NI}¶Address:¶{A}
""".strip().splitlines()

NEGATIVE += """
Summer and Autumn collections ship separately.
The Hunter boots arrived in the wrong size.
Is Sunday delivery available in {PL}?
Angel, Bank and Monument stations were closed so the driver was late.
Rose gold or Space Grey, which one is in stock?
Windows Hello doesn't recognise my face after the update.
Apple Pay fails at checkout, Google Pay works.
Dear Sir or Madam, please cancel my subscription. Regards
The Chelsea boots and the Oxford shoes are both size 9.
Thanks, Support Team
Jordan 1 trainers came in the wrong colour.
Victoria sponge mix was missing from the hamper.
Why is the Amazon Basics cable not compatible?
Ticket closed. Customer satisfied.
ALL ORDERS PLACED BEFORE FRIDAY WILL SHIP MONDAY
thanks!! all sorted now
Grant application form is on page 3 of the guide.
Will you Price Match?
The Lincoln Park location no longer does repairs.
Is the Paris model the same as the Milan one?
Hi team, see attached log from {VER}.
Merci beaucoup, tout fonctionne maintenant.
Vielen Dank, das Problem ist gelöst.
Muchas gracias por la ayuda.
Rebooting the {PR} fixed it.
""".strip().splitlines()

NOTES += """
Customer {F} asked us to stop calling {PH2}; use {PH} only.
Wrong person on the line ({F2}), hung up, retry later with {F}.
Payment plan agreed with {P}: {AMT} monthly from {MON}.
""".strip().splitlines()

NON_LATIN += """
Please send the invoice to {NL}, our accountant.
Passenger name: {NL}
Thank you, {NL}
From: {NL}¶Subject: missing parcel
""".strip().splitlines()

NEGATIVE += """
Can Siri read my {BR} notifications?
May I change the delivery day to {DAY}?
Pay by April or the discount expires.
Our Warsaw and Prague teams both reported the bug.
The Jersey dress in navy is sold out.
""".strip().splitlines()

# More PII-free text: foreign thanks and sign-offs, product and brand names in every
# position, notes in shorthand and capitals, capitalised UI labels.
NEGATIVE += """
Thank you so much, {GR} from the whole team!
Muchas gracias, the {PR} works now.
Merci, the {BR} app is fine after the reset.
Danke schön! Alles gut.
Grazie mille for the quick reply.
Obrigado, problem solved.
Spasibo, all good now.
Tack så mycket, the parcel arrived.
Mit freundlichen Grüßen, Ihr {BR} Kundenservice
Cordialement, le service client {BR}
Best regards, the {BR} support team
Kind regards, Customer Care
CUSTOMER CALLED, NO ANSWER, LEFT VOICEMAIL.
NO ACTION NEEDED, CLOSING.
CALLBACK REQUESTED FOR {DAY} MORNING.
Cust called re {PR}, advised factory reset. Resolved.
Cust unhappy with delivery time, offered {AMT} voucher.
Escalated to Tier 2, awaiting response.
Warranty Claim Approved, Replacement Dispatched.
Click Save, then Sync Now and Restart.
Go to Settings, tap General, then About.
The Start Menu and Task Manager both freeze.
Choose Standard Delivery or Express Delivery at checkout.
Select Gift Wrap and Add Message in the basket.
Is the {BR} {PR} compatible with the {PR}?
I ordered the {PR} from {BR} but got a {PR} instead.
My {BR} account shows the wrong plan since {MON}.
The {BR} store in {PL} told me to contact you.
{BR} says it's your fault, you say it's theirs.
Hi, is Black Friday pricing still valid on the {PR}?
Prime Day deal was not applied at checkout.
Boxing Day sale: does the {PR} discount stack with my voucher?
Does Apple Care cover the {PR}?
The Ring app says Device Offline since {DAY}.
Google Nest Hub shows a blank screen after {VER}.
Ordered from Marks & Spencer, delivered by Royal Mail, still missing.
Is Christmas Eve delivery available to {PL}?
Hello Support, Quick Question About Billing.
Dear Team, Please Find Attached The Receipt.
Sehr geehrte Damen und Herren, meine Bestellung ist nicht angekommen.
Madame, Monsieur, ma commande est arrivée endommagée.
Estimado equipo, el pedido llegó incompleto.
Re: Your Order Has Shipped
Fwd: Invoice {MON}
Subject: Refund Request
We love the {PR}! Five Stars.
Sony, Samsung and LG all sell a similar model.
The Lincoln, Jefferson and Madison rooms are booked for training.
Austin Healey parts are out of stock.
Harley Davidson merchandise ships from {PL}.
Victoria Park depot is closed on {DAY}.
Jordan and Georgia are not in the shipping list.
""".strip().splitlines()

CHAT += """
{F} here, ordered the {PR} from {BR} on {DAY}, still nothing
it's {P}. {BR} said to ask you about the {PR}
Hi, {F} again. Thanks for the {AMT} voucher, {GR}!
Dear {BR} team, this is {P}. The {PR} broke in {MON}.
""".strip().splitlines()
