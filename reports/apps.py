from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Sozialberichte")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        # Four eyes (core/changes.py): publishing a report waits for a second person.
        from .services.reports import register_changes

        register_changes()
