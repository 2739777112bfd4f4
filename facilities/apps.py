from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Angebote im Quartier")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        # Four eyes (core/changes.py): facility imports and edits wait for a second person.
        from core.changes import register_model
        from core.datastate import track
        from indicators import supply

        from .models import Facility, FacilityType, FacilityUpload
        from .selectors import RegisterSupply
        from .upload import register_changes

        register_model(Facility, permission="facilities.change_facility")
        register_model(FacilityType, permission="facilities.change_facilitytype")
        register_changes()
        # What the public sees of the facilities (core/datastate.py).
        track(Facility, moments=("updated_at",))
        track(FacilityUpload, moments=("created_at",))
        track(FacilityType, digest=True)
        # The read path counts facilities for supply indicators through this provider.
        supply.register(RegisterSupply())
