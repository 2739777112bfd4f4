from django.db import migrations

from districts.levels import ensure_standard_levels


def create_levels(apps, schema_editor):
    ensure_standard_levels(apps.get_model("districts", "Level"))


class Migration(migrations.Migration):
    dependencies = [("districts", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
