"""Words the generator builds names, titles and texts from (data only)."""

from __future__ import annotations

from dataclasses import dataclass

# --- people -----------------------------------------------------------------

# Formal first name -> the short forms people actually sign with.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth", "Eliza"),
    "Richard": ("Rick", "Rich", "Dick"), "James": ("Jim", "Jimmy", "Jamie"), "John": ("Jack", "Johnny"),
    "Michael": ("Mike", "Mick"), "Thomas": ("Tom", "Tommy"), "Joseph": ("Joe", "Joey"), "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Anthony": ("Tony",),
    "Andrew": ("Andy", "Drew"), "Edward": ("Ed", "Eddie", "Ted"), "Jennifer": ("Jen", "Jenny"),
    "Katherine": ("Kate", "Kathy", "Katie"), "Catherine": ("Cathy", "Kate"), "Margaret": ("Maggie", "Meg", "Peggy"),
    "Patricia": ("Pat", "Patty", "Trish"), "Susan": ("Sue", "Susie"), "Deborah": ("Deb", "Debbie"),
    "Rebecca": ("Becky", "Becca"), "Samantha": ("Sam",), "Alexander": ("Alex", "Sasha"), "Alexandra": ("Alex", "Sandra"),
    "Benjamin": ("Ben",), "Nicholas": ("Nick",), "Jonathan": ("Jon",), "Stephen": ("Steve",), "Steven": ("Steve",),
    "Timothy": ("Tim",), "Gregory": ("Greg",), "Jeffrey": ("Jeff",), "Kenneth": ("Ken", "Kenny"), "Ronald": ("Ron",),
    "Donald": ("Don",), "Lawrence": ("Larry",), "Gerald": ("Jerry",), "Raymond": ("Ray",), "Douglas": ("Doug",),
    "Peter": ("Pete",), "Philip": ("Phil",), "Phillip": ("Phil",), "Samuel": ("Sam",), "Zachary": ("Zach",),
    "Nathan": ("Nate",), "Nathaniel": ("Nate",), "Victoria": ("Vicky", "Tori"), "Jessica": ("Jess",),
    "Christine": ("Chris", "Tina"), "Christina": ("Tina", "Chris"), "Kimberly": ("Kim",), "Abigail": ("Abby",),
    "Pamela": ("Pam",), "Cynthia": ("Cindy",), "Melissa": ("Mel", "Missy"), "Amanda": ("Mandy",), "Barbara": ("Barb",),
    "Judith": ("Judy",), "Theresa": ("Terri", "Tess"), "David": ("Dave",), "Joshua": ("Josh",), "Jacob": ("Jake",),
    "Frederick": ("Fred",), "Eleanor": ("Ellie",), "Madison": ("Maddie",), "Jacqueline": ("Jackie",),
    "Johannes": ("Hans", "Jan"), "Friedrich": ("Fritz",), "Wolfgang": ("Wolf",), "Hendrik": ("Henk",),
    "Cornelis": ("Kees",), "Willem": ("Wim",), "Giuseppe": ("Beppe", "Pino"), "Francesco": ("Franco",),
    "Alessandro": ("Sandro",), "José": ("Pepe",), "Francisco": ("Paco",), "Manuel": ("Manolo",),
    "Guillermo": ("Memo",), "Antonio": ("Toni",), "Dominique": ("Dom",), "Maximilian": ("Max",),
}

# Surname shapes that foreign name pools rarely produce on their own.
SURNAME_PARTICLES: dict[str, tuple[str, ...]] = {
    "nl_NL": ("van", "van der", "van den", "de"),
    "de_DE": ("von",),
    "es_ES": ("de la", "del"),
    "fr_FR": ("de", "Le"),
    "it_IT": ("De", "Di"),
    "pt_BR": ("da", "dos"),
}
IRISH_SURNAMES = ("O'Neil", "O'Brien", "O'Connor", "O'Sullivan", "O'Reilly", "McCarthy", "MacDonald", "O'Donnell")
GENERATIONAL_SUFFIXES = ("Jr.", "Sr.", "II", "III")
SUFFIX_LOCALES = frozenset({"en_US"})
SALUTATIONS = {"male": ("Mr.",), "female": ("Ms.", "Mrs.")}

# (title, department) with a weight; seniority shows up in the owner of deals later.
TITLES: tuple[tuple[str, str, float], ...] = (
    ("CEO", "Executive", 2), ("CTO", "Engineering", 2), ("CFO", "Finance", 1.5), ("COO", "Operations", 1),
    ("VP Sales", "Sales", 2), ("VP Engineering", "Engineering", 2), ("Head of Operations", "Operations", 2),
    ("Head of Customer Success", "Customer Success", 2), ("IT Manager", "IT", 5), ("IT Director", "IT", 3),
    ("Procurement Manager", "Procurement", 4), ("Purchasing Agent", "Procurement", 2),
    ("Software Engineer", "Engineering", 8), ("Senior Software Engineer", "Engineering", 6),
    ("Data Analyst", "Analytics", 5), ("Marketing Manager", "Marketing", 5), ("Office Manager", "Operations", 3),
    ("Account Manager", "Sales", 4), ("Sales Representative", "Sales", 4), ("Customer Support Lead", "Support", 3),
    ("Operations Analyst", "Operations", 4), ("Product Manager", "Product", 5), ("Finance Manager", "Finance", 3),
    ("Systems Administrator", "IT", 4), ("Controller", "Finance", 2), ("Project Manager", "Operations", 4),
)

ROLE_LOCALS = ("info", "support", "sales", "billing", "admin", "office", "contact", "hello", "accounts", "team")

# --- companies --------------------------------------------------------------

BRAND_ADJECTIVES = (
    "Blue", "North", "Apex", "Summit", "Pine", "Silver", "Quantum", "Bright", "Iron", "Cedar", "Red", "Clear",
    "Swift", "Golden", "Green", "Polar", "Vertex", "Nova", "Atlas", "Granite", "Harbor", "Maple", "Orbit", "Prime",
    "True", "Crystal", "Evergreen", "Falcon", "Lunar", "Solar", "Stone", "River", "Copper", "Oak", "Urban", "Alpine",
    "Pioneer", "Coastal", "Sterling", "Meridian",
)
BRAND_NOUNS = (
    "Harbor", "Peak", "Works", "Labs", "Bridge", "Field", "Point", "Wave", "Forge", "Path", "Gate", "Line", "Stream",
    "Ridge", "Craft", "Hive", "Nest", "Spark", "Cloud", "Grid", "Leaf", "Rock", "Bay", "Mill", "Yard", "Tower",
    "Compass", "Beacon", "Anchor", "Arrow",
)
BRAND_SECTOR_WORDS = (
    "Systems", "Logistics", "Analytics", "Dynamics", "Partners", "Robotics", "Technologies", "Solutions", "Foods",
    "Manufacturing", "Consulting", "Software", "Networks", "Energy", "Health", "Media", "Capital", "Industries",
    "International", "Group", "Holdings", "Services", "Engineering", "Pharma", "Retail", "Motors",
)
BRAND_SYLLABLES = ("zen", "vex", "lum", "tro", "ka", "ri", "no", "va", "mi", "sol", "qu", "ix", "ora", "tel", "dyn", "ax", "el", "io")

# Long words companies shorten in their own name ("Intl", "Tech").
ABBREVIATIONS: dict[str, str] = {
    "International": "Intl", "Technologies": "Tech", "Corporation": "Corp", "Company": "Co", "Manufacturing": "Mfg",
    "Solutions": "Sol.", "Systems": "Sys", "Engineering": "Eng.", "Services": "Svcs", "Industries": "Ind.",
}
SECOND_DOMAIN_WORDS = ("group", "hq", "global", "inc", "corp", "app", "online")
WEBSITE_PATHS = ("/", "/en", "/en-us", "/home", "/about", "/index.html", "/contact")


@dataclass(frozen=True, slots=True)
class Industry:
    salesforce: str  # Salesforce standard Industry picklist value
    hubspot: str  # HubSpot's industry enumeration value
    weight: float


INDUSTRIES: tuple[Industry, ...] = (
    Industry("Technology", "COMPUTER_SOFTWARE", 20), Industry("Technology", "INFORMATION_TECHNOLOGY_AND_SERVICES", 10),
    Industry("Finance", "FINANCIAL_SERVICES", 8), Industry("Banking", "BANKING", 3),
    Industry("Healthcare", "HOSPITAL_HEALTH_CARE", 7), Industry("Retail", "RETAIL", 7),
    Industry("Manufacturing", "MACHINERY", 6), Industry("Manufacturing", "AUTOMOTIVE", 3),
    Industry("Education", "EDUCATION_MANAGEMENT", 4), Industry("Media", "MARKETING_AND_ADVERTISING", 4),
    Industry("Transportation", "LOGISTICS_AND_SUPPLY_CHAIN", 5), Industry("Consulting", "MANAGEMENT_CONSULTING", 5),
    Industry("Energy", "RENEWABLES_ENVIRONMENT", 3), Industry("Insurance", "INSURANCE", 3),
    Industry("Telecommunications", "TELECOMMUNICATIONS", 3), Industry("Food & Beverage", "FOOD_BEVERAGES", 3),
    Industry("Biotechnology", "BIOTECHNOLOGY", 2), Industry("Hospitality", "HOSPITALITY", 2),
    Industry("Construction", "CONSTRUCTION", 2), Industry("Not For Profit", "NON_PROFIT_ORGANIZATION_MANAGEMENT", 1),
)
EMPLOYEE_BANDS: tuple[tuple[int, int, float], ...] = ((5, 50, 35), (51, 200, 30), (201, 1000, 20), (1001, 5000, 10), (5001, 50000, 5))
PLANS = ("starter", "professional", "enterprise")
ACCOUNT_TIERS = ("bronze", "silver", "gold", "platinum")
PRODUCTS = ("Platform", "Analytics add-on", "Support Plus", "API access", "Seats expansion", "Onboarding package")
ACCOUNT_DESCRIPTIONS = (
    "Key account, expanding into new regions.", "Evaluating us against two competitors.", "Long-term customer since launch.",
    "Uses the platform across several business units.", "Renewal handled by procurement.", "Came in through a partner referral.",
    "Interested in the enterprise tier.", "Pilot with one team, wider rollout planned.", None, None,
)

# --- support texts ------------------------------------------------------------

# Product area (also the ticket custom field value and tag) -> (subjects, problem sentences)
SUPPORT_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "billing": (
        ("Invoice shows the wrong amount", "Question about our last invoice", "Credit card update failed", "Need a copy of invoice"),
        ("Our latest invoice lists more seats than we have.", "Finance cannot find the invoice for last month.", "The card on file was declined but it is valid."),
    ),
    "api": (
        ("API returns 500 errors", "Rate limit reached too early", "Webhook not firing", "API token stopped working"),
        ("Since this morning every call to the orders endpoint fails.", "We get 429 responses well below our documented limit.", "Our webhook endpoint has not received events since yesterday."),
    ),
    "integrations": (
        ("Salesforce sync stopped", "Slack integration disconnected", "CSV import fails at row 200", "Duplicate records after sync"),
        ("The nightly sync has not run for two days.", "Records appear twice after the last import.", "The integration shows a red error badge."),
    ),
    "reporting": (
        ("Dashboard not loading", "Export to Excel is empty", "Numbers differ between reports", "Scheduled report not sent"),
        ("The monthly dashboard spins forever.", "Exported files contain only the header row.", "Two reports show different totals for the same period."),
    ),
    "login": (
        ("Cannot log in", "SSO login loop", "Password reset email never arrives", "Two-factor code rejected"),
        ("Several of our users are stuck on the login page.", "After the SSO change we are redirected in a loop.", "The reset email never arrives, spam folder checked."),
    ),
    "performance": (
        ("App very slow today", "Timeouts when saving", "Search takes minutes"),
        ("Pages take more than ten seconds to load.", "Saving a record times out about half of the time.", "Searching for a customer takes minutes."),
    ),
}
SALES_SIGNAL_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upsell": (
        ("Adding 50 more seats", "Upgrade to the enterprise plan?", "Expanding to our EMEA team"),
        ("We would like to roll the product out to another department.", "We are interested in the enterprise features and need a quote."),
    ),
    "pricing": (
        ("Pricing for next year", "Discount for a multi-year contract?", "Quote request"),
        ("Could you send updated pricing before our budget meeting?", "We are considering a three-year commitment and want to discuss pricing."),
    ),
}
AGENT_REPLIES = (
    "Thanks for reaching out, I'm looking into this now.", "Could you send us a screenshot and the time it happened?",
    "We have reproduced the issue and escalated it to engineering.", "A fix has been deployed, can you confirm it works on your side?",
    "I've updated your account; please try again.", "I'm passing this on to your account manager, who will contact you shortly.",
)
REQUESTER_FOLLOW_UPS = (
    "Thanks, attached the screenshot.", "Still happening for us.", "That worked, thank you!", "Any update on this?",
    "Happens on every browser we tried.",
)
INTERNAL_NOTES = ("Checked logs, errors from the EU cluster.", "Customer is on the enterprise plan, prioritise.", "Linked to known issue.")
RATING_COMMENTS = {
    "good": ("Quick and helpful, thanks!", "Great support.", "Solved on the first reply.", None),
    "bad": ("Took far too long.", "Issue is not really fixed.", "Had to explain it three times.", None),
}
