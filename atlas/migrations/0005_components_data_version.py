from django.db import migrations

TRIGGER = """
CREATE TRIGGER atlas_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators_indicator_components
FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_data_version();
"""


class Migration(migrations.Migration):
    """The parts an indicator is computed from (births and deaths of the natural balance)
    decide its values and what is withheld with them: a change is a change of data, also when
    it is made without saving the indicator itself."""

    dependencies = [
        ("atlas", "0004_projection_run_data_version"),
        ("indicators", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            TRIGGER, "DROP TRIGGER atlas_data_version ON indicators_indicator_components;"
        ),
    ]
