from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import District, Level, Overlap


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name_de", "slug", "rank"]


@admin.register(District)
class DistrictAdmin(LeafletGeoAdmin):
    list_display = ["name", "code", "level", "area_km2", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["area_km2"]
    # Boundaries change through the boundary import, which recomputes web geometries and
    # overlaps; editing a vertex here would leave them stale, so the map is for viewing.
    fields = ["level", "code", "name", "valid_from", "valid_to", "area_km2", "boundary"]
    settings_overrides = {"DEFAULT_ZOOM": 12}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "boundary", "level"]
        return self.readonly_fields


@admin.register(Overlap)
class OverlapAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "area_share", "population_share"]
    list_filter = ["source__level", "target__level"]
    list_select_related = ["source", "target"]
