from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionsConfig(AppConfig):
    name = "projections"
    verbose_name = _("Bevölkerungsvorausberechnung")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        # Four eyes (core/changes.py): publishing and withdrawing a run wait for a second person.
        from core.datastate import track

        from .models import ProjectionRun
        from .services.publication import register_changes

        register_changes()
        # What the public sees of the projection: the published run (core/datastate.py).
        track(ProjectionRun, moments=("published_at", "withdrawn_at"))
