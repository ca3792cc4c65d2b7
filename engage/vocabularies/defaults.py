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
