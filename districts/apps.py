from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("Gebiete")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        # Four eyes (core/changes.py): boundary imports and district edits wait for approval.
        from core.changes import register_model
        from core.datastate import track

        from .models import District, Level, Overlap
        from .upload import register_changes

        register_model(District, permission="districts.change_district")
        # What the public sees of the geography (core/datastate.py).
        track(District, moments=("updated_at",))
        track(Level, digest=True)
        track(Overlap, sums=("population_share",))
        register_changes()
