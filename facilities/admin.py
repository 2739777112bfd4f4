from functools import partial

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.urls import path

from core.admin import FourEyesMixin, SourceFileMixin

from .models import Facility, FacilityType, FacilityUpload
from .upload import upload_view


@admin.register(FacilityType)
class FacilityTypeAdmin(FourEyesMixin, admin.ModelAdmin):
    list_display = ["name_de", "slug", "icon", "served_group_de", "served_indicator", "order"]
    search_fields = ["slug", "name_de", "name_en"]


@admin.register(Facility)
class FacilityAdmin(FourEyesMixin, GISModelAdmin):
    list_display = ["name", "type", "address", "capacity", "opened_on", "closed_on", "is_demo"]
    list_filter = ["type", "is_demo"]
    search_fields = ["name", "address", "key"]
    readonly_fields = ["updated_at"]
    change_list_template = "admin/facilities/facility/change_list.html"

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(partial(upload_view, self)),
            name="facilities_facility_upload",
        )
        return [upload, *super().get_urls()]


@admin.register(FacilityUpload)
class FacilityUploadAdmin(SourceFileMixin, admin.ModelAdmin):
    list_display = ["source_filename", "created_at", "created_by", "added", "changed", "unchanged"]
    readonly_fields = [
        "source_file", "source_filename", "sha256", "created_at", "created_by", "added",
        "changed", "unchanged",
    ]  # fmt: skip

    def has_add_permission(self, request):
        # Uploads come from the upload page, which checks the add permission itself.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
