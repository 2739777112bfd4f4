from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AtlasConfig(AppConfig):
    name = "atlas"
    verbose_name = _("Atlas")

    def ready(self) -> None:
        # Imported here: models can be imported only once every app is loaded.
        post_migrate.connect(_sync_groups, dispatch_uid="atlas-sync-groups")
        from core.datastate import published_data_changed

        from .publicdata import after_change

        # The apps below announce every committed change of the published data (core/); the
        # site renders the files of the new state or drops those of the old one.
        published_data_changed.connect(after_change, dispatch_uid="atlas-public-data")


def _sync_groups(sender, **kwargs):
    # Permissions are created per app on post_migrate; "reports" is the last app whose
    # permissions the groups use (INSTALLED_APPS), and auth's handler runs before this one.
    if sender.name == "reports":
        from .permissions import sync_groups

        sync_groups()


class AtlasAdminConfig(admin_apps.AdminConfig):
    default = False
    # The admin with the atlas's login (second factor, atlas/admin_site.py).
    default_site = "atlas.admin_site.AtlasAdminSite"
