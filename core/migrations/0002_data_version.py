from django.db import migrations, models


class Migration(migrations.Migration):
    """The data version moves to core in Django's state only: the table ``atlas_dataversion``
    and its triggers stay as migration atlas.0001 made them (atlas.0003 drops the old state)."""

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.BigIntegerField()),
                        ("changed_at", models.DateTimeField()),
                    ],
                    options={
                        "verbose_name": "Datenstand",
                        "verbose_name_plural": "Datenstand",
                        "db_table": "atlas_dataversion",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
