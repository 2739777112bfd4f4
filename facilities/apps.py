from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Angebote im Quartier")

    def ready(self) -> None:
        # Four eyes (core/changes.py): facility imports and edits wait for a second person.
        from core.changes import register_model

        from .models import Facility, FacilityType
        from .upload import register_changes

        register_model(Facility, permission="facilities.change_facility")
        register_model(FacilityType, permission="facilities.change_facilitytype")
        register_changes()
