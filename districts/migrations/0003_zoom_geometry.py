import django.contrib.gis.db.models.fields
import django.db.models.deletion
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import migrations, models
from django.db.models import Q


def compute_zoom_geometries(apps, schema_editor):
    """Zoom-band geometries for the boundaries already stored, as the boundary import would
    have made them: each boundary version of a level in turn, oldest first."""
    from districts.services.geometry import web_geometries
    from districts.zoom import COARSE_BANDS

    District = apps.get_model("districts", "District")
    ZoomGeometry = apps.get_model("districts", "ZoomGeometry")
    finest_m = float(getattr(settings, "ATLAS_SIMPLIFY_TOLERANCE_M", 5.0))
    pairs = District.objects.values_list("level_id", "valid_from").distinct()
    for level_id, day in sorted(set(pairs)):
        districts = list(
            District.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .filter(level_id=level_id, valid_from__lte=day)
            .only("id", "boundary")
        )
        boundaries = shapely.from_wkb([bytes(d.boundary.wkb) for d in districts])
        bands = web_geometries(boundaries, finest_m=finest_m)
        ZoomGeometry.objects.filter(district__in=districts).delete()
        rows = []
        for band in COARSE_BANDS:
            for district, geom in zip(districts, bands[band], strict=True):
                if geom.geom_type == "Polygon":
                    geom = shapely.MultiPolygon([geom])
                wkb = memoryview(shapely.to_wkb(geom))
                rows.append(
                    ZoomGeometry(
                        district=district,
                        max_zoom=band.max_zoom,
                        geometry=GEOSGeometry(wkb, srid=4326),
                    )
                )
        ZoomGeometry.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("districts", "0002_standard_levels")]

    operations = [
        migrations.CreateModel(
            name="ZoomGeometry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "max_zoom",
                    models.PositiveSmallIntegerField(
                        help_text="Die feinste Zoomstufe, für die diese Geometrie reicht.",
                        verbose_name="bis Zoomstufe",
                    ),
                ),
                (
                    "geometry",
                    django.contrib.gis.db.models.fields.MultiPolygonField(
                        srid=4326, verbose_name="Geometrie"
                    ),
                ),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="zoom_geometries",
                        to="districts.district",
                        verbose_name="Gebiet",
                    ),
                ),
            ],
            options={
                "verbose_name": "Geometrie je Zoomstufe",
                "verbose_name_plural": "Geometrien je Zoomstufe",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("district", "max_zoom"), name="zoom_geometry_unique_band"
                    )
                ],
            },
        ),
        migrations.RunPython(compute_zoom_geometries, migrations.RunPython.noop),
    ]
