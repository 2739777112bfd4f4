from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("Gebiete")

    def ready(self) -> None:
        # Four eyes (core/changes.py): boundary imports and district edits wait for approval.
        from core.changes import register_model

        from .models import District
        from .upload import register_changes

        register_model(District, permission="districts.change_district")
        register_changes()
