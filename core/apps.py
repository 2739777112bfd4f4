from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Grundlagen")

    def ready(self) -> None:
        # Models are not importable before ready(); this module is.
        from .datastate import saved_or_deleted

        # Any save or delete of a tracked row (an indicator's threshold in the admin too)
        # announces a change of the published data once it is committed.
        for signal in (post_save, post_delete):
            signal.connect(saved_or_deleted, dispatch_uid="core-data-state")
