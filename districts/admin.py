from functools import partial

from django.contrib import admin
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from core.admin import FourEyesMixin

from .models import District, Level, Overlap
from .upload import boundary_upload_view


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name_de", "slug", "rank"]


@admin.register(District)
class DistrictAdmin(FourEyesMixin, LeafletGeoAdmin):
    # Nothing here is editable today; should a field become so, its edit waits for approval.
    list_display = ["name", "code", "level", "area", "valid_from", "valid_to", "is_demo"]
    list_filter = ["level", "is_demo"]
    search_fields = ["name", "code"]
    fields = ["level", "code", "name", "valid_from", "valid_to", "area", "is_demo", "boundary"]
    # Codes, names and validity change only through the boundary import, which versions them
    # and keeps overlaps and web geometries in step.
    readonly_fields = ["level", "code", "name", "valid_from", "valid_to", "area", "is_demo"]
    # Boundaries change only through the boundary import, which versions them and recomputes
    # web geometries and overlaps; the map here shows the boundary without editing it.
    modifiable = False
    settings_overrides = {"DEFAULT_ZOOM": 12}

    @admin.display(description=_("Fläche (km²)"), ordering="area_km2")
    def area(self, obj):
        return number_format(round(obj.area_km2, 3), 3)

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(partial(boundary_upload_view, self)),
            name="districts_district_upload",
        )
        return [upload, *super().get_urls()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Disabled: the stored geometry is kept as it is, never re-read from the browser.
        # (Without the change permission every field is read-only and not in the form.)
        if "boundary" in form.base_fields:
            form.base_fields["boundary"].disabled = True
        return form


@admin.register(Overlap)
class OverlapAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "area_share", "population_share"]
    list_filter = ["source__level", "target__level"]
    list_select_related = ["source", "target"]
