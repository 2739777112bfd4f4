from django.db import migrations


class Migration(migrations.Migration):
    """The data version belongs to core now (core.0002); its table stays, so only Django's
    state forgets the atlas's model."""

    dependencies = [
        ("atlas", "0002_identity_data_version"),
        ("core", "0002_data_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DataVersion")],
            database_operations=[],
        ),
    ]
