from django.db import migrations

TRIGGER = """
CREATE TRIGGER atlas_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators_identity
FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_data_version();
"""


class Migration(migrations.Migration):
    """Identities between indicators decide what is withheld: a change is a change of data."""

    dependencies = [
        ("atlas", "0001_data_version"),
        ("indicators", "0010_identity"),
    ]

    operations = [
        migrations.RunSQL(TRIGGER, "DROP TRIGGER atlas_data_version ON indicators_identity;"),
    ]
