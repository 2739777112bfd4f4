from django.db import migrations

# The levels every German city's atlas starts with; more can be added in the admin.
LEVELS = [
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


def create_levels(apps, schema_editor):
    Level = apps.get_model("districts", "Level")
    for slug, name_de, name_en, plural_de, plural_en, rank in LEVELS:
        Level.objects.update_or_create(
            slug=slug,
            defaults={
                "name_de": name_de,
                "name_en": name_en,
                "name_plural_de": plural_de,
                "name_plural_en": plural_en,
                "rank": rank,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("districts", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
