"""The communities reach is counted against when an installation starts (administrators can change them)."""

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
