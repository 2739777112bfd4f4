from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """A change of what the public sees, waiting for a second person (ATLAS_FOUR_EYES).

    What it does and how it is shown belongs to the app that registered its ``kind``
    (core/changes.py); the payload holds what that app needs to apply it later.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wartet auf Freigabe")
        APPROVED = "approved", _("freigegeben")
        REJECTED = "rejected", _("abgelehnt")

    kind = models.CharField(_("Art"), max_length=60)
    target = models.CharField(_("Gegenstand"), max_length=300)
    summary = models.CharField(_("Änderung"), max_length=500)
    payload = models.JSONField(_("Inhalt"), default=dict, blank=True)
    # A file that waits with the change (an upload), relative to MEDIA_ROOT.
    file = models.CharField(_("Datei"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vorgelegt von"),
    )
    requested_at = models.DateTimeField(_("vorgelegt am"), auto_now_add=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von"),
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    reason = models.TextField(_("Begründung"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("Änderung zur Freigabe")
        verbose_name_plural = _("Änderungen zur Freigabe")
        permissions = [("approve_pendingchange", _("Änderungen anderer freigeben oder ablehnen"))]
        constraints = [
            # The database itself refuses a change approved by the person who asked for it.
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | ~models.Q(decided_by=models.F("requested_by")),
                name="pendingchange_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.summary}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class DataVersion(models.Model):
    """The version of the public data: one row (id 1), counted up by the database.

    Triggers (migration ``atlas.0001``) bump it, and create the row when it is missing, in the
    same transaction as any write to the tables of the data state (core/datastate.py). The
    table keeps the name it was created under, which the triggers' function writes to.
    """

    version = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "atlas_dataversion"
        verbose_name = "Datenstand"
        verbose_name_plural = "Datenstand"

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
