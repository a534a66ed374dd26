"""Fixed reference data the demo draws from: regions and PDUs, names, streets, and note templates.

The 12 regions are the Probation Service's real regions (11 in England, plus Wales) with their nDelius
probation-area codes. PDU names are modelled on the real probation delivery units; towns and postcode areas are
real places so addresses look right, but every street, house and person is invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PduSpec:
    name: str
    town: str
    postcode_area: str


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    # Relative size of the region's caseload, used to share teams out between regions.
    weight: float
    pdus: tuple[PduSpec, ...]


def _pdus(*rows: tuple[str, str, str]) -> tuple[PduSpec, ...]:
    return tuple(PduSpec(name=n, town=t, postcode_area=p) for n, t, p in rows)


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("N07", "London", 1.45, _pdus(
        ("Camden and Islington", "London", "N"), ("Hackney and City", "London", "E"),
        ("Lambeth", "London", "SW"), ("Southwark", "London", "SE"), ("Lewisham and Bromley", "London", "SE"),
        ("Croydon", "Croydon", "CR"), ("Ealing and Hillingdon", "London", "W"),
        ("Barnet, Brent and Enfield", "London", "NW"), ("Newham", "London", "E"),
        ("Wandsworth, Merton and Sutton", "London", "SW"), ("Tower Hamlets", "London", "E"),
        ("Haringey", "London", "N"),
    )),
    RegionSpec("N50", "Greater Manchester", 0.95, _pdus(
        ("Manchester North", "Manchester", "M"), ("Manchester South", "Manchester", "M"),
        ("Bolton", "Bolton", "BL"), ("Bury and Rochdale", "Rochdale", "OL"), ("Oldham", "Oldham", "OL"),
        ("Salford", "Salford", "M"), ("Stockport and Trafford", "Stockport", "SK"),
        ("Tameside", "Ashton-under-Lyne", "OL"), ("Wigan", "Wigan", "WN"),
    )),
    RegionSpec("N51", "North West", 1.05, _pdus(
        ("Liverpool North", "Liverpool", "L"), ("Liverpool South", "Liverpool", "L"),
        ("Knowsley and St Helens", "St Helens", "WA"), ("Sefton", "Bootle", "L"), ("Wirral", "Birkenhead", "CH"),
        ("Cheshire East", "Crewe", "CW"), ("Cheshire West", "Chester", "CH"),
        ("Warrington and Halton", "Warrington", "WA"), ("Cumbria", "Carlisle", "CA"),
        ("Central Lancashire", "Preston", "PR"), ("East Lancashire", "Blackburn", "BB"),
        ("North West Lancashire", "Blackpool", "FY"),
    )),
    RegionSpec("N54", "North East", 0.6, _pdus(
        ("Newcastle and North Tyneside", "Newcastle upon Tyne", "NE"), ("Northumberland", "Morpeth", "NE"),
        ("Gateshead and South Tyneside", "Gateshead", "NE"), ("Sunderland", "Sunderland", "SR"),
        ("County Durham and Darlington", "Durham", "DH"),
        ("Redcar, Cleveland and Middlesbrough", "Middlesbrough", "TS"),
        ("Stockton and Hartlepool", "Stockton-on-Tees", "TS"),
    )),
    RegionSpec("N55", "Yorkshire and the Humber", 1.0, _pdus(
        ("Leeds", "Leeds", "LS"), ("Bradford and Calderdale", "Bradford", "BD"), ("Kirklees", "Huddersfield", "HD"),
        ("Wakefield", "Wakefield", "WF"), ("Sheffield", "Sheffield", "S"), ("Barnsley and Rotherham", "Rotherham", "S"),
        ("Doncaster", "Doncaster", "DN"), ("Humber", "Hull", "HU"), ("York and North Yorkshire", "York", "YO"),
    )),
    RegionSpec("N53", "East Midlands", 0.85, _pdus(
        ("Nottingham City", "Nottingham", "NG"), ("Nottinghamshire", "Mansfield", "NG"), ("Derby City", "Derby", "DE"),
        ("Derbyshire", "Chesterfield", "S"), ("Leicester, Leicestershire and Rutland", "Leicester", "LE"),
        ("Lincolnshire", "Lincoln", "LN"), ("Northamptonshire", "Northampton", "NN"),
    )),
    RegionSpec("N52", "West Midlands", 1.05, _pdus(
        ("Birmingham Central and South", "Birmingham", "B"), ("Birmingham North and East", "Birmingham", "B"),
        ("Solihull", "Solihull", "B"), ("Coventry", "Coventry", "CV"), ("Dudley and Sandwell", "Dudley", "DY"),
        ("Walsall and Wolverhampton", "Wolverhampton", "WV"),
        ("Staffordshire and Stoke-on-Trent", "Stoke-on-Trent", "ST"),
        ("Warwickshire", "Nuneaton", "CV"), ("Herefordshire, Shropshire and Telford", "Telford", "TF"),
        ("Worcestershire", "Worcester", "WR"),
    )),
    RegionSpec("N56", "East of England", 0.9, _pdus(
        ("Bedfordshire", "Luton", "LU"), ("Cambridgeshire and Peterborough", "Peterborough", "PE"),
        ("Essex North", "Colchester", "CO"), ("Essex South", "Basildon", "SS"), ("Hertfordshire", "Stevenage", "SG"),
        ("Norfolk", "Norwich", "NR"), ("Suffolk", "Ipswich", "IP"),
    )),
    RegionSpec("N03", "Wales", 0.6, _pdus(
        ("Cardiff and the Vale", "Cardiff", "CF"), ("Cwm Taf Morgannwg", "Merthyr Tydfil", "CF"),
        ("Dyfed-Powys", "Carmarthen", "SA"), ("Gwent", "Newport", "NP"), ("North Wales", "Wrexham", "LL"),
        ("Swansea, Neath and Port Talbot", "Swansea", "SA"),
    )),
    RegionSpec("N58", "South West", 0.75, _pdus(
        ("Bristol and South Gloucestershire", "Bristol", "BS"), ("Bath, Somerset and North Somerset", "Taunton", "TA"),
        ("Devon and Torbay", "Exeter", "EX"), ("Plymouth", "Plymouth", "PL"),
        ("Cornwall and Isles of Scilly", "Truro", "TR"),
        ("Dorset", "Bournemouth", "BH"), ("Gloucestershire", "Gloucester", "GL"),
        ("Wiltshire and Swindon", "Swindon", "SN"),
    )),
    RegionSpec("N59", "South Central", 0.65, _pdus(
        ("Portsmouth", "Portsmouth", "PO"), ("Southampton", "Southampton", "SO"),
        ("Hampshire North and East", "Basingstoke", "RG"), ("Hampshire South and Isle of Wight", "Newport", "PO"),
        ("Oxfordshire", "Oxford", "OX"), ("Buckinghamshire and Milton Keynes", "Milton Keynes", "MK"),
        ("Berkshire", "Reading", "RG"),
    )),
    RegionSpec("N57", "Kent, Surrey and Sussex", 0.75, _pdus(
        ("Kent North", "Chatham", "ME"), ("Kent East", "Canterbury", "CT"), ("Kent West", "Maidstone", "ME"),
        ("Surrey", "Guildford", "GU"), ("Brighton and East Sussex", "Brighton", "BN"), ("West Sussex", "Crawley", "RH"),
    )),
)

MALE_FIRST_NAMES = (
    "James", "John", "David", "Michael", "Daniel", "Thomas", "Ryan", "Liam", "Connor", "Jordan", "Jack", "Callum",
    "Kyle", "Lewis", "Jamie", "Dean", "Lee", "Craig", "Scott", "Mark", "Paul", "Steven", "Darren", "Wayne", "Gary",
    "Anthony", "Christopher", "Matthew", "Adam", "Ashley", "Luke", "Nathan", "Shane", "Kieran", "Aaron", "Joshua",
    "Reece", "Bradley", "Jake", "Tyler", "Mohammed", "Ali", "Imran", "Tariq", "Hassan", "Omar", "Kwame", "Tyrone",
    "Marcus", "Leon", "Dwayne", "Andre", "Jermaine", "Piotr", "Tomasz", "Marius", "Andrei", "Florin", "Sean",
    "Patrick", "Declan", "Gareth", "Rhys", "Dylan", "Owen", "Ian", "Neil", "Kevin", "Peter", "Robert", "William",
    "George", "Harry", "Alfie", "Mason", "Kai", "Ross", "Stuart", "Carl", "Jason",
)
FEMALE_FIRST_NAMES = (
    "Sarah", "Emma", "Laura", "Rebecca", "Gemma", "Kelly", "Nicola", "Lisa", "Michelle", "Donna", "Claire",
    "Stacey", "Leanne", "Jade", "Chloe", "Amy", "Hannah", "Jessica", "Shannon", "Courtney", "Danielle", "Natalie",
    "Samantha", "Charlotte", "Louise", "Zoe", "Kirsty", "Aisha", "Fatima", "Amina", "Shanice", "Chantelle",
    "Agnieszka", "Ioana", "Siobhan", "Bethan", "Megan", "Karen", "Joanne", "Tracey",
)
SIBLING_FIRST_NAMES = MALE_FIRST_NAMES + FEMALE_FIRST_NAMES
CHILD_FIRST_NAMES = (
    "Oliver", "Noah", "Leo", "Freddie", "Archie", "Theo", "Oscar", "Charlie", "Riley", "Ethan", "Olivia", "Amelia",
    "Isla", "Ava", "Mia", "Lily", "Grace", "Poppy", "Evie", "Ruby", "Sophia", "Ella", "Maya", "Layla", "Alfie",
)
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson",
    "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers",
    "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
    "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon",
    "Harvey", "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart",
    "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence",
    "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts", "Rose",
    "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson",
    "Newman", "Barrett", "Kowalski", "Nowak", "Popescu", "Mensah", "Okafor", "Campbell-Brown", "Doherty", "McCarthy",
)
STREET_NAMES = (
    "Albert Road", "Victoria Street", "Church Lane", "Station Road", "Park Avenue", "High Street", "Mill Lane",
    "Queens Road", "King Street", "New Road", "Manor Way", "Grange Road", "Springfield Road", "Elm Grove",
    "Oak Avenue", "Beech Close", "Chestnut Drive", "Willow Court", "Meadow View", "Brook Street", "Castle Road",
    "Green Lane", "Windsor Road", "York Street", "Richmond Terrace", "Coronation Street", "Jubilee Crescent",
    "Alexandra Road", "Derwent Walk", "Hawthorn Rise", "Ash Grove", "Cedar Road", "Priory Road", "Marsh Lane",
    "Canal Street", "Market Street", "Chapel Street", "School Lane", "Highfield Road", "Stanley Road",
)
FLAT_PREFIXES = ("Flat 1", "Flat 2", "Flat 3", "Flat 4", "Flat 5", "Flat 6", "Flat 12", "Room 3")

# Postcode inward codes never use these letters.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Notes by kind. A note that names a fact of the case (a curfew, children at home, a MARAC, unpaid work) is written
# only on cases that have it: the key after the text is the case fact it needs (None: any case).
NOTES_ATTENDED = (
    ("Attended on time. Discussed progress with the sentence plan; no concerns raised.", None),
    ("Reported as instructed. Remains at the same address and in work. Next appointment given.", None),
    ("Attended. Talked about managing anger at home; used the strategies from last session.", None),
    ("Attended. Says he is using less and wants help to stop; agreed referral to the local treatment service.", "male"),
    ("Seen in the office. Discussed accommodation: at risk of losing the tenancy, referral made to housing.", None),
    ("Attended. Reviewed unpaid work hours completed so far; on track.", "unpaid_work"),
    ("Attended, appeared low in mood. Discussed support available; gave the GP and crisis numbers.", None),
    ("Reported. Employment going well; asked about reducing reporting. Will review at next supervision.", None),
    ("Attended. Worked through a session on victim awareness; engaged well.", None),
    ("Attended. Discussed relationships and the requirement to disclose new partners.", "disclose_relationships"),
    ("Attended with a support worker. Benefits claim resolved; finances more stable.", None),
    ("Attended. Completed a RAR session on consequential thinking.", "rar"),
)
NOTES_HOME_VISIT = (
    ("Home visit completed. Address suitable; spoke with the person. No concerns seen.", None),
    ("Home visit. The family home was clean and warm; checked the sleeping arrangements.", "children_at_home"),
    ("Unannounced home visit. Person present; home tidy. Discussed curfew compliance.", "curfew"),
    ("Home visit with the police offender manager. Address checked; no new occupants.", None),
)
NOTES_PHONE = (
    ("Telephone contact: confirmed next appointment and checked on welfare.", None),
    ("Telephone call to discuss a change of shift pattern at work; appointment moved.", None),
    ("Phoned to check on progress with the treatment service; attending sessions.", None),
)
NOTES_FTA_ACCEPTABLE = (
    ("Did not attend. Phoned later with a sick note from the GP; absence accepted.", None),
    ("Did not attend: at a hospital appointment (letter seen). Absence accepted.", None),
    ("Failed to attend due to childcare emergency, evidenced. Acceptable absence.", "children_at_home"),
)
NOTES_FTA_UNACCEPTABLE = (
    ("Failed to attend; no contact made. Warning letter sent.", None),
    ("Did not attend and gave no reason. Absence unacceptable; warning issued.", None),
    ("Failed to attend. Explanation (overslept) not accepted. Second warning: enforcement to be considered.", None),
)
NOTES_RESCHEDULED = (
    ("Appointment rescheduled at the person's request: job interview.", None),
    ("Rescheduled: officer unavailable (training).", None),
)
# The checks at the start of domestic-abuse and child-protection cases.
NOTE_POLICE_CALL_OUTS = (
    "Police domestic abuse check returned: previously one call-out to the address, none since sentence."
)
NOTE_CHILD_IN_NEED = "Children's services: family open to children's social care under a plan; social worker named."
NOTES_OTHER_AGENCY = (
    ("Children's services: no current involvement with the family.", "children"),
    ("Police: no new intelligence since the last check.", None),
    ("Treatment provider: attended three of four sessions this month; negative test results.", "treatment"),
    ("Housing provider: rent arrears reported; tenancy support offered.", None),
    (NOTE_CHILD_IN_NEED, "child_protection"),
    ("MARAC: case discussed; partner's safety plan reviewed.", "domestic_abuse"),
    ("Unpaid work team: completed 14 hours this month; good feedback from the placement supervisor.", "unpaid_work"),
)
NOTES_GENERAL = (
    ("Case reviewed with the senior probation officer; risk management plan up to date.", None),
    ("Sentence plan reviewed; objectives on accommodation and employment continue.", None),
    ("Letter sent confirming the reporting schedule.", None),
    ("Referral made to the accredited programme team.", None),
    ("RoSH screening reviewed following new information; level unchanged.", None),
    ("Case transferred in from another team; records checked.", None),
)
NOTES_THIRD_PARTY = (
    ("Employer confirmed attendance at work for the past month.", None),
    ("Employer phoned to confirm the shift pattern for next month.", None),
    ("Support worker phoned: benefits claim now in payment.", None),
    ("Mother phoned to say he is unwell today and will ring to rebook.", "male"),
)
NOTES_FUTURE = ("", "Planned supervision session.", "Sentence plan review.", "Home visit planned.")

# Notes that carry warning signs (docs/signals.md), by the kind of contact they are written for, each written only
# on a case it makes sense for (the key after the text, as above). The notes above are signal-free, and a test scans
# every one of them to prove it; these are the only notes the generator passes through the signal scan, and a test
# checks each one raises a signal. The mix is in the number of notes per signal: substance relapse, accommodation
# and police contact common; threats, stalking and weapons rare. Case facts for the men's partners: "man_single" (no
# current partner), "man_single_unconditioned" (and no licence condition to disclose relationships: someone else
# reporting a relationship on such a licence would also be a possible failure to comply, which the demo does not
# record), "man_with_partner", "da_man_with_partner" (and domestic abuse), "man_with_ex_partner", and
# "victim_conditions" (a man on licence with a no-contact condition or an exclusion zone).
SIGNAL_NOTES_ATTENDED = (
    ("Attended. Admitted drinking again since losing the job; discussed relapse prevention.", None),
    ("Attended. Relapsed at the weekend and used heroin; referral back to the treatment service.", "treatment"),
    ("Attended and appeared under the influence of alcohol; appointment cut short and rebooked.", None),
    ("Attended. Disclosed cocaine use last week after a period of abstinence.", None),
    ("Attended. Says he has been smoking cannabis again most days to help him sleep.", "male"),
    ("Attended. Served a section 21 notice by the landlord; referral to the housing team.", None),
    ("Attended. Asked to leave the family address last week; now sofa surfing with friends.", None),
    ("Attended. Now NFA after the hostel placement ended; emergency housing referral made.", None),
    ("Attended. Disclosed a new relationship with someone met through work about 3/52 ago.", "man_single"),
    ("Attended. Says he has a new girlfriend, together for about a month; explained the checks that follow.",
     "man_single"),
    ("Attended. Split up with partner at the weekend and has moved out.", "man_with_partner"),
    ("Attended. Says his partner is 12/40 pregnant.", "man_with_partner"),
    ("Attended. Arrested on Saturday after a fight outside a pub; released under investigation.", None),
    ("Attended. Stopped and searched by police on Friday; nothing found.", None),
    ("Attended, low in mood. Disclosed suicidal thoughts this week; crisis team contacted with agreement.", None),
)
SIGNAL_NOTES_HOME_VISIT = (
    ("Home visit. Children present and appeared well cared for. Checked sleeping arrangements.", "children_at_home"),
    ("Home visit. A woman at the address introduced herself as his girlfriend; he had not mentioned her.",
     "man_single"),
    ("Home visit. Empty cans and a strong smell of cannabis; he admitted he is using again.", "male"),
    ("Home visit. Partner present; she says he has been drinking again and it worries her.", "man_with_partner"),
)
SIGNAL_NOTES_PHONE = (
    ("Telephone contact: evicted yesterday and staying with a friend.", None),
    ("Telephone contact: has relapsed on alcohol; appointment brought forward.", None),
    ("Telephone contact: phoned upset and said he wants to kill himself; crisis line details given and GP informed.",
     "male"),
)
SIGNAL_NOTES_OTHER_AGENCY = (
    ("Police: arrested on suspicion of shoplifting, released under investigation.", None),
    ("Police: arrested for assault following a disturbance in the town centre; bailed.", None),
    ("Police: attended the address after a domestic incident reported by a neighbour; no arrests.", None),
    ("Police: he threatened a neighbour during an argument over parking; words of advice given.", "male"),
    ("Police: found with a lock knife during a stop and search; charged.", None),
    ("Housing provider: eviction proceedings started for rent arrears; possession hearing next month.", None),
    ("Hostel: placement ended after repeated breaches of the rules; now sleeping rough.", None),
    ("Treatment provider: last two drug tests were positive for opiates.", "treatment"),
    ("Treatment provider: attended the session smelling of alcohol and admitted drinking again.", "treatment"),
    ("Victim liaison: the victim reports he sent her a message on Facebook despite the non-contact condition.",
     "victim_conditions"),
    ("IDVA: his partner says he checks her phone and will not let her see her friends.", "da_man_with_partner"),
    ("IDVA: his partner says she is frightened of him when he has been drinking.", "da_man_with_partner"),
    ("Children's services: his partner is expecting a baby in the spring; pre-birth assessment started.",
     "man_with_partner"),
    ("Mental health team: says he took an overdose last week and was seen in A&E.", "male"),
)
SIGNAL_NOTES_THIRD_PARTY = (
    ("Mother called: says he has been drinking heavily again.", "male"),
    ("Mother called: he has been told to leave his flat and has nowhere to stay.", "male"),
    ("Ex-partner phoned: he keeps turning up at her work and she is scared.", "man_with_ex_partner"),
    ("Ex-partner phoned: he has been messaging her repeatedly and she does not feel safe.", "man_with_ex_partner"),
    ("Ex-partner phoned: says he threatened to smash her windows if she did not let him see the children.",
     "man_with_ex_partner"),
    ("Partner phoned: says he has been going through her phone and controlling the money.", "man_with_partner"),
    ("Partner phoned: says she has ended the relationship and asked him to leave.", "man_with_partner"),
    ("Sister phoned: says he has a new girlfriend and is staying at her flat most nights.",
     "man_single_unconditioned"),
    ("Neighbour phoned the office: says he has been shouting and the police were called to the flat on Sunday.",
     "male"),
)
