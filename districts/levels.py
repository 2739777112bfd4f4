"""The levels every German city's atlas starts with; more can be added in the admin."""

STANDARD_LEVELS = [
    # slug, name, English name, plural, English plural, rank (finer levels rank higher)
    ("stadt", "Stadt", "City", "Stadt", "City", 0),
    ("stadtbezirk", "Stadtbezirk", "City borough", "Stadtbezirke", "City boroughs", 10),
    (
        "statistischer-bezirk",
        "Statistischer Bezirk",
        "Statistical district",
        "Statistische Bezirke",
        "Statistical districts",
        20,
    ),
]


def ensure_standard_levels(level_model) -> None:
    """Create or correct the standard levels (``level_model`` may be a migration's model)."""
    for slug, name_de, name_en, plural_de, plural_en, rank in STANDARD_LEVELS:
        level_model.objects.update_or_create(
            slug=slug,
            defaults={
                "name_de": name_de,
                "name_en": name_en,
                "name_plural_de": plural_de,
                "name_plural_en": plural_en,
                "rank": rank,
            },
        )
