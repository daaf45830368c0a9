"""More hand-written templates for scripts/make_pii_corpus.py: hard negatives and person variety (training only).

Written for this project (no public PII benchmark's templates). Same slot grammar as
``make_pii_corpus_templates.py``, plus:

  {DEP}     a department or team ("Billing", "Facilities", "Customer Success")
  {UI}      a capitalised UI label or field value ("Archive", "Recommended", "Channel")
  {MENU}    a menu path ("Settings > Members > Roles")
  {SW}      a software product or SaaS brand ("Excel", "Stripe", "Pastebin")
  {LANG}    a language or nationality word ("Korean", "Portuguese")
  {QTY}     a counted quantity ("48 chats", "10 more seats", "50,000 words per month")
  {CAP}     a capitalised sentence opener that is not a name ("Unfortunately", "Recommended")
  {fl} {pl} the customer's first / full name typed in lower case

These lists are generation inputs only; nothing here ships with the engine. Used
by the *training* split only: the evaluation splits are generated from the
original registers, so they stay the same files.
"""

from __future__ import annotations

# PII-free: the words the shipped model mistook for people and places, in every position.
HARD_NEGATIVE = """
Thanks,¶{DEP}
Kind regards,¶{DEP} team
Best,¶The {DEP} Team
Regards,¶{DEP}
Cheers,¶{SW} Support
Hi {DEP}, can you check the invoice for {MON}?
Hello {DEP} team, the {PR} order is stuck.
Forwarded to {DEP}. Waiting for their reply.
{DEP} says the refund was approved on {DAY}.
Escalated to {DEP}, ETA {DAY}.
Please route this to {DEP} rather than {DEP}.
Moved from {DEP} queue to {DEP} queue.
Status is Open · Priority is High · Channel is {UI} · Created this week
Filters: {UI} is On · {UI} is Off
Category: {UI}¶Product: {SW}¶Description: the export fails after {VER}.
Area: {UI}¶Summary: Allow scheduling reports on the last day of the month.
Request type: {UI}¶Area: {DEP}¶Priority: Normal
Kategorie: {UI}¶Produkt: {SW}¶Beschreibung: Nach dem Update auf {VER} stürzt die App ab.
Go to {MENU} and click {UI}.
Open {MENU}, then choose {UI}.
Under {MENU} you can switch {UI} on.
{MENU} is greyed out for me.
The {UI} button does nothing.
Click {UI}, then {UI}, then Save.
Where is the {UI} tab? I only see {UI} and {UI}.
The {UI} toggle resets itself every {DAY}.
{UI} and {UI} are both missing after the {VER} update.
{CAP}, the {PR} still won't connect.
{CAP} the export works again.
{CAP}: restart the {PR} and try again.
{CAP} upgrading to {VER}; the customer will plan it for next quarter.
{CAP}. We will check with {DEP}.
Exporting data to {SW}: go to Reports, choose the date range, then Export.
Is {SW} blocked on the guest Wi-Fi?
Yes for both, on {SW} and {SW} accounts. Sent setup guide.
{SW} sync stopped at 14:32 yesterday. The log shows "INVALID_SESSION_ID".
Close other apps that may use the microphone ({SW}, {SW}, {SW}).
{SW}, our writing assistant, is included in the Business plan.
Does {SW} integrate with {SW}?
We moved from {SW} to {SW} in {MON}.
The {SW} connector needs re-authorising every {DAY}.
{SW} or {SW}? Which one do you recommend for a small team?
Updated translations for {LANG} and {LANG}.
Is the app available in {LANG}?
The {LANG} keyboard layout is not supported yet.
Can I switch the invoice language to {LANG}?
Shift summary: {QTY}, {QTY}, {QTY}.
Search results for "refund policy": {QTY}, {QTY}
Please add {QTY} on the Standard plan to the next invoice.
Included in Business with {QTY}; extra can be bought in packs.
We handled {QTY} and {QTY} today.
The limit is {QTY}.
The current driver supports {SW} {VER} through {SW} {VER}.
{SW} {VER} needs driver {VER} or later.
Version {VER} Build {VER}. We're on the Monthly Enterprise Channel.
{GR}, die App stürzt beim Öffnen ab. Vielen Dank für Ihre Hilfe.
Natürlich! Unter Profil > Sprache können Sie Deutsch auswählen.
Guten Tag, die Rechnung für {MON} fehlt noch. Mit freundlichen Grüßen
Die Lieferung kam am {DAY} an, aber die Verpackung war beschädigt.
Könnten Sie mir bitte die Rechnung noch einmal schicken?
Bonjour, la facture de {MON} est introuvable dans Mon Compte.
Merci pour votre aide, tout fonctionne depuis la mise à jour.
Hola, la aplicación se cierra al abrir Ajustes. Gracias.
Buongiorno, la Consegna è prevista per {DAY}?
Obrigado pela ajuda, Atendimento excelente!
Mabuhay! Salamat po sa mabilis na tulong.
Dank je wel, het werkt weer.
Tack för hjälpen, Leveransen kom i tid.
Dziękuję, Zamówienie dotarło.
{GR}! {GR}! Thanks a lot.
{GR} from {PL}! Quick question about {SW}.
Sure! {PL} is a general layout; swap the images and the text.
The {PL} template and the {PL} template look the same to me.
Theme: {PL}¶Font: {UI}¶Colour: Slate
Shipping from {PL} takes 3 days, from {PL} about a week.
Our {PL} warehouse is closed on {DAY}.
Team offsite in {PL} on {DAY}, replies may be slow.
{DAY} standup moved to {DAY}.
See you {DAY}! Enjoy {MON}.
{MON} invoices are in the {UI} folder.
Tracking {TRK} was handed to {BR} on {DAY}.
Parcel {TRK} returned to sender.
Build {VER} fixes the {UI} crash.
Release {VER} ({MON}) adds {UI} and {UI}.
Changelog: {UI} renamed to {UI}; {UI} removed.
Please reset the {SW} integration from {MENU}.
{DEP} will review the {UI} request on {DAY}.
New hire onboarding: {SW} account, {SW} seat, laptop from {DEP}.
Accounts Payable needs the PO before {DAY}.
Customer Success and Solutions Engineering are both on the call.
Thanks {DEP}!
Welcome to {SW}! Your trial ends on {DAY}.
Hi there, {CAP} here's the link to the {UI} guide.
Note: {UI} only shows for Admin and Owner roles.
Roles: Admin, Editor, Viewer, Guest.
Plan: {UI}¶Seats: 12¶Renewal: {MON}
Priority: Urgent¶Queue: {DEP}¶Assignee: unassigned
Tags: {UI}, {UI}, {LANG}
""".strip().splitlines()

# People in the shapes the model missed: a first name alone, lower case, after a cue, many origins.
PEOPLE = """
Hi {F},¶thanks for waiting, the refund is on its way.
Thanks,¶{F}
Cheers,¶{F}¶{DEP}
Best,¶{F}
Regards,¶{F}, {DEP}
Thanks {F}!
Thank you {F}, that fixed it.
Sorry {F}, the {PR} is out of stock.
Morning {F}, any news?
Dear {F},¶the engineer is booked for {DAY}.
Hey {F} - all sorted.
my name is {F}
My name is {F} and the {PR} stopped working.
my name is {pl} and i cant log in
this is {F}, I called about the {PR}
This is {F} from {CO}.
this is {fl} again lol
ask for {F2} at the front desk
Please ask for {F2} when you arrive.
You can ask for {F2} or {AG}.
{F2} will call you back on {DAY}.
{F2} from {DEP} will call you back.
I spoke to {F2} yesterday.
{F2} told me the refund was approved.
{F2} and {F} share the account.
hi its {fl}
{fl} here, still waiting
thanks, {fl}
hey, {pl} here, order {ID} is late
name: {pl}
{pl}, {A1}
i'm {fl}, my sister {F2} ordered it
ok thanks {AG} :)
Agent: Hi, I'm {AG}, how can I help?¶Customer: hi {AG}, it's {F}
{AG} (agent): Hi {F}, thanks for waiting.
Handed over to {AG2} at 17:00. {F} expects a call.
Note from {AG}: {F} prefers e-mail.
Customer {F} asked for {AG2}.
Call back {F} on {DAY}.
Left a voicemail for {F}.
{F} says the {PR} from {BR} still won't pair.
{F} confirmed the address; {F2} will sign for it.
Spoke with {T}; she wants a refund.
{T} called again about {TK}.
Please address the letter to {T}.
Dear {T},¶your {PR} is ready for collection.
Contact: {P} (owner), {F2} (billing)
Account owner: {P}¶Billing contact: {P2}
Signed for by: {L}
Collected by {F} {L} at 14:05.
{L} family, flat 2
my surname is {L}
surname {L}, first name {F}
Booking for 2: {P} and {P2}
{P} and {F2} will both attend.
It's for my daughter {F2}.
Say hi to {AG} for me!
{NL} here, my order is late.
{F}?? are you there?
""".strip().splitlines()

DEPARTMENTS = [
    "Billing",
    "Facilities",
    "Returns",
    "Accounts Payable",
    "Accounts Receivable",
    "Customer Success",
    "Customer Care",
    "Tier 2",
    "Logistics",
    "Procurement",
    "Payroll",
    "Legal",
    "Compliance",
    "Finance",
    "Marketing",
    "Sales",
    "Dispatch",
    "Warehouse",
    "IT Helpdesk",
    "Service Desk",
    "Operations",
    "Quality Assurance",
    "Onboarding",
    "Partnerships",
    "Trust & Safety",
    "Fraud",
    "Collections",
    "Reception",
    "Security",
    "Engineering",
    "Product",
    "Research",
    "Shipping",
    "Technik",
    "Kundenservice",
    "Buchhaltung",
    "Comptabilité",
    "Atención al cliente",
]
UI_LABELS = [
    "Archive",
    "Inbox",
    "Dashboard",
    "Reporting",
    "Analytics",
    "Channel",
    "Seats",
    "Recommended",
    "Pinned",
    "Drafts",
    "Snooze",
    "Assign",
    "Merge",
    "Export",
    "Import",
    "Sync Now",
    "Dark Mode",
    "Auto Renew",
    "Do Not Disturb",
    "Advanced",
    "Integrations",
    "Members",
    "Billing",
    "Notifications",
    "Profile",
    "Preferences",
    "Webhooks",
    "Templates",
    "Macros",
    "Feature request",
    "Bug report",
    "Chat",
    "Email",
    "Phone",
    "Standard",
    "Business",
    "Enterprise",
    "Starter",
    "Growth",
    "Overview",
    "Insights",
    "Beschreibung",
    "Einstellungen",
    "Paramètres",
    "Ajustes",
    "Impostazioni",
    "Technik",
    "Sprache",
    "Konto",
]
SOFTWARE = [
    "Excel",
    "Word",
    "PowerPoint",
    "Stripe",
    "Adyen",
    "PayPal",
    "Pastebin",
    "Discord",
    "Zoom",
    "Teams",
    "Slack",
    "Salesforce",
    "HubSpot",
    "Zendesk",
    "Freshdesk",
    "Intercom",
    "Trello",
    "Asana",
    "Notion",
    "Confluence",
    "Jira",
    "GitHub",
    "GitLab",
    "Dropbox",
    "OneDrive",
    "SharePoint",
    "Okta",
    "Workday",
    "QuickBooks",
    "Xero",
    "Sage",
    "Mailchimp",
    "Calendly",
    "Figma",
    "Canva",
    "Jasper",
    "Grammarly",
    "Loom",
    "Miro",
    "Airtable",
    "Zapier",
    "Twilio",
    "Shopify",
    "Magento",
    "WordPress",
    "Chrome",
    "Firefox",
    "Safari",
    "Edge",
    "Android",
    "macOS",
    "Windows",
    "Ubuntu",
    "Outlook",
    "Thunderbird",
    "Signal",
    "Telegram",
    "WhatsApp",
    "Viber",
]
LANGUAGES = [
    "Korean",
    "Portuguese",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Dutch",
    "Polish",
    "Japanese",
    "Chinese",
    "Arabic",
    "Hebrew",
    "Turkish",
    "Greek",
    "Swedish",
    "Finnish",
    "Czech",
    "Hungarian",
    "Thai",
    "Vietnamese",
    "Hindi",
    "Ukrainian",
    "Russian",
    "Brazilian Portuguese",
    "Deutsch",
    "Français",
    "Español",
]
QTY_NOUNS = [
    "chats",
    "emails",
    "phone callbacks",
    "articles",
    "community posts",
    "more seats",
    "seats",
    "words per month",
    "users",
    "licences",
    "tickets",
    "calls",
    "refunds",
    "orders",
    "GB of storage",
    "API calls per day",
    "pages",
    "credits",
    "messages",
    "projects",
]
CAPS = [
    "Unfortunately",
    "Apparently",
    "Meanwhile",
    "Regarding",
    "Recommended",
    "Allow",
    "Update",
    "Fixed",
    "Resolved",
    "Confirmed",
    "Noted",
    "Understood",
    "Agreed",
    "Done",
    "Sure",
    "Absolutely",
    "Naturally",
    "Natürlich",
    "Selbstverständlich",
    "Bien sûr",
    "Claro",
    "Certo",
    "Genau",
    "Also",
    "Otherwise",
    "Sadly",
    "Luckily",
    "Honestly",
    "Follow-up",
    "Reminder",
    "Heads up",
    "FYI",
]
MENU_PARTS = [
    "Settings",
    "Account",
    "Members",
    "Roles",
    "Billing",
    "Integrations",
    "Profile",
    "Security",
    "Privacy",
    "Notifications",
    "Advanced",
    "Workspace",
    "Admin",
    "Reports",
    "Channels",
    "Sprache",
    "Profil",
    "Konto",
    "Paramètres",
]
