from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indikatoren")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        # Four eyes (core/changes.py): catalogue edits and withdrawals wait for a second person,
        # and so do a release's public title and notes, and which department sees which theme.
        from core.changes import register_model
        from core.datastate import track

        from .models import Identity, Indicator, Release, Theme, ThemeAccess
        from .services.releases import register_changes

        register_model(Indicator, permission="indicators.change_indicator")
        register_model(Theme, permission="indicators.change_theme")
        register_model(Identity, permission="indicators.change_identity")
        register_model(Release, permission="indicators.change_release")
        register_model(ThemeAccess, permission="indicators.change_themeaccess")
        register_changes()
        # What the public sees of the statistics (core/datastate.py); observations count
        # through their release.
        track(Release, moments=("published_at", "withdrawn_at"))
        for metadata in (Indicator, Indicator.components.through, Identity, Theme):
            track(metadata, digest=True)
