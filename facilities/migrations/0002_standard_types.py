from django.db import migrations

from facilities.types import ensure_standard_types


def create_types(apps, schema_editor):
    ensure_standard_types(apps.get_model("facilities", "FacilityType"))


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
