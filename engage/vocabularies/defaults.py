"""The vocabularies a new installation starts with (administrators can change them)."""

# The ten building blocks of the borough's prevention strategy.
THEMES = [
    "Having good relationships in a good home",
    "Meaningful occupation and sufficient income",
    "Culture and social life",
    "Education and learning",
    "Neighbourhood and environment",
    "Protection from hazards",
    "Good start and early years",
    "An active life",
    "Improving our internal thinking",
    "Having services that meet needs",
]

# The borough's townships, each with some of its neighbourhoods.
AREAS: dict[str, list[str]] = {
    "Rochdale": ["Kirkholt", "Deeplish", "Spotland", "Wardleworth"],
    "Heywood": ["Darnhill", "Hopwood"],
    "Middleton": ["Langley", "Hollin"],
    "Pennines": ["Littleborough", "Milnrow", "Wardle"],
}

# The communities reach is counted against.
COMMUNITIES: list[tuple[str, list[str]]] = [
    ("network", ["Carers network", "Mental health network", "Older people's network", "Young people's network",
                 "Faith network", "Disability network", "BAME communities network"]),
    ("under_represented", ["People on low incomes", "People living alone", "Refugees and people seeking asylum",
                           "Gypsy, Roma and Traveller communities", "People experiencing homelessness",
                           "People with no digital access"]),
    # The nine protected characteristics of the Equality Act 2010.
    ("protected_characteristic", ["Age", "Disability", "Gender reassignment", "Marriage and civil partnership",
                                  "Pregnancy and maternity", "Race", "Religion or belief", "Sex",
                                  "Sexual orientation"]),
]
