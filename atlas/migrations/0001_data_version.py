from django.db import migrations, models

# The tables whose content the public data state covers (atlas.httpcache.TRACKED_MODELS).
TRACKED_TABLES = (
    "indicators_release",
    "indicators_indicator",
    "indicators_theme",
    "districts_district",
    "districts_level",
    "districts_overlap",
    "facilities_facility",
    "facilities_facilitytype",
    "facilities_facilityupload",
)

# An upsert, so that the row comes back after a TRUNCATE of all tables (a test flush).
# clock_timestamp(), not now(): two changes in one transaction get two distinct moments.
FUNCTION = """
CREATE OR REPLACE FUNCTION atlas_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO atlas_dataversion (id, version, changed_at) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET version = atlas_dataversion.version + 1, changed_at = clock_timestamp();
    RETURN NULL;
END;
$$;
"""

TRIGGER = """
CREATE TRIGGER atlas_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION atlas_bump_data_version();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("districts", "0003_zoom_geometry"),
        ("facilities", "0004_school_and_youth_groups"),
        ("indicators", "0008_observation_check_when"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField()),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "Datenstand", "verbose_name_plural": "Datenstand"},
        ),
        migrations.RunSQL(
            FUNCTION + "INSERT INTO atlas_dataversion (id, version, changed_at) "
            "VALUES (1, 1, clock_timestamp());",
            "DROP FUNCTION atlas_bump_data_version();",
        ),
        *(
            migrations.RunSQL(
                TRIGGER.format(table=table),
                f"DROP TRIGGER atlas_data_version ON {table};",
            )
            for table in TRACKED_TABLES
        ),
    ]
