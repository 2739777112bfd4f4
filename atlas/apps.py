from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AtlasConfig(AppConfig):
    name = "atlas"
    verbose_name = _("Atlas")

    def ready(self) -> None:
        post_migrate.connect(_sync_groups, dispatch_uid="atlas-sync-groups")
        from .httpcache import TRACKED_MODELS
        from .publicdata import prune_after_commit

        # Any change of what the data state covers (an indicator's threshold saved in the
        # admin too) takes the files of the old state offline once it is committed.
        for model in TRACKED_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(prune_after_commit, sender=model, dispatch_uid="atlas-prune")


def _sync_groups(sender, **kwargs):
    # Permissions are created per app on post_migrate; "indicators" is the last app whose
    # permissions the groups use, and auth's handler runs before this one.
    if sender.name == "indicators":
        from .permissions import sync_groups

        sync_groups()


class AtlasAdminConfig(admin_apps.AdminConfig):
    default = False
    # The admin with the atlas's login (second factor, atlas/admin_site.py).
    default_site = "atlas.admin_site.AtlasAdminSite"
