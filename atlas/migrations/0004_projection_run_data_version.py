from django.db import migrations

TRIGGER = """
CREATE TRIGGER atlas_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projections_projectionrun
FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_data_version();
"""


class Migration(migrations.Migration):
    """A projection run published or withdrawn changes what the public pages and the API show
    (projected years, the shortfall map): a change of data."""

    dependencies = [
        ("atlas", "0003_data_version_in_core"),
        ("projections", "0002_runs"),
    ]

    operations = [
        migrations.RunSQL(TRIGGER, "DROP TRIGGER atlas_data_version ON projections_projectionrun;"),
    ]
