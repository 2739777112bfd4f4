from django.db import migrations

from facilities.types import link_age_groups


def link(apps, schema_editor):
    link_age_groups(apps.get_model("facilities", "FacilityType"))


class Migration(migrations.Migration):
    dependencies = [("facilities", "0003_facility_upload")]
    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
