"""Closed-class vocabulary the recognizers reason with.

These are grammar words, not data: function words and support-desk words that
are never a person's name, street-type words of address grammar, and the
context words around identifiers. No lists of people's names or street names
live here (or anywhere in the engine): names and streets are found from their
context and shape, so the engine does not just memorize a fake-data generator.
"""

from __future__ import annotations

import regex
from spacy.lang.en.stop_words import STOP_WORDS


def word_key(word: str) -> str:
    """How a word is looked up in these sets: case-folded, without edge dots, apostrophes and hyphens."""
    return word.casefold().strip(".'’-")


# Words that, capitalized or not, are not someone's name in support traffic.
_DOMAIN_WORDS = """
support team teams customer customers client clients service services agent agents staff
help helpdesk desk sir madam mam maam there all everyone everybody folks guys friend friends
mate buddy dude colleague colleagues manager supervisor admin administrator billing sales
account accounts order orders ticket tickets case cases invoice invoices payment payments
refund refunds card cards bank phone mobile cell email mail address number password pin
login user username profile subscription plan package delivery shipping shipment parcel
tracking product products item items device devices app application website site portal
problem problems issue issues error errors question questions request requests update updates
thanks thank thx ty regards cheers best sincerely greetings hi hello hey dear morning
afternoon evening night day today tomorrow yesterday week weekend month year asap urgent
please sorry ok okay yes no yeah yep nope sure great good fine awesome perfect cool
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march july september october november december jan feb mar apr jun jul aug sep sept oct nov dec
name names surname firstname lastname first last middle full
mr mrs ms miss mx dr prof
street st road rd avenue ave lane ln drive boulevard blvd court ct place pl way apt apartment
suite unit floor po box city state zip postcode country
company corp inc ltd llc gmbh plc
again also just still really very much many lot lots more less
wife husband son daughter mother mom mum father dad brother sister partner boss neighbor neighbour
someone somebody anyone anybody nobody customer's
hope hoping writing calling contacting reaching following checking
internet wifi router modem laptop computer tablet tv printer
monthly annual yearly weekly daily
message messages chat call calls text texts reply response
new old same other another next previous last
tel fax subject re fwd fw attn ref dob ssn iban bic swift vat tax id
finance hr legal marketing operations procurement accounting engineering security compliance management
head director ceo cfo cto coo vp department dept office board committee it qa dev devops
callback issue status priority category summary description resolution notes note comments comment reason
quick q info details verified unverified pending closed open resolved
md phd dds rn esq cpa mba msc bsc
mode settings setting integration integrations feature features button page pages screen tab tabs menu plan plans
tier version update updates upgrade drive backup storage sync server browser extension plugin widget dashboard
report reports checkout cart success care ops windows android ios linux mac
heaps loads tons bunch million billion lol haha ok cool nice wow omg btw fyi pls plz thx
cust custs caller callers vm voicemail cb tmrw asap
emoji emojis gif sticker
مرحبا marhaba ahlan السلام سلام 你好 您好 こんにちは 안녕하세요 שלום नमस्ते
hola bonjour bonsoir hallo ciao hej salut servus moin ahoj cześć czesc hei tere merhaba namaste shalom salaam
olá ola konnichiwa sawubona jambo привет здравствуйте добрый день γεια σας buongiorno buenas buenos días dias
gracias merci danke dank vielen grazie mille obrigado obrigada spasibo спасибо tack takk tak kiitos dziękuję
beaucoup muchas muito schön bitte cordialement freundlichen grüßen grüße saludos saluti atentamente
guten tag abend hilfe salamat mabuhay natürlich selbstverständlich
ich du er sie wir ihr ihre ihren ihrem ihrer ihnen mein meine meinen meinem meiner dein deine unser unsere
der die das dem des ein eine einen einem einer und oder aber mit für auf aus bei nach vom zum zur unter über
vor durch gegen ohne seit wenn dass weil ist sind war hat haben wird werden kann können muss müssen nicht kein
keine auch noch schon sehr nur hier wie was wo warum
je tu il elle nous vous ils elles mon ma mes ton ta votre vos notre nos leur les un une et ou mais avec pour sur
dans par sans sous chez est sont madame monsieur très bien
el los las una unos y pero con por sin sobre es usted sus favor buenas días gracias
il gli sono nel della per prego obrigado obrigada bom você
betreff objet asunto oggetto onderwerp temat assunto тема 件名
los le les gli ci alles nie
tooltip tooltips path paths config configuration cache glossary acronym acronyms calendar platform legacy
label labels column columns header headers folder folders file files log logs query
reminder workaround handover escalation migration guide pricing privacy
accueil réception recepción recepcion rezeption empfang segreteria secretaría reception
feliz año nuevo eingang anfrage besprechung réunion reunión riunione overleg spotkanie reunião встреча
""".split()

# Words that name a unit of an organization, in the languages of our traffic: the capitalized
# word right before or after one is the unit's name ("Service Achats", "equipe Financeira",
# "Departamento de Sistemas", "Dział Zakupów", "Отдел продаж"), not a person.
DEPARTMENT_WORDS: frozenset[str] = frozenset(
    """team teams department dept division unit office desk squad group service services
    abteilung bereich referat dienst équipe equipe service département direction pôle
    departamento recursos ressources risorse equipo área area sección servicio oficina reparto ufficio servizio settore squadra
    afdeling dienst sectie dział działu zespół zespołu wydział biuro setor
    отдел отдела служба команда управление департамент
    avdelning avdelningen avdeling avdelingen afdelingen osasto oddělení odbor departman departmanı
    osztály departamentul departament τμήμα""".split()
)

#: Endings of compound words for a department ("Ekonomiavdelningen", "Talousosasto", "Einkaufsabteilung").
DEPARTMENT_ENDINGS: tuple[str, ...] = (
    "abteilung",
    "afdeling",
    "afdelingen",
    "avdelning",
    "avdelningen",
    "avdelingen",
    "osasto",
    "oddělení",
)

#: Japanese words for departments: 経理部 (accounting), 営業部 (sales) … a word, not a person's name.
JAPANESE_DEPARTMENT_STEMS = (
    "経理",
    "営業",
    "総務",
    "人事",
    "開発",
    "技術",
    "法務",
    "広報",
    "情報システム",
    "購買",
    "調達",
    "財務",
    "企画",
    "品質保証",
    "カスタマーサポート",
    "サポート",
)

# Weekdays of the other languages of our traffic (de, fr, es, it, nl, pl, ru). The calendar words below
# also have "domingo" (es), "sabato", "domenica" (it), "środy" (pl) and the Portuguese weekdays.
_FOREIGN_WEEKDAYS = """montag dienstag mittwoch donnerstag freitag samstag sonntag
    lundi mardi mercredi jeudi vendredi samedi dimanche
    lunes martes miércoles miercoles jueves viernes sábado sabado
    lunedì lunedi martedì martedi mercoledì mercoledi giovedì giovedi venerdì venerdi
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    poniedziałek wtorek środa czwartek piątek sobota niedziela
    понедельник вторник среда среду четверг пятница пятницу суббота субботу воскресенье"""
_ENGLISH_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"

#: Months and weekdays of other languages (de, fr, es, it, nl, pl, pt, ru): a date, not a person,
#: unless something addresses or introduces a person there ("Hi Mai,").
FOREIGN_CALENDAR_WORDS: frozenset[str] = frozenset(
    """januar februar märz maerz mai juni juli oktober dezember
    janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre decembre
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre domingo
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre sabato domenica
    januari februari maart mei augustus
    styczeń stycznia luty lutego marzec marca kwiecień kwietnia maj maja czerwiec czerwca lipiec lipca
    sierpień sierpnia wrzesień września październik października listopad listopada grudzień grudnia środy
    janeiro fevereiro março marco maio junho julho setembro outubro dezembro
    segunda terça terca quarta quinta sexta
    январь января февраль февраля март марта апрель апреля май мая июнь июня июль июля август августа
    сентябрь сентября октябрь октября ноябрь ноября декабрь декабря""".split()
) | frozenset(_FOREIGN_WEEKDAYS.split())

_ENGLISH_COURTESY_WORDS = "thanks thank thx regards cheers sincerely greetings hi hello hey dear"
# Greetings, closings and thanks of the languages of our traffic (also among the words above).
_COURTESY_WORDS = (
    _ENGLISH_COURTESY_WORDS
    + """
hola bonjour bonsoir hallo ciao hej salut servus moin ahoj cześć czesc merhaba привет здравствуйте
gracias merci danke grazie obrigado obrigada spasibo спасибо tack takk kiitos dziękuję
cordialement freundlichen grüßen grüße saludos saluti atentamente
liebe lieber liebes geehrte geehrter geehrten kolleginnen kollegen damen herren gruß gruss beste herzliche
viele schöne schönen frohe frohes neues alles
chère chers chères salutations distinguées meilleures meilleurs sincères cordiales amitiés
estimado estimada estimados estimadas señores saludo cordiales cordialmente abrazo
gentili gentilissimo gentilissima signori signore cordiali distinti saluto saluti buona buon
geachte beste hartelijke vriendelijke groet groeten goedendag goedemorgen goedemiddag goedenavond
bedankt alvast dank groetjes
szanowni szanowny szanowna państwo pozdrawiam pozdrawiamy pozdrowienia serdecznie poważaniem dzień dobry
dziękuję dziękujemy miłego
prezado prezada prezados prezadas cumprimentos atenciosamente abraço abraços beijos
уважаемые уважаемый уважаемая коллеги всего доброго хорошего наилучшими пожеланиями уважением большое
добрый доброе доброй вечер утро
お世話になっております よろしくお願いします よろしくお願いいたします ありがとうございます お疲れ様です
hej hei tack förhand vänliga hälsningar venlig vennlig hilsen mvh mfg lg vg ystävällisin terveisin kiitos
dobrý dobry děkuji dekuji pozdravem saygılarımla teşekkürler teşekkür merhaba iyi günler üdvözlettel
köszönöm szépen napot bună buna ziua mulțumesc multumesc stimă selamat pagi terima kasih chào cảm ơn
γεια σας με εκτίμηση ευχαριστώ shukran dhanyavaad morgen salve giornata bonne fin journée saludo
"""
).split()

#: Greeting, closing and thanks words: a guess with one in it is a courtesy line, not an address.
COURTESY_WORDS: frozenset[str] = frozenset(_COURTESY_WORDS)
#: The same of the other languages: English ones also follow a name ("ok Priya, thanks" typed as "Priya thanks").
FOREIGN_COURTESY_WORDS: frozenset[str] = COURTESY_WORDS - frozenset(_ENGLISH_COURTESY_WORDS.split())

#: Words that open a place's name ("Northern Ireland", "New Jersey", "Lake Como"), never a person's.
PLACE_OPENING_WORDS: frozenset[str] = frozenset(
    """north south east west northern southern eastern western northeast northwest southeast southwest
    new upper lower greater central mount mt lake port fort cape isle gulf""".split()
)

#: Holidays among the calendar words ("closed over Easter"): never a given name, even after a greeting.
HOLIDAY_WORDS: frozenset[str] = frozenset(
    "easter christmas xmas thanksgiving halloween hanukkah ramadan diwali".split()
)

#: Months, weekdays (with abbreviations) and holidays: a calendar word alone is a date, not a person.
CALENDAR_WORDS: frozenset[str] = (
    frozenset(
        """january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec
        mon tue tues wed thu thur thurs fri sat sun""".split()
    )
    | frozenset(_ENGLISH_WEEKDAYS.split())
    | HOLIDAY_WORDS
)

#: Weekdays of English and the other languages of our traffic: an address never has one.
WEEKDAY_WORDS: frozenset[str] = frozenset(_ENGLISH_WEEKDAYS.split()) | frozenset(_FOREIGN_WEEKDAYS.split())

#: Words that make the capitalized word before them an organization or product
#: ("Contoso Help Desk", "Northwind Support", "Surface Pro"), not a person.
ORGANIZATION_WORDS: frozenset[str] = frozenset(
    """support help desk helpdesk team inc ltd llc plc corp co company group bank banking services service
    store stores shop shops airlines airways air telecom mobile energy insurance university college school
    hospital clinic center centre labs lab systems solutions technologies technology software hardware
    pro max plus mini ultra edition cloud online app apps pay wallet studio studios foundation trust
    association agency partners holdings logistics express motors pharmacy market markets club hotel hotels
    gmbh sa ag bv ab oy as electronics retail supplies supply industries enterprises consulting media network
    networks communications health healthcare care pharma foods food restaurant cafe bakery garage auto autos
    repairs repair properties realty homes construction builders travel tours airport station library museum
    church council ministry government police chat portal hub ventures capital associates brothers llp limited
    incorporated international global digital""".split()
)

#: Lower-cased words that never start or continue a person's name.
NOT_NAME_WORDS: frozenset[str] = frozenset(STOP_WORDS) | frozenset(_DOMAIN_WORDS) | COURTESY_WORDS
#: Support-desk vocabulary among them that is not an English function word ("Operations", "Settings").
SUPPORT_WORDS: frozenset[str] = (frozenset(_DOMAIN_WORDS) | COURTESY_WORDS) - frozenset(STOP_WORDS)

#: Modal verbs and "hope": capitalized, they open a question or a wish ("Will you …", "Hope this
#: helps"), so the word lists above keep them out of names; grammar alone decides when one is a
#: given name instead (``person_context.verb_as_name``: "Hi Will,", "Will Turner called").
MODAL_VERBS: frozenset[str] = frozenset("will may can might must shall should would could hope".split())

#: Nouns naming a support organization's teams, which a member of one is "from" or "in" ("Will from
#: billing", "Hope in our Legal team"); "team", "department" and the like are in ``DEPARTMENT_WORDS``.
TEAM_NOUNS: tuple[str, ...] = tuple(
    """billing accounts returns sales support finance hr legal marketing operations procurement accounting
    engineering security compliance payroll management""".split()
)
#: Verbs of speaking and contact, in the forms that follow the person who does them ("Anna said",
#: "Anna wrote:", "Mark says the router is fine"): one source for the person and label checks.
SPEAKING_VERBS: tuple[str, ...] = tuple(
    """said says say told tells asked asks called calls rang rings phoned wrote writes replied replies
    emailed e-mailed messaged texted mentioned confirmed confirms promised explained agreed""".split()
)
#: Finite verbs after a name that end in neither "-ed" nor "-s" ("Hope said", "Anna wrote:"); the
#: regular ones are told by their ending.
IRREGULAR_FINITE_VERBS: tuple[str, ...] = ("said", "wrote", "told", "rang", "spoke", "sent", "came")
#: Speaking verbs of German, French, Spanish, Italian, Portuguese, Dutch, the Nordic languages and
#: Polish, and "a"/"ha" of their perfect tenses: "Anna schrieb:", "Marie a écrit :", "Juan dijo:".
FOREIGN_SPEAKING_VERBS: tuple[str, ...] = tuple(
    """schrieb schreibt sagte sagt fragte antwortete écrit dit demande répond a escribió escribe dijo dice
    preguntó respondió ha scrisse scrive disse chiede rispose escreveu escreve perguntou respondeu
    schreef schrijft zei zegt vroeg skrev skriver sa sier säger frågade napisał napisała""".split()
)


def alternation(words: tuple[str, ...]) -> str:
    """``words`` as one regular-expression alternation (longest first, escaped)."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


#: Lower-case particles inside names ("Ludwig van Beethoven", "Maria de la Cruz").
NAME_PARTICLES: frozenset[str] = frozenset(
    "van von der den de del della di da du la le bin binti ibn al el ter ten dos das".split()
)

#: Honorifics that announce a name.
HONORIFICS = r"(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mme|mlle|herr|frau|señor|senor|señora|senora|sr|sra)"

# Part-of-speech tags that a (lower-case) name word never carries.
NON_NAME_POS: frozenset[str] = frozenset(
    {"VERB", "AUX", "ADP", "DET", "PRON", "SCONJ", "CCONJ", "PART", "NUM", "SYM", "INTJ"}
)

# --- address grammar -----------------------------------------------------------------

#: Street-type words after the street name ("42 Elm Street", "9 Kings Rd.").
STREET_SUFFIXES = (
    "street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|way|"
    "terrace|ter|terr|circle|cir|parkway|pkwy|highway|hwy|square|sq|close|crescent|cres|trail|trl|"
    "row|walk|gardens|gdns|grove|gr|hill|mews|park|plaza|alley|aly|loop|path|pike|point|pt|ridge|"
    "heights|hts|view|green|parade|quay|wharf|causeway|esplanade|expressway|expy|freeway|fwy|cove|"
    "crossing|xing|bend|rise|hollow|harbor|harbour|landing|meadow|meadows|route|rte|turnpike|tpke|"
    "center|centre|commons|estate|estates|vale|villas|wynd|yard|embankment|broadway|circus|"
    "chase|glen|grange|hts|manor|orchard|pass|passage|pines|run|spur|station|summit|trace|track|"
    "valley|village|vista|woods|court|ctr|dale|field|fields|gate|gateway|lodge|market|moor|"
    # more USPS Publication 28 street types (grammar of US addresses) and common plurals
    "branch|brg|bridge|brook|brooks|burg|bypass|byp|camp|canyon|cape|centers|circles|cliff|cliffs|club|common|"
    "corner|corners|course|courts|coves|creek|crk|crest|crossroad|curve|dam|divide|dv|drives|drs|extension|ext|"
    "falls|ferry|flat|flats|ford|fords|forest|forge|forges|fork|forks|fort|ft|gardens|glens|greens|groves|"
    "harbors|haven|hills|inlet|island|islands|isle|junction|jct|knoll|knolls|lakes|lake|ldg|manors|mill|mills|"
    "mission|motorway|mount|mountain|mountains|mtn|neck|oval|overpass|parks|parkways|plains|plain|points|port|"
    "ports|prairie|radial|ramp|ranch|rapid|rapids|ridges|river|roads|shoal|shoals|shore|shores|skyway|spring|"
    "springs|spurs|squares|stravenue|stream|streets|terr|throughway|trafficway|tunnel|underpass|unions|valleys|"
    "viaduct|views|villages|ville|walks|ways|wells|lndg|mdws|pkwys|sqs|trce|vlg|vly|vw|ter|bypass|hwy"
)

#: Street-type words before the street name (Romance, Slavic and others: "Rue de la Paix").
STREET_PREFIXES = (
    "rue|avenue|av|avda|avenida|boulevard|bd|bvd|chemin|allée|allee|impasse|quai|cours|route|"
    "via|viale|piazza|piazzale|corso|largo|vicolo|strada|calle|carrer|paseo|plaza|praça|praca|"
    "rua|travessa|alameda|camino|carretera|ronda|ulica|ul|aleja|al|ulitsa|str|strada|straße"
)

#: Street-type endings of compound street names ("Hauptstraße", "Keizersgracht", "Storgatan").
STREET_COMPOUND_ENDINGS = (
    "straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|"
    "gracht|laan|straat|plein|kade|singel|dijk|"
    "vej|gade|gatan|gata|vägen|vagen|veien|gränd|torget|katu|tie|kuja|"
    "utca|ulica|ulice|cesta"
)

#: Unit / apartment designators.
UNIT_WORDS = "apt|apartment|unit|suite|ste|flat|floor|fl|room|rm|bldg|building|block|lot|#"

# --- identifier contexts --------------------------------------------------------------

ACCOUNT_CONTEXT = (
    "account|acct|acc|a/c|customer|cust|client|member|membership|subscriber|subscription|"
    "order|ord|ticket|tkt|case|incident|reference|ref|invoice|inv|booking|confirmation|"
    "reservation|policy|contract|loyalty|claim|rma|return|sr|service request|request|"
    "user id|userid|customer id|member id|login id|customer number|client number|"
    "mrn|medical record(?: number)?|patient id|patient number|insurance number|insurance id|health id"
)
