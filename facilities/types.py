"""The kinds of facility every atlas starts with; more can be added in the admin.

The served group is read through the indicator named here: a count indicator's value, or the
numerator of a share (the share of under-6-year-olds counts the children under 6). Where an
atlas has no indicator for a group, the type is counted but has no ratio until one is set in
the admin.
"""

STANDARD_TYPES = [
    # slug, German, English, icon, served group (de, en), served indicator, part
    ("kita", "Kita", "Day-care centre", "kita",
     "Kinder unter 6 Jahren", "children under 6", "anteil-unter-6", "numerator"),
    ("grundschule", "Grundschule", "Primary school", "schule",
     "Kinder von 6 bis 9 Jahren", "children aged 6 to 9", "kinder-6-bis-9", "value"),
    ("jugendzentrum", "Jugendzentrum", "Youth centre", "jugend",
     "junge Menschen von 10 bis 20 Jahren", "young people aged 10 to 20",
     "junge-menschen-10-bis-20", "value"),
    ("seniorenberatung", "Seniorenberatung", "Advice for older people", "senioren",
     "Menschen ab 65 Jahren", "people aged 65 and over", "anteil-65-plus", "numerator"),
    ("pflegeberatung", "Pflegeberatung", "Care advice", "pflege",
     "Menschen ab 65 Jahren", "people aged 65 and over", "anteil-65-plus", "numerator"),
    ("stadtteilbuero", "Stadtteilbüro / Kontaktstelle", "Neighbourhood office", "treffpunkt",
     "alle Einwohner/innen", "all residents", "einwohner", "value"),
    ("familienzentrum", "Familienzentrum", "Family centre", "familie",
     "alle Einwohner/innen", "all residents", "einwohner", "value"),
    ("beratungsstelle", "Beratungsstelle", "Counselling centre", "beratung",
     "alle Einwohner/innen", "all residents", "einwohner", "value"),
    ("wohnungslosenhilfe", "Wohnungslosenhilfe", "Homelessness services", "wohnen",
     "wohnungslose Menschen", "homeless people", "wohnungslose", "value"),
]  # fmt: skip


def ensure_standard_types(type_model) -> None:
    """Create the standard types that are missing (``type_model`` may be a migration's model)."""
    for order, row in enumerate(STANDARD_TYPES):
        slug, name_de, name_en, icon, group_de, group_en, indicator, part = row
        type_model.objects.get_or_create(
            slug=slug,
            defaults={
                "name_de": name_de,
                "name_en": name_en,
                "icon": icon,
                "served_group_de": group_de,
                "served_group_en": group_en,
                "served_indicator": indicator,
                "served_part": part,
                "order": order,
            },
        )


def link_age_groups(type_model) -> None:
    """Give the school and youth types their age groups where no group was chosen yet."""
    for slug, _, _, _, group_de, group_en, indicator, part in STANDARD_TYPES:
        if slug in ("grundschule", "jugendzentrum"):
            type_model.objects.filter(slug=slug, served_indicator="").update(
                served_group_de=group_de,
                served_group_en=group_en,
                served_indicator=indicator,
                served_part=part,
            )
