"""Reference data for the demo county (from DESIGN.md): hubs, skills and the top 20 services."""

from __future__ import annotations

# code, name, lat, lng, hub address, postcode
AREAS = [
    ("amesbury", "Amesbury", 51.173, -1.780, "Amesbury Library, Smithfield Street", "SP4 7AL"),
    ("bradford-on-avon", "Bradford on Avon", 51.347, -2.251, "Bradford on Avon Library, Bridge Street", "BA15 1BY"),
    ("calne", "Calne", 51.438, -2.005, "Calne Community Campus, Bank Row", "SN11 0PZ"),
    ("chippenham", "Chippenham", 51.459, -2.116, "Monkton Park Offices, Monkton Park", "SN15 1ER"),
    ("corsham", "Corsham", 51.431, -2.186, "Springfield Campus, Beechfield Road", "SN13 9DN"),
    ("cricklade", "Cricklade", 51.641, -1.856, "Cricklade Library, 113 High Street", "SN6 6AE"),
    ("devizes", "Devizes", 51.350, -1.995, "Devizes Library, Sheep Street", "SN10 1DL"),
    ("downton", "Downton", 50.993, -1.746, "Downton Memorial Hall, The Borough", "SP5 3LX"),
    ("malmesbury", "Malmesbury", 51.585, -2.098, "Malmesbury Library, Cross Hayes", "SN16 9BG"),
    ("marlborough", "Marlborough", 51.420, -1.729, "Marlborough Library, 91 High Street", "SN8 1HD"),
    ("melksham", "Melksham", 51.373, -2.138, "Melksham Community Campus, Market Place", "SN12 6ES"),
    ("mere", "Mere", 51.089, -2.267, "Mere Library, Barton Lane", "BA12 6JA"),
    ("pewsey", "Pewsey", 51.341, -1.765, "Pewsey Campus, Avonside", "SN9 5AP"),
    ("royal-wootton-bassett", "Royal Wootton Bassett", 51.539, -1.904, "Royal Wootton Bassett Library, Borough Fields", "SN4 7AX"),
    ("salisbury", "Salisbury", 51.069, -1.795, "Bourne Hill Offices, Bourne Hill", "SP1 3UZ"),
    ("tidworth", "Tidworth", 51.239, -1.662, "Tidworth Leisure Centre, Nadder Road", "SP9 7QN"),
    ("tisbury", "Tisbury", 51.061, -2.079, "Tisbury Library, The Avenue", "SP3 6JG"),
    ("trowbridge", "Trowbridge", 51.319, -2.208, "County Hall, Bythesea Road", "BA14 8JN"),
    ("warminster", "Warminster", 51.205, -2.181, "Warminster Library, Three Horseshoes Mall", "BA12 9BT"),
    ("westbury", "Westbury", 51.260, -2.187, "Westbury Library, Edward Street", "BA13 3BD"),
]

# Hubs with a self-service kiosk (the larger towns first).
KIOSK_HUBS = {"chippenham", "trowbridge", "salisbury", "devizes", "melksham", "warminster",
              "calne", "amesbury", "marlborough", "royal-wootton-bassett"}

SKILLS = [
    ("revenues", "Council tax and benefits"),
    ("housing", "Housing options"),
    ("social-care", "Adult social care assessment"),
    ("occupational-therapy", "Occupational therapy"),
    ("grants-survey", "Grants and adaptations survey"),
    ("waste", "Waste services"),
    ("housing-inspection", "Housing inspection"),
    ("environmental-health", "Environmental health"),
    ("licensing", "Licensing"),
    ("business-rates", "Business rates"),
    ("planning", "Planning"),
    ("building-control", "Building control"),
    ("education", "School admissions and transport"),
    ("passenger-transport", "Concessionary travel"),
    ("trading-standards", "Trading standards"),
    ("blue-badge", "Blue Badge assessment"),
]

# code, name, minutes, (home, business, hub), skill, two officers, notice h, horizon d, documents, summary
SERVICES = [
    ("council-tax", "Council tax account and discounts", 30, (True, False, True), "revenues", False, 24, 28,
     "Your council tax bill or account number\nProof of who lives with you, if asking for a discount",
     "Help with your council tax bill, payments, discounts and exemptions."),
    ("benefit-claim", "Housing benefit and council tax reduction claim", 60, (True, False, True), "revenues", False, 24, 28,
     "Proof of identity\nProof of income for everyone in your home\nYour tenancy agreement or rent statement\nBank statements for the last 2 months",
     "Make or update a claim for housing benefit or council tax reduction."),
    ("blue-badge", "Blue Badge", 45, (True, False, True), "blue-badge", False, 48, 42,
     "Proof of identity\nProof of address\nA recent digital photo or passport photo\nYour National Insurance number\nDetails of any disability benefits",
     "Apply for or renew a Blue Badge parking permit."),
    ("housing-options", "Housing options and homelessness prevention", 60, (True, False, True), "housing", False, 2, 21,
     "Proof of identity\nAny letters from your landlord or lender\nProof of income",
     "Advice if you are at risk of losing your home or need to find somewhere to live."),
    ("care-assessment", "Adult social care needs assessment", 90, (True, False, False), "social-care", False, 48, 42,
     "A list of your medicines\nContact details for your GP and any carers",
     "An assessment of the care and support you need to live well at home."),
    ("ot-assessment", "Occupational therapy home assessment", 60, (True, False, False), "occupational-therapy", False, 48, 56,
     "A list of your medicines\nAny equipment you already use",
     "An occupational therapist visits to see how equipment or changes could help you at home."),
    ("dfg-survey", "Disabled facilities grant survey", 75, (True, False, False), "grants-survey", True, 72, 56,
     "Proof of ownership or your landlord's written permission\nYour occupational therapist's recommendation",
     "A survey of your home for adaptations paid for by a disabled facilities grant."),
    ("assisted-bin", "Assisted bin collection assessment", 20, (True, False, False), "waste", False, 24, 28,
     "", "Check whether you need help putting your bins out for collection."),
    ("bulky-waste", "Bulky waste survey", 20, (True, True, False), "waste", False, 24, 28,
     "A list of the items to collect", "An officer looks at large items before we collect them."),
    ("repairs-inspection", "Council housing repairs inspection", 45, (True, False, False), "housing-inspection", False, 24, 28,
     "Your tenancy reference\nPhotos of the problem, if you have them", "An inspection of repairs needed in your council home."),
    ("private-housing", "Private rented housing conditions inspection", 60, (True, False, False), "housing-inspection", True, 48, 28,
     "Your tenancy agreement\nAny letters to or from your landlord about the problem",
     "An inspection of damp, disrepair or safety hazards in a privately rented home."),
    ("noise-nuisance", "Noise and nuisance visit", 45, (True, True, False), "environmental-health", False, 24, 21,
     "Your noise diary or notes of when the problem happens", "An officer visits to assess noise or another nuisance."),
    ("food-hygiene", "Food business hygiene advice", 60, (False, True, True), "environmental-health", False, 48, 42,
     "Your food safety management records\nYour business registration details",
     "Advice for food businesses on hygiene and food safety law."),
    ("licensing-advice", "Licensing advice", 45, (False, True, True), "licensing", False, 48, 42,
     "Your current licence, if you have one\nPlans of the premises", "Advice on alcohol, entertainment, taxi and street trading licences."),
    ("business-rates", "Business rates review", 45, (False, True, True), "business-rates", False, 48, 42,
     "Your business rates bill\nYour lease or proof of occupation", "A review of your business rates, reliefs and payments."),
    ("planning-pre-app", "Planning pre-application advice", 60, (True, True, True), "planning", False, 72, 56,
     "Site location plan\nDrawings or sketches of what you want to build\nPhotos of the site",
     "Advice before you apply for planning permission."),
    ("building-control", "Building control inspection", 45, (True, True, False), "building-control", False, 24, 28,
     "Your building regulations application reference\nApproved drawings", "An inspection of building work at a set stage."),
    ("school-admissions", "School admissions and school transport advice", 30, (True, False, True), "education", False, 24, 28,
     "Your child's birth certificate\nProof of address", "Help applying for a school place or school transport."),
    ("bus-pass", "Bus pass application", 20, (False, False, True), "passenger-transport", False, 2, 28,
     "Proof of age or disability\nProof of address\nA passport-style photo", "Apply for an older person's or disabled person's bus pass."),
    ("scams-advice", "Scams and doorstep crime advice", 45, (True, False, True), "trading-standards", False, 24, 28,
     "Any letters, emails or paperwork about the scam", "Advice and support if you think you have been targeted by scammers or rogue traders."),
]

REGISTRATION = (
    "registration",
    "Registering a birth, death or marriage",
    "Registration takes place at the register office, not at home or a hub. "
    "Book with Wiltshire Registration Service at County Hall, Trowbridge, or phone 0300 003 4569.",
)

FIRST_NAMES = ["Aisha", "Ben", "Claire", "Dev", "Emma", "Fraser", "Grace", "Harpreet", "Isla", "James",
               "Kate", "Liam", "Maya", "Nathan", "Olivia", "Priya", "Quentin", "Rosie", "Sam", "Tom",
               "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zoe", "Alex", "Beth", "Chris", "Dan",
               "Ella", "Finn", "Georgia", "Hassan", "Imogen", "Jack", "Kieran", "Lucy", "Mo", "Nina"]
LAST_NAMES = ["Adams", "Baker", "Clarke", "Davies", "Evans", "Foster", "Green", "Hughes", "Iqbal", "Jones",
              "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Quinn", "Roberts", "Singh", "Taylor",
              "Usher", "Vaughan", "Walker", "Young", "Hall", "Wood", "Kowalski", "Price", "Turner", "Ward"]
STREETS = ["High Street", "Church Lane", "Station Road", "Mill Lane", "The Green", "Park Road", "London Road",
           "Victoria Road", "Manor Close", "Orchard Way", "Bath Road", "Castle Street", "Meadow View",
           "School Lane", "Westfield", "Kingsway", "Avon Road", "Elm Grove", "Springfield", "Queens Road"]
